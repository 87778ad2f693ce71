package knn_test

import (
	"context"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// sklearnDigitsCPUSeconds is scikit-learn 1.2.1's CPU time for the same
// 5-fold cross-validation (KNeighborsClassifier(n_neighbors=5,
// algorithm="brute"), fit and predict per fold, best of several,
// OMP_NUM_THREADS=1), by Minkowski power p, measured by
// benchmarks/sklearn_refs/speed_refs.py on this project's shared 2-core
// machine. The benchmark reports its own CPU time over this figure as
// x_sklearn, which means something only on that machine: elsewhere, rerun
// the script next to the benchmark (with -cpu 1).
var sklearnDigitsCPUSeconds = map[int]float64{2: 0.0332, 1: 0.1355}

// BenchmarkDigitsCV5 runs the 5-fold cross-validation of n_neighbors=5 on
// digits: fit, predict and score each fold. Slicing the folds out of the
// dataset is done once, outside the timing, as cross_val_score's indexing
// is cheap next to it.
func BenchmarkDigitsCV5(b *testing.B) {
	for _, p := range []trial.Params{
		{"n_neighbors": 5},
		{"n_neighbors": 5, "p": 1},
	} {
		pow := 2
		if v, ok := p.Int("p"); ok {
			pow = v
		}
		b.Run(p.Format(), func(b *testing.B) {
			X, y, folds := digitsFolds(b)
			type split struct {
				Xtr, Xva trainers.Matrix
				ytr, yva []float64
			}
			var splits []split
			for _, f := range folds {
				var s split
				s.Xtr, s.ytr = subset(X, y, f[0])
				s.Xva, s.yva = subset(X, y, f[1])
				splits = append(splits, s)
			}
			ctx := context.Background()
			cpu := trainertest.CPUSeconds()
			for b.Loop() {
				for _, s := range splits {
					e := newEstimator(b, p, trainers.Config{Task: trial.Classification, Classes: 10})
					if err := e.Fit(ctx, s.Xtr, s.ytr); err != nil {
						b.Fatal(err)
					}
					_ = e.Predict(s.Xva)
				}
			}
			perRun := (trainertest.CPUSeconds() - cpu) / float64(b.N)
			b.ReportMetric(perRun, "cpu-s/op")
			b.ReportMetric(perRun/sklearnDigitsCPUSeconds[pow], "x_sklearn")
		})
	}
}
