package linear

import (
	"math/rand/v2"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// BenchmarkRidgeFit16k is one fold's Fit on the shape of synth20k-reg's
// training folds (16,000 × 20, standardized), the fit alone: the
// benchmarks/trainers row adds five gathers, scalings and predictions.
func BenchmarkRidgeFit16k(b *testing.B) {
	const n, d = 16000, 20
	rng := rand.New(rand.NewPCG(1, 2))
	X := trainers.NewMatrix(n, d)
	y := make([]float64, n)
	for i := range n {
		row := X.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
			y[i] += float64(j%5) * row[j]
		}
		y[i] += rng.NormFloat64()
	}
	p, err := trainers.Resolve(Ridge{}.Info(), nil)
	if err != nil {
		b.Fatal(err)
	}
	cpu := trainertest.CPUSeconds()
	for b.Loop() {
		est, err := Ridge{}.New(p, trainers.Config{Task: trial.Regression})
		if err != nil {
			b.Fatal(err)
		}
		if err := est.Fit(b.Context(), X, y); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((trainertest.CPUSeconds()-cpu)/float64(b.N)*1e3, "cpu-ms/op")
}
