package tree

import (
	"bytes"

	"github.com/hpsearch/hpsearch/datasets"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// BenchmarkForestPredict predicts 100,000 rows with a 100-tree forest
// fitted on 20,000 rows (benchmarks/predict compares a million rows with
// scikit-learn). It reports the nodes per tree and the mean leaf depth.
func BenchmarkForestPredict(b *testing.B) {
	b.Run("noisy", func(b *testing.B) { benchForestPredict(b, synthetic(20000, 10, 1), synthetic(100000, 10, 2).X) })
	b.Run("clusters", func(b *testing.B) {
		var buf bytes.Buffer
		if err := datasets.GenerateCSV(&buf, 120000, 10, 1); err != nil {
			b.Fatal(err)
		}
		all, err := datasets.ReadCSV(&buf, "clusters.csv", datasets.Options{Task: trial.Classification})
		if err != nil {
			b.Fatal(err)
		}
		train := dataset{X: trainers.Matrix{Rows: 20000, Cols: 10, Data: all.X[:20000*10]}, Y: all.Y[:20000], Classes: 3}
		benchForestPredict(b, train, trainers.Matrix{Rows: 100000, Cols: 10, Data: all.X[20000*10:]})
	})
}

func benchForestPredict(b *testing.B, d dataset, X trainers.Matrix) {
	params, err := trainers.Resolve(RandomForest{}.Info(), trial.Params{"n_estimators": 100, "n_jobs": 2})
	if err != nil {
		b.Fatal(err)
	}
	est, err := RandomForest{}.New(params, trainers.Config{Task: trial.Classification, Classes: d.Classes, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := est.Fit(b.Context(), d.X, d.Y); err != nil {
		b.Fatal(err)
	}
	f := est.(*forestEstimator)
	var nodes, depth float64
	for _, t := range f.flat {
		nodes += float64(len(t.nodes))
	}
	for i := range 1000 {
		row := X.Row(i)
		for _, t := range f.flat {
			for k := int32(0); ; depth++ {
				nd := t.nodes[k]
				next := nd.next + right(row[nd.feature], nd.threshold)
				if next == k {
					break
				}
				k = next
			}
		}
	}
	b.Logf("%.0f nodes per tree, mean leaf depth %.1f", nodes/float64(len(f.flat)), depth/1000/float64(len(f.flat)))
	b.ResetTimer()
	cpu := trainertest.CPUSeconds()
	for b.Loop() {
		averageFlat(f.flat, 3, X, 1)
	}
	cpu = trainertest.CPUSeconds() - cpu
	b.ReportMetric(cpu*1e9/float64(b.N)/float64(X.Rows*len(f.flat)), "cpu-ns/row-tree")
}
