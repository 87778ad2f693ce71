package boosting

import "slices"

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

// grower grows trees on one binned training set. It keeps its buffers
// between trees and is not safe for concurrent use; give each goroutine
// its own.
type grower struct {
	bins   []uint8 // row-major, p per row
	p      int
	bm     *binMapper
	rule   growRule
	rows   []int32 // rows of each node are contiguous
	tmp    []int32
	pool   []histogram
	open   []*node
	leaves []*node
}

func newGrower(bins []uint8, n, p int, bm *binMapper, rule growRule) *grower {
	return &grower{bins: bins, p: p, bm: bm, rule: rule, rows: make([]int32, n), tmp: make([]int32, n)}
}

func (g *grower) getHist() histogram {
	if k := len(g.pool); k > 0 {
		h := g.pool[k-1]
		g.pool = g.pool[:k-1]
		clear(h)
		return h
	}
	return make(histogram, g.bm.offset[g.p])
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
	root.hist.build(g.rows, g.bins, g.p, g.bm.offset, grad, hess)
	g.open, g.leaves = g.open[:0], g.leaves[:0]
	g.consider(root)
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
		t.value[n.id] = v
		for _, i := range g.rows[n.start:n.end] {
			raw[int(i)*stride] += v
		}
	}
	return t
}

// consider finds n's best split and queues n, or makes it a leaf.
func (g *grower) consider(n *node) {
	r := g.rule
	if (r.maxDepth > 0 && n.depth >= r.maxDepth) || n.sum.n < 2*r.minLeaf {
		g.finish(n)
		return
	}
	n.split = n.hist.bestSplit(n.sum, g.bm.offset, r.limits)
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
	t.feature[n.id] = int32(s.feature)
	t.threshold[n.id] = g.bm.threshold(s.feature, s.bin)
	seg := g.rows[n.start:n.end]
	l, r := 0, 0
	for _, i := range seg {
		if g.bins[int(i)*g.p+s.feature] <= s.bin {
			seg[l] = i
			l++
		} else {
			g.tmp[r] = i
			r++
		}
	}
	copy(seg[l:], g.tmp[:r])
	right := bucket{g: n.sum.g - s.left.g, h: n.sum.h - s.left.h, n: n.sum.n - s.left.n}
	lc := &node{id: t.addNode(), start: n.start, end: n.start + l, depth: n.depth + 1, sum: s.left}
	rc := &node{id: t.addNode(), start: n.start + l, end: n.end, depth: n.depth + 1, sum: right}
	t.left[n.id], t.right[n.id] = lc.id, rc.id
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
	small.hist = g.getHist()
	small.hist.build(g.rows[small.start:small.end], g.bins, g.p, g.bm.offset, grad, hess)
	large.hist, n.hist = n.hist, nil
	large.hist.subtract(small.hist)
	g.consider(lc)
	g.consider(rc)
}
