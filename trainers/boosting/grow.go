package boosting

import (
	"math/rand/v2"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
)

// growRule holds the tree-shape parameters.
type growRule struct {
	maxLeaves int
	maxDepth  int // 0: unlimited
	limits
	learningRate float64
}

// minHessianToSplit is scikit-learn's min_hessian_to_split.
const minHessianToSplit = 1e-3

// node is a leaf of the tree being grown: its rows are
// grower.rows[start:end].
type node struct {
	id         int32
	start, end int
	depth      int
	sum        bucket
	hist       histogram // nil once the node is final
	split      splitInfo
}

// binned is a training set cut into bins, shared read-only by the
// growers of one Fit.
type binned struct {
	rows []uint8 // row-major, p per row: histograms read a row at a time
	cols []uint8 // column-major, n per feature: partitions read a column
	n, p int
	bm   *binMapper
	// rootCounts is the root's row count per bucket (countRoot), the same
	// for every tree.
	rootCounts []int
}

func newBinned(X trainers.Matrix, maxBins int, rng *rand.Rand) *binned {
	n, p := X.Rows, X.Cols
	bm, rows := binColumns(X, maxBins, rng)
	d := &binned{rows: rows, cols: make([]uint8, n*p), n: n, p: p, bm: bm}
	for i := range n {
		for f, b := range d.rows[i*p : i*p+p] {
			d.cols[f*n+i] = b
		}
	}
	d.rootCounts = countRoot(d.rows, p, bm.offset)
	return d
}

// grower grows trees on one binned training set. It keeps its buffers
// between trees and is not safe for concurrent use; give each goroutine
// its own.
type grower struct {
	data *binned
	bm   *binMapper
	// unitHess says every hessian is 1 (squared error): histograms
	// then sum counts instead of hessians.
	unitHess bool
	rule     growRule
	inv      []float64 // with unitHess, reciprocals for bestSplit
	rows     []int32   // rows of each node are contiguous
	tmp      []int32
	pool     []histogram
	open     []*node
	leaves   []*node
}

func newGrower(data *binned, rule growRule, unitHess bool) *grower {
	g := &grower{
		data: data, bm: data.bm, unitHess: unitHess, rule: rule,
		rows: make([]int32, data.n), tmp: make([]int32, data.n),
	}
	if unitHess {
		g.inv = reciprocals(data.n, rule.l2)
	}
	return g
}

func (g *grower) getHist() histogram {
	if k := len(g.pool); k > 0 {
		h := g.pool[k-1]
		g.pool = g.pool[:k-1]
		clear(h)
		return h
	}
	return make(histogram, g.bm.offset[g.data.p])
}

func (g *grower) putHist(n *node) {
	if n.hist != nil {
		g.pool = append(g.pool, n.hist)
		n.hist = nil
	}
}

// grow fits one tree to the gradients and hessians, adds its scaled leaf
// values to raw[i*stride] for every training row i, and returns it.
func (g *grower) grow(grad, hess, raw []float64, stride int) *tree {
	t := &tree{}
	for i := range g.rows {
		g.rows[i] = int32(i)
	}
	root := &node{id: t.addNode(), end: len(g.rows)}
	for _, i := range g.rows {
		root.sum.g += grad[i]
		root.sum.h += hess[i]
	}
	root.sum.n = len(g.rows)
	root.hist = g.getHist()
	root.hist.buildRoot(g.rows, g.data.rows, g.data.p, g.bm.offset, grad, hess, g.unitHess, g.data.rootCounts)
	g.open, g.leaves = g.open[:0], g.leaves[:0]
	g.consider(root, nil)
	for nLeaves := 1; len(g.open) > 0; nLeaves++ {
		if nLeaves >= g.rule.maxLeaves {
			for _, n := range g.open {
				g.finish(n)
			}
			g.open = g.open[:0]
			break
		}
		k := 0
		for j, n := range g.open {
			if n.split.gain > g.open[k].split.gain {
				k = j
			}
		}
		n := g.open[k]
		g.open = slices.Delete(g.open, k, k+1)
		g.splitNode(t, n, grad, hess, nLeaves+1 >= g.rule.maxLeaves)
	}
	for _, n := range g.leaves {
		v := -g.rule.learningRate * n.sum.g / (n.sum.h + g.rule.l2 + 1e-15)
		t.nodes[n.id].value = v
		for _, i := range g.rows[n.start:n.end] {
			raw[int(i)*stride] += v
		}
	}
	return t
}

// splittable says whether n's depth and row count allow a split.
func (g *grower) splittable(n *node) bool {
	r := g.rule
	return !(r.maxDepth > 0 && n.depth >= r.maxDepth) && n.sum.n >= 2*r.minLeaf
}

// consider finds n's best split and queues n, or makes it a leaf. sub,
// when not nil, is subtracted from n.hist during the scan (see
// bestSplit): until then n.hist holds the parent's sums, which is harmless
// if n becomes a leaf without a scan, its histogram only going back to
// the pool.
func (g *grower) consider(n *node, sub histogram) {
	r := g.rule
	if !g.splittable(n) {
		g.finish(n)
		return
	}
	n.split = n.hist.bestSplit(n.sum, g.bm.offset, r.limits, g.inv, sub)
	if n.split.feature < 0 {
		g.finish(n)
		return
	}
	g.open = append(g.open, n)
}

func (g *grower) finish(n *node) {
	g.putHist(n)
	g.leaves = append(g.leaves, n)
}

// splitNode partitions n's rows by its split and considers both
// children; last says the children will be leaves whatever they hold.
func (g *grower) splitNode(t *tree, n *node, grad, hess []float64, last bool) {
	s := n.split
	t.nodes[n.id].feature = int32(s.feature)
	t.nodes[n.id].threshold = g.bm.threshold(s.feature, s.bin)
	seg := g.rows[n.start:n.end]
	l, r := 0, 0
	// Branch-free: a split's sides are unpredictable row by row, so
	// every row is written to both sides and only one index advances.
	tmp := g.tmp[:len(seg)]
	col := g.data.cols[s.feature*g.data.n : (s.feature+1)*g.data.n]
	for _, i := range seg {
		left := 0
		if col[i] <= s.bin {
			left = 1
		}
		seg[l] = i
		tmp[r] = i
		l += left
		r += 1 - left
	}
	copy(seg[l:], g.tmp[:r])
	right := bucket{g: n.sum.g - s.left.g, h: n.sum.h - s.left.h, n: n.sum.n - s.left.n}
	lc := &node{id: t.addNode(), start: n.start, end: n.start + l, depth: n.depth + 1, sum: s.left}
	rc := &node{id: t.addNode(), start: n.start + l, end: n.end, depth: n.depth + 1, sum: right}
	t.nodes[n.id].next = [2]int32{lc.id, rc.id}
	t.depth = max(t.depth, n.depth+1)
	if last {
		g.putHist(n)
		g.finish(lc)
		g.finish(rc)
		return
	}
	small, large := lc, rc
	if rc.end-rc.start < lc.end-lc.start {
		small, large = rc, lc
	}
	if !g.splittable(large) {
		// Neither child can split (small has no more rows than large):
		// no histogram is needed.
		g.putHist(n)
		g.finish(lc)
		g.finish(rc)
		return
	}
	small.hist = g.getHist()
	small.hist.build(g.rows[small.start:small.end], g.data.rows, g.data.p, g.bm.offset, grad, hess, g.unitHess)
	large.hist, n.hist = n.hist, nil
	// large.hist becomes parent − small inside its split scan. small's
	// histogram may be back in the pool by then (if small is considered
	// first and made a leaf), but pooled histograms keep their contents
	// until getHist, which is not called before both are considered.
	sub := small.hist
	if lc == large {
		g.consider(lc, sub)
		g.consider(rc, nil)
	} else {
		g.consider(lc, nil)
		g.consider(rc, sub)
	}
}
