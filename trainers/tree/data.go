package tree

import (
	"fmt"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// trainingSet is the read-only view of one fit's data that every tree of
// a forest shares: features by column, each column's rows sorted by
// value once, and the targets.
type trainingSet struct {
	n, p int
	col  []float64 // col[f*n+i] is feature f of row i
	// sorted[f*n : (f+1)*n] lists the rows by increasing feature f, ties
	// by row number.
	sorted []int32
	// code[f*n+i] ranks row i's value of feature f among the column's
	// distinct values (0 for the smallest); distinct[f] counts them.
	code     []uint32
	distinct []int
	y        []float64 // regression targets
	class    []int32   // class of each row, for classification
	classes  int       // 0 for regression
}

// newTrainingSet checks X and y and builds the sorted columns. classes is
// 0 for regression.
func newTrainingSet(X trainers.Matrix, y []float64, classes int) (*trainingSet, error) {
	n, p := X.Rows, X.Cols
	switch {
	case n == 0 || p == 0:
		return nil, fmt.Errorf("tree: fit: empty data (%d×%d): %w", n, p, trial.ErrBadInput)
	case len(y) != n:
		return nil, fmt.Errorf("tree: fit: %d rows but %d targets: %w", n, len(y), trial.ErrBadInput)
	case len(X.Data) < n*p:
		return nil, fmt.Errorf("tree: fit: matrix data holds %d values, want %d", len(X.Data), n*p)
	case n > math.MaxInt32:
		return nil, fmt.Errorf("tree: fit: %d rows is too many: %w", n, trial.ErrBadInput)
	}
	ts := &trainingSet{n: n, p: p, col: make([]float64, n*p), sorted: make([]int32, n*p), y: y, classes: classes}
	for i := range n {
		row := X.Data[i*p : (i+1)*p]
		for f, v := range row {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("tree: fit: row %d feature %d is NaN: %w", i, f, trial.ErrBadInput)
			}
			ts.col[f*n+i] = v
		}
	}
	if classes > 0 {
		ts.class = make([]int32, n)
		for i, v := range y {
			c := int(v)
			if float64(c) != v || c < 0 || c >= classes {
				return nil, fmt.Errorf("tree: fit: label %v of row %d is not a class in 0..%d: %w", v, i, classes-1, trial.ErrBadInput)
			}
			ts.class[i] = int32(c)
		}
	}
	ts.code = make([]uint32, n*p)
	ts.distinct = make([]int, p)
	vals := make([]float64, n)
	var counts []int32
	for f := range p {
		c, code := ts.col[f*n:(f+1)*n], ts.code[f*n:(f+1)*n]
		ts.distinct[f] = rankSmallInts(c, code, counts[:0])
		if ts.distinct[f] == 0 {
			vals = append(vals[:0], c...)
			slices.Sort(vals)
			vals = slices.Compact(vals)
			for i, v := range c {
				k, _ := slices.BinarySearch(vals, v)
				code[i] = uint32(k)
			}
			ts.distinct[f] = len(vals)
		}
		// Counting sort by rank keeps ties in row order.
		counts = append(counts[:0], make([]int32, ts.distinct[f]+1)...)
		for _, k := range code {
			counts[k+1]++
		}
		for k := 1; k < len(counts); k++ {
			counts[k] += counts[k-1]
		}
		ord := ts.sorted[f*n : (f+1)*n]
		for i, k := range code {
			ord[counts[k]] = int32(i)
			counts[k]++
		}
	}
	return ts, nil
}

// smallInt bounds the values rankSmallInts handles.
const smallInt = 1 << 12

// rankSmallInts ranks a column whose values are all integers in
// [0, smallInt), such as pixels or counts, without sorting, and returns
// the number of distinct values; it returns 0 for any other column.
// buf is scratch space.
func rankSmallInts(c []float64, code []uint32, buf []int32) int {
	hi := 0
	for _, v := range c {
		if !(v >= 0 && v < smallInt) || v != math.Trunc(v) {
			return 0
		}
		hi = max(hi, int(v))
	}
	rank := append(buf, make([]int32, hi+1)...)
	for _, v := range c {
		rank[int(v)] = 1
	}
	distinct := int32(0)
	for k, seen := range rank {
		rank[k] = distinct
		distinct += seen
	}
	for i, v := range c {
		code[i] = uint32(rank[int(v)])
	}
	return int(distinct)
}

// outputs is the width of a node's value: the number of classes, or 1.
func (ts *trainingSet) outputs() int { return max(ts.classes, 1) }
