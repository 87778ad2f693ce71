package knn

import (
	"cmp"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/dense"
)

// neighbor is one of the k nearest training rows of a query: its index j,
// its distance d (squared for p = 2 until weighted) and its vote weight w.
type neighbor struct {
	j    int
	d, w float64
}

// blockCells bounds the distance block computed at once (query rows times
// training rows), so memory stays small and the block stays in cache.
const blockCells = 1 << 16

// search finds the k nearest training rows of every row of X and calls
// visit with the query's index and its neighbours, nearest first, their
// weights set. visit must not keep nb.
func (e *Estimator) search(X trainers.Matrix, visit func(i int, nb []neighbor)) {
	if e.y == nil {
		panic("knn: predict before Fit")
	}
	if X.Cols != e.x.Cols {
		panic("knn: predicting on a matrix with a different number of columns")
	}
	n := e.x.Rows
	bq := max(1, min(X.Rows, blockCells/max(n, 1)))
	dist := make([]float64, bq*n)
	sel := newSelector(e.k)
	for lo := 0; lo < X.Rows; lo += bq {
		hi := min(lo+bq, X.Rows)
		q := trainers.Matrix{Rows: hi - lo, Cols: X.Cols, Data: X.Data[lo*X.Cols : hi*X.Cols]}
		d := dist[:q.Rows*n]
		if e.p == 2 {
			e.squaredEuclidean(q, d)
		} else {
			e.manhattan(q, d)
		}
		for i := range q.Rows {
			nb := sel.smallest(d[i*n : (i+1)*n])
			e.weigh(nb)
			visit(lo+i, nb)
		}
	}
}

// squaredEuclidean fills d (q.Rows×n) with squared distances from the
// rows of q to the training rows: ||a||² + ||b||² − 2a·b, the product
// done by dense.GemmRight. Rounding can make an exact match slightly
// negative, so values are clamped at 0.
func (e *Estimator) squaredEuclidean(q trainers.Matrix, d []float64) {
	n := e.x.Rows
	if q.Cols == 0 {
		clear(d)
		return
	}
	dense.GemmRight(false, q.Rows, -2, q.Data, q.Cols, e.packed, 0, d, n)
	for i := range q.Rows {
		var qn float64
		for _, v := range q.Row(i) {
			qn += v * v
		}
		row := d[i*n : (i+1)*n]
		for j, nj := range e.norms[:len(row)] {
			v := row[j] + qn + nj
			if v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

// manhattan fills d (q.Rows×n) with L1 distances from the rows of q to
// the training rows.
func (e *Estimator) manhattan(q trainers.Matrix, d []float64) {
	dense.L1Distances(q.Rows, q.Data, q.Cols, e.packed, d, e.x.Rows)
}

// weigh turns squared distances into distances and sets the weights:
// 1 each (uniform), or 1/d, except that when some neighbours coincide with
// the query those take weight 1 and the others 0, as in scikit-learn.
func (e *Estimator) weigh(nb []neighbor) {
	exact := false
	for i := range nb {
		if e.p == 2 {
			nb[i].d = math.Sqrt(nb[i].d)
		}
		nb[i].w = 1
		exact = exact || nb[i].d == 0
	}
	if !e.distance {
		return
	}
	for i := range nb {
		switch {
		case exact && nb[i].d == 0:
			nb[i].w = 1
		case exact:
			nb[i].w = 0
		default:
			nb[i].w = 1 / nb[i].d
		}
	}
}

func rowNorms(X trainers.Matrix) []float64 {
	out := make([]float64, X.Rows)
	for i := range X.Rows {
		var s float64
		for _, v := range X.Row(i) {
			s += v * v
		}
		out[i] = s
	}
	return out
}

// selector picks the k smallest of a row of distances, ties going to the
// lower index. Its buffer is reused from row to row.
type selector struct {
	k   int
	buf []neighbor
}

// insertionMaxK is the largest k for which a sorted buffer with insertion
// is used; beyond it a max-heap is.
const insertionMaxK = 32

func newSelector(k int) *selector {
	return &selector{k: k, buf: make([]neighbor, 0, k)}
}

// smallest returns the k nearest of d, nearest first, equal distances in
// index order. The result aliases the selector's buffer.
//
// Rows are scanned in index order and a row displaces the farthest kept
// one only when strictly nearer, so of rows tied at the k-th distance the
// earlier ones stay.
func (s *selector) smallest(d []float64) []neighbor {
	if s.k > insertionMaxK {
		return s.heapSmallest(d)
	}
	buf, k := s.buf[:0], s.k
	for j, v := range d {
		if len(buf) == k {
			if v >= buf[k-1].d {
				continue
			}
			buf = buf[:k-1]
		}
		// Insert after every kept row at distance <= v: those have lower
		// indices, so the buffer stays ordered by (distance, index).
		p := len(buf)
		for p > 0 && buf[p-1].d > v {
			p--
		}
		buf = append(buf, neighbor{})
		copy(buf[p+1:], buf[p:])
		buf[p] = neighbor{j: j, d: v}
	}
	s.buf = buf
	return buf
}

// heapSmallest keeps the k nearest in a max-heap ordered by (distance,
// index), so the root, the one evicted, is the latest of the farthest.
func (s *selector) heapSmallest(d []float64) []neighbor {
	h, k := s.buf[:0], s.k
	for j, v := range d {
		if len(h) < k {
			h = append(h, neighbor{j: j, d: v})
			siftUp(h, len(h)-1)
			continue
		}
		if v >= h[0].d {
			continue
		}
		h[0] = neighbor{j: j, d: v}
		siftDown(h, 0)
	}
	slices.SortFunc(h, func(a, b neighbor) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		return cmp.Compare(a.j, b.j)
	})
	s.buf = h
	return h
}

// after reports whether a comes after b in (distance, index) order.
func after(a, b neighbor) bool { return a.d > b.d || a.d == b.d && a.j > b.j }

func siftUp(h []neighbor, i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !after(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func siftDown(h []neighbor, i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && after(h[c+1], h[c]) {
			c++
		}
		if !after(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
