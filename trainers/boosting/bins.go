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

// binColumns is fitBins followed by transform (row-major bins), in one
// sort per column: each column's non-NaN values are radix-sorted with
// their row numbers, the edges come from the sorted values as in
// fitBins, and the bins are assigned walking the sorted order, so no
// value needs a binary search. Above binSubsample rows, where the edges
// come from a sample, it is fitBins and transform.
func binColumns(X trainers.Matrix, maxBins int, rng *rand.Rand) (*binMapper, []uint8) {
	if X.Rows > binSubsample {
		bm := fitBins(X, maxBins, rng)
		return bm, bm.transform(X)
	}
	n, p := X.Rows, X.Cols
	bm := &binMapper{edges: make([][]float64, p), offset: make([]int, p+1)}
	out := make([]uint8, n*p)
	var s radixSorter
	vals := make([]float64, 0, n)
	for f := range p {
		s.reset()
		for i := range n {
			if v := X.Data[i*p+f]; !math.IsNaN(v) {
				s.add(v, int32(i))
			}
		}
		keys, rows := s.sort()
		vals = vals[:len(keys)]
		for k, key := range keys {
			vals[k] = fromOrderedKey(key)
		}
		e := edges(vals, maxBins)
		bm.edges[f] = e
		bm.offset[f+1] = bm.offset[f] + len(e) + 2
		// The first edge >= v, as bin finds it, for ascending v.
		b := 0
		for k, v := range vals {
			for b < len(e) && e[b] < v {
				b++
			}
			out[int(rows[k])*p+f] = uint8(b)
		}
		nan := uint8(len(e) + 1)
		for i := range n {
			if math.IsNaN(X.Data[i*p+f]) {
				out[i*p+f] = nan
			}
		}
	}
	return bm, out
}

// orderedKey maps a float64 to a uint64 whose unsigned order is the
// float order (−0 just below +0, which compare equal anyway).
func orderedKey(v float64) uint64 {
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

func fromOrderedKey(k uint64) float64 {
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// radixSorter sorts float keys with their row numbers, least significant
// byte first, skipping the bytes every key shares. It keeps its buffers
// between columns.
type radixSorter struct {
	keys, keys2 []uint64
	rows, rows2 []int32
}

func (s *radixSorter) reset() { s.keys, s.rows = s.keys[:0], s.rows[:0] }

func (s *radixSorter) add(v float64, row int32) {
	s.keys = append(s.keys, orderedKey(v))
	s.rows = append(s.rows, row)
}

// sort returns the keys in ascending order and their rows; equal keys
// keep the order they were added in.
func (s *radixSorter) sort() ([]uint64, []int32) {
	n := len(s.keys)
	s.keys2 = slices.Grow(s.keys2[:0], n)[:n]
	s.rows2 = slices.Grow(s.rows2[:0], n)[:n]
	var counts [8][256]int
	for _, k := range s.keys {
		for d := range 8 {
			counts[d][byte(k>>(8*d))]++
		}
	}
	src, dst := s.keys, s.keys2
	srcR, dstR := s.rows, s.rows2
	for d := range 8 {
		c := &counts[d]
		if n == 0 || c[byte(src[0]>>(8*d))] == n {
			continue // every key has this byte
		}
		pos := 0
		for b := range c {
			c[b], pos = pos, pos+c[b]
		}
		shift := 8 * d
		for j, k := range src {
			b := byte(k >> shift)
			dst[c[b]] = k
			dstR[c[b]] = srcR[j]
			c[b]++
		}
		src, dst = dst, src
		srcR, dstR = dstR, srcR
	}
	s.keys, s.keys2 = src, dst
	s.rows, s.rows2 = srcR, dstR
	return src, srcR
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

// bin returns v's bin in feature f.
func (bm *binMapper) bin(f int, v float64) uint8 {
	e := bm.edges[f]
	if math.IsNaN(v) {
		return uint8(len(e) + 1)
	}
	// The first edge >= v, as slices.BinarySearch finds it, without its
	// generic NaN-aware comparisons (v is not NaN here).
	lo, hi := 0, len(e)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if e[mid] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return uint8(lo)
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
