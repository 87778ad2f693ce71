package tree

import (
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/hpsearch/hpsearch/trainers"
)

// flatTree is a fitted tree laid out for prediction: one 16-byte node per
// entry, a split's two children side by side (left at next, right at
// next+1), nodes in breadth-first order so that the top levels, which
// every walk visits, share cache lines.
//
// A leaf points to itself: its threshold is NaN, which no value is less
// than or equal to, so every row "goes right" to next+1, and next is the
// leaf's own index minus one. A walk that reaches a leaf stays there, and
// rows walked in lockstep need no test of whether each has arrived: only
// whether any of them moved (see leaves). valueAt holds, for each node,
// the offset of its value in values (leaves only).
type flatTree struct {
	nodes   []flatNode
	valueAt []int32
	values  []float64
}

type flatNode struct {
	threshold float64
	feature   int32
	next      int32
}

// flatten lays m out as a flatTree. Walks take the same path as
// model.leafValue and end at a leaf with the same value slice.
func flatten(m *model) flatTree {
	ft := flatTree{nodes: make([]flatNode, 1, len(m.feature)), valueAt: make([]int32, 1, len(m.feature)), values: m.value}
	// queue holds (model node, flat slot) pairs in breadth-first order.
	type item struct{ src, dst int32 }
	queue := []item{{0, 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		k := it.src
		if m.feature[k] < 0 {
			ft.nodes[it.dst] = flatNode{threshold: math.NaN(), feature: 0, next: it.dst - 1}
			ft.valueAt[it.dst] = m.leaf[k] * int32(m.width)
			continue
		}
		next := int32(len(ft.nodes))
		ft.nodes = append(ft.nodes, flatNode{}, flatNode{})
		ft.valueAt = append(ft.valueAt, 0, 0)
		ft.nodes[it.dst] = flatNode{threshold: m.threshold[k], feature: m.feature[k], next: next}
		queue = append(queue, item{m.left[k], next}, item{m.right[k], next + 1})
	}
	return ft
}

func flattenAll(forest []*model) []flatTree {
	out := make([]flatTree, len(forest))
	for i, m := range forest {
		out[i] = flatten(m)
	}
	return out
}

// leaf returns the offset in values of the leaf row reaches: left when
// row[feature] <= threshold, right otherwise (NaN among them).
func (t *flatTree) leaf(row []float64) int32 {
	nodes := t.nodes
	k := int32(0)
	for {
		nd := &nodes[k]
		next := nd.next + right(row[nd.feature], nd.threshold)
		if next == k {
			return t.valueAt[k]
		}
		k = next
	}
}

// leaves sets at[j] to the leaf offset of row j of the walkGroup rows of
// p values in rows, as leaf does for each. The rows go down one level per
// round until a round moves none of them. rows must hold walkGroup*p
// values and every feature of t must be below p (checkCols and flatten
// see to both); the loads are then within bounds and are not checked.
func (t *flatTree) leaves(rows []float64, p int, at *[walkGroup]int32) {
	_ = rows[walkGroup*p-1]
	nodes := unsafe.Pointer(unsafe.SliceData(t.nodes))
	base := unsafe.Pointer(unsafe.SliceData(rows))
	stride := uintptr(p) * 8
	var k [walkGroup]int32
	for {
		moved := int32(0)
		for j := range walkGroup {
			nd := (*flatNode)(unsafe.Add(nodes, uintptr(k[j])*unsafe.Sizeof(flatNode{})))
			x := *(*float64)(unsafe.Add(base, uintptr(j)*stride+uintptr(nd.feature)*8))
			next := nd.next + right(x, nd.threshold)
			moved |= next ^ k[j]
			k[j] = next
		}
		if moved == 0 {
			break
		}
	}
	for j, kj := range k {
		at[j] = t.valueAt[kj]
	}
}

// right is 1 when x goes right of threshold (x > threshold or NaN).
func right(x, threshold float64) int32 {
	r := int32(1)
	if x <= threshold {
		r = 0
	}
	return r
}

// predictBlockRows is the number of rows whose walks go tree by tree, so
// that a tree's nodes stay in cache across the rows.
const predictBlockRows = 256

// averageFlat returns, for every row of X, the mean over trees of its
// leaf values (width per row): the sums in tree order, then divided by
// the number of trees, so the bits are those of adding up tree after tree
// row by row. Blocks of rows are shared out among jobs goroutines.
func averageFlat(trees []flatTree, width int, X trainers.Matrix, jobs int) trainers.Matrix {
	out := trainers.NewMatrix(X.Rows, width)
	blocks := (X.Rows + predictBlockRows - 1) / predictBlockRows
	var next atomic.Int64
	work := func() {
		for b := int(next.Add(1) - 1); b < blocks; b = int(next.Add(1) - 1) {
			lo, hi := b*predictBlockRows, min((b+1)*predictBlockRows, X.Rows)
			averageBlock(trees, width, X, out, lo, hi)
		}
	}
	jobs = max(1, min(jobs, blocks))
	if jobs == 1 {
		work()
		return out
	}
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(work)
	}
	wg.Wait()
	return out
}

// walkGroup is the number of rows walked down a tree in lockstep: their
// node loads are independent, so their cache misses overlap.
const walkGroup = 16

func averageBlock(trees []flatTree, width int, X trainers.Matrix, out trainers.Matrix, lo, hi int) {
	p := X.Cols
	acc := out.Data[lo*width : hi*width]
	rows := X.Data[lo*p : hi*p]
	n := hi - lo
	var leaves [predictBlockRows]int32
	for ti := range trees {
		t := &trees[ti]
		i := 0
		for ; i+walkGroup <= n; i += walkGroup {
			t.leaves(rows[i*p:(i+walkGroup)*p], p, (*[walkGroup]int32)(leaves[i:i+walkGroup]))
		}
		for ; i < n; i++ {
			leaves[i] = t.leaf(rows[i*p : (i+1)*p])
		}
		if width == 1 {
			for i, off := range leaves[:n] {
				acc[i] += t.values[off]
			}
			continue
		}
		for i, off := range leaves[:n] {
			a := acc[i*width : (i+1)*width]
			for c, v := range t.values[off : int(off)+width] {
				a[c] += v
			}
		}
	}
	inv := float64(len(trees))
	for i := range acc {
		acc[i] /= inv
	}
}
