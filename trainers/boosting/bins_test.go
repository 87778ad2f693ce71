package boosting

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
)

// TestBinColumnsMatchesFitBins checks the one-sort binning against
// fitBins and transform (sort, then a binary search per value) on columns
// with NaNs, ties, negative values, signed zeros, few and many distinct
// values.
func TestBinColumnsMatchesFitBins(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, p = 3000, 6
	X := trainers.NewMatrix(n, p)
	for i := range n {
		r := X.Row(i)
		r[0] = rng.NormFloat64() * 1e3
		r[1] = float64(rng.IntN(7)) - 3 // few distinct values
		r[2] = math.Copysign(0, rng.Float64()-0.5)
		r[3] = rng.Float64()
		if rng.IntN(10) == 0 {
			r[3] = math.NaN()
		}
		r[4] = math.NaN()
		r[5] = float64(rng.IntN(400)) * -0.5 // ties across more than 255 values
	}
	for _, maxBins := range []int{2, 16, 255} {
		want := fitBins(X, maxBins, nil)
		wantBins := want.transform(X)
		got, gotBins := binColumns(X, maxBins, nil)
		if !slices.Equal(got.offset, want.offset) {
			t.Fatalf("maxBins %d: offsets %v, want %v", maxBins, got.offset, want.offset)
		}
		for f := range p {
			if !slices.Equal(got.edges[f], want.edges[f]) {
				t.Errorf("maxBins %d, feature %d: edges differ", maxBins, f)
			}
		}
		if !slices.Equal(gotBins, wantBins) {
			t.Errorf("maxBins %d: bins differ", maxBins)
		}
	}
}
