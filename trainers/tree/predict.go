package tree

import (
	"sync"
	"sync/atomic"

	"github.com/hpsearch/hpsearch/trainers"
)

// flatTree is a fitted tree laid out for prediction: one 16-byte node per
// entry, a split's two children side by side (left at next, right at
// next+1), nodes in breadth-first order so that the top levels, which
// every walk visits, share cache lines. A leaf has feature -1 and next
// the offset of its value in values.
type flatTree struct {
	nodes  []flatNode
	values []float64
}

type flatNode struct {
	threshold float64
	feature   int32
	next      int32
}

// flatten lays m out as a flatTree. Walks take the same path as
// model.leafValue and end at a leaf with the same value slice.
func flatten(m *model) flatTree {
	ft := flatTree{nodes: make([]flatNode, 1, len(m.feature)), values: m.value}
	// queue holds (model node, flat slot) pairs in breadth-first order.
	type item struct{ src, dst int32 }
	queue := []item{{0, 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		k := it.src
		if m.feature[k] < 0 {
			ft.nodes[it.dst] = flatNode{feature: -1, next: m.leaf[k] * int32(m.width)}
			continue
		}
		next := int32(len(ft.nodes))
		ft.nodes = append(ft.nodes, flatNode{}, flatNode{})
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
		if nd.feature < 0 {
			return nd.next
		}
		k = nd.next
		if !(row[nd.feature] <= nd.threshold) {
			k++
		}
	}
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

func averageBlock(trees []flatTree, width int, X trainers.Matrix, out trainers.Matrix, lo, hi int) {
	p := X.Cols
	acc := out.Data[lo*width : hi*width]
	rows := X.Data[lo*p : hi*p]
	n := hi - lo
	for ti := range trees {
		t := &trees[ti]
		if width == 1 {
			for i := range n {
				acc[i] += t.values[t.leaf(rows[i*p:(i+1)*p])]
			}
			continue
		}
		for i := range n {
			off := t.leaf(rows[i*p : (i+1)*p])
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
