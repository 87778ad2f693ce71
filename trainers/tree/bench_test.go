package tree

import (
	"math/rand/v2"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// Seconds scikit-learn 1.2.1 takes for the same five fits and predictions
// on this project's reference machine (2 cores, OMP_NUM_THREADS=1), from
// benchmarks/sklearn_refs/tree_bench.py. Each benchmark reports its time
// as a multiple of these ("x_sklearn"): below 1 is faster.
const (
	skTreeDigitsSeconds   = 0.067
	skForestDigitsSeconds = 1.064
)

func benchCV(b *testing.B, l trainers.Learner, params trial.Params, skSeconds float64) {
	d := trainertest.Load(b, "digits.csv")
	b.ResetTimer()
	for b.Loop() {
		trainertest.ShuffledCV(b, d, l, params, 0)
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perOp/skSeconds, "x_sklearn")
}

// BenchmarkDigitsTree is 5-fold CV of decision_tree max_depth=10 on digits.
func BenchmarkDigitsTree(b *testing.B) {
	benchCV(b, DecisionTree{}, trial.Params{"max_depth": 10}, skTreeDigitsSeconds)
}

// BenchmarkDigitsForest is 5-fold CV of a 100-tree random_forest on digits.
func BenchmarkDigitsForest(b *testing.B) {
	benchCV(b, RandomForest{}, trial.Params{"n_estimators": 100}, skForestDigitsSeconds)
}

// synthetic returns n rows of p continuous features whose class depends
// on a few of them, with label noise.
func synthetic(n, p int, seed uint64) dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := dataset{X: trainers.NewMatrix(n, p), Y: make([]float64, n), Classes: 3}
	for i := range n {
		row := d.X.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
		}
		s := row[0] + 0.5*row[1]*row[2] - row[3]
		switch {
		case rng.Float64() < 0.05:
			d.Y[i] = float64(rng.IntN(3))
		case s < -0.5:
			d.Y[i] = 0
		case s < 0.5:
			d.Y[i] = 1
		default:
			d.Y[i] = 2
		}
	}
	return d
}

// BenchmarkSyntheticForest fits 100 trees on 20,000×20 continuous data.
func BenchmarkSyntheticForest(b *testing.B) {
	d := synthetic(20000, 20, 1)
	cfg := trainers.Config{Task: trial.Classification, Classes: d.Classes, Seed: 1}
	for _, jobs := range []int{1, 2} {
		b.Run(map[int]string{1: "jobs=1", 2: "jobs=2"}[jobs], func(b *testing.B) {
			p, err := trainers.Resolve(RandomForest{}.Info(), trial.Params{"n_jobs": jobs})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				e, err := RandomForest{}.New(p, cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Fit(b.Context(), d.X, d.Y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
