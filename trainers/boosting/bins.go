package boosting

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
)

// binSubsample is the number of rows bin edges are computed from, as in
// scikit-learn.
const binSubsample = 200_000

// binMapper cuts each feature into bins. Bin b of feature f holds the
// values in (edges[f][b-1], edges[f][b]]; values above the last edge are
// in bin len(edges[f]), and NaN in the bin after that.
type binMapper struct {
	edges [][]float64
	// offset[f] is where feature f's bins start in a histogram; the last
	// element is the histogram's length.
	offset []int
}

// fitBins finds at most maxBins bins per feature from the rows of X.
func fitBins(X trainers.Matrix, maxBins int, rng *rand.Rand) *binMapper {
	rows := make([]int, X.Rows)
	for i := range rows {
		rows[i] = i
	}
	if len(rows) > binSubsample {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		rows = rows[:binSubsample]
		slices.Sort(rows)
	}
	bm := &binMapper{edges: make([][]float64, X.Cols), offset: make([]int, X.Cols+1)}
	vals := make([]float64, 0, len(rows))
	for f := range X.Cols {
		vals = vals[:0]
		for _, i := range rows {
			if v := X.At(i, f); !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		slices.Sort(vals)
		bm.edges[f] = edges(vals, maxBins)
		bm.offset[f+1] = bm.offset[f] + len(bm.edges[f]) + 2 // + last bin + NaN bin
	}
	return bm
}

// edges returns the bin edges of sorted values: midpoints between
// distinct values when there are at most maxBins of them, otherwise the
// maxBins-quantiles interpolated at midpoints (numpy's
// percentile(method="midpoint")), as scikit-learn does.
func edges(sorted []float64, maxBins int) []float64 {
	distinct := slices.Compact(slices.Clone(sorted))
	if len(distinct) <= maxBins {
		out := make([]float64, 0, max(len(distinct)-1, 0))
		for k := 0; k+1 < len(distinct); k++ {
			out = append(out, distinct[k]/2+distinct[k+1]/2)
		}
		return out
	}
	out := make([]float64, maxBins-1)
	n := float64(len(sorted) - 1)
	for j := range out {
		pos := float64(j+1) / float64(maxBins) * n
		lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
		out[j] = min(sorted[lo]/2+sorted[hi]/2, math.MaxFloat64)
	}
	return out
}

// bins returns the number of bins of feature f, its NaN bin included.
func (bm *binMapper) bins(f int) int { return bm.offset[f+1] - bm.offset[f] }

// bin returns v's bin in feature f.
func (bm *binMapper) bin(f int, v float64) uint8 {
	e := bm.edges[f]
	if math.IsNaN(v) {
		return uint8(len(e) + 1)
	}
	k, _ := slices.BinarySearch(e, v)
	return uint8(k)
}

// transform bins every value of X, row-major.
func (bm *binMapper) transform(X trainers.Matrix) []uint8 {
	out := make([]uint8, X.Rows*X.Cols)
	for i := range X.Rows {
		for f, v := range X.Row(i) {
			out[i*X.Cols+f] = bm.bin(f, v)
		}
	}
	return out
}

// threshold returns the value a split after bin b of feature f compares
// with: rows with x <= threshold go left. NaN goes right.
func (bm *binMapper) threshold(f int, b uint8) float64 {
	if e := bm.edges[f]; int(b) < len(e) {
		return e[b]
	}
	return math.Inf(1)
}
