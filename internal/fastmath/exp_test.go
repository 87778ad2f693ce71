package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpMatchesMath(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	worst := 0.0
	check := func(x float64) {
		t.Helper()
		got, want := Exp(x), math.Exp(x)
		if math.IsNaN(want) {
			if !math.IsNaN(got) {
				t.Fatalf("Exp(%v) = %v, want NaN", x, got)
			}
			return
		}
		if got == want {
			return
		}
		ulps := math.Abs(got-want) / (math.Nextafter(want, math.Inf(1)) - want)
		worst = max(worst, ulps)
		if ulps > 2 || math.IsInf(want, 0) || want == 0 {
			t.Fatalf("Exp(%v) = %v, math.Exp %v (%g ulps apart)", x, got, want, ulps)
		}
	}
	for _, x := range []float64{0, -0, 1, -1, 1e-300, -1e-300, 708, -708, 709, 709.7, -707.9, -745, -746, 710,
		math.Ln2, -math.Ln2 / 128, math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, -math.MaxFloat64} {
		check(x)
	}
	for range 200_000 {
		check(1420*r.Float64() - 711)
		check(40 * (r.Float64() - 0.5))
		check(r.NormFloat64() * 1e-3)
	}
	t.Logf("at most %.3g ulps from math.Exp", worst)
}

var sink float64

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	r := rand.New(rand.NewPCG(9, 10))
	for i := range xs {
		xs[i] = -20 * r.Float64()
	}
	b.Run("dense", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				s += Exp(x)
			}
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				s += math.Exp(x)
			}
		}
		sink = s
	})
}
