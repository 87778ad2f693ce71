package boosting

import (
	"math/rand/v2"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// skDigitsSeconds is what scikit-learn 1.2.1's
// HistGradientBoostingClassifier(early_stopping=False) takes for the five
// fits and predictions of BenchmarkDigits on this project's reference
// machine (2 cores, OMP_NUM_THREADS=1), from
// benchmarks/sklearn_refs/tree_bench.py. The benchmark reports its time as
// a multiple of it ("x_sklearn"): below 1 is faster.
const skDigitsSeconds = 8.922

// BenchmarkDigits is 5-fold CV of gradient_boosting with default
// parameters on digits (100 iterations × 10 classes).
func BenchmarkDigits(b *testing.B) {
	d := trainertest.Load(b, "digits.csv")
	for b.Loop() {
		trainertest.ShuffledCV(b, d, GradientBoosting{}, trial.Params{}, 0)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/skDigitsSeconds, "x_sklearn")
}

// synthetic returns n rows of p continuous features and a noisy nonlinear
// regression target.
func synthetic(n, p int, seed uint64) dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := dataset{X: trainers.NewMatrix(n, p), Y: make([]float64, n)}
	for i := range n {
		row := d.X.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		d.Y[i] = row[0] + row[1]*row[2] - 2*max(row[3], 0) + 0.3*rng.NormFloat64()
	}
	return d
}

// BenchmarkSynthetic fits 100 iterations on 20,000×20 continuous data
// (255 bins per feature).
func BenchmarkSynthetic(b *testing.B) {
	d := synthetic(20000, 20, 1)
	p, err := trainers.Resolve(GradientBoosting{}.Info(), trial.Params{})
	if err != nil {
		b.Fatal(err)
	}
	cfg := trainers.Config{Task: trial.Regression, Seed: 1}
	for b.Loop() {
		e, err := GradientBoosting{}.New(p, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Fit(b.Context(), d.X, d.Y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSyntheticClasses fits 100 iterations of three trees (three
// classes) on 16,000×20 continuous data, the shape of one training fold
// of the benchmarks/trainers synth20k-class row.
func BenchmarkSyntheticClasses(b *testing.B) {
	d := synthetic(16000, 20, 2)
	for i, v := range d.Y {
		d.Y[i] = float64(min(2, max(0, int(v+1))))
	}
	p, err := trainers.Resolve(GradientBoosting{}.Info(), trial.Params{})
	if err != nil {
		b.Fatal(err)
	}
	cfg := trainers.Config{Task: trial.Classification, Classes: 3, Seed: 1}
	for b.Loop() {
		e, err := GradientBoosting{}.New(p, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Fit(b.Context(), d.X, d.Y); err != nil {
			b.Fatal(err)
		}
	}
}
