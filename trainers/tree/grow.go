package tree

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// featureThreshold is the smallest gap between two values that a split
// may separate, as in scikit-learn.
const featureThreshold = 1e-7

// checkEvery is how many nodes a grower builds between looks at ctx.
const checkEvery = 1024

// grower grows one tree at a time. It owns scratch space sized for the
// training set and is reused for every tree a goroutine grows; it is not
// safe for concurrent use.
type grower struct {
	ts   *trainingSet
	rule growRule
	k    int // features tried per node
	rng  *rand.Rand

	// presorted growers (k equals the number of features) keep every
	// feature's order and partition them all at each split. The others
	// keep one list of rows per node and sort it by each feature they try.
	presorted bool

	m      int       // rows in the bag
	order  []int32   // presorted: order[f*m : (f+1)*m] lists in-bag rows by feature f
	rows   []int32   // not presorted: rows[start:end] are a node's rows
	ord    []int32   // not presorted: the node's rows sorted by one feature
	keys   []uint64  // not presorted: sort keys
	counts []int32   // not presorted: counting-sort buckets
	weight []float64 // weight of each row (bootstrap count); 0 is out of bag
	goLeft []bool
	tmp    []int32
	feats  []int

	node, left, right []float64 // class weights
	tree              *model
	built             int
	ctx               context.Context
}

// split is the best split found so far at a node.
type split struct {
	feature int
	pos     int // the last left row's position in the node's range
	thr     float64
	score   float64 // criterion proxy: larger is better
}

func newGrower(ts *trainingSet, rule growRule) *grower {
	k, _ := featureCount(rule.maxFeatures, ts.p)
	g := &grower{
		ts: ts, rule: rule, k: k, presorted: presortPays(ts, k),
		weight: make([]float64, ts.n),
		goLeft: make([]bool, ts.n),
		tmp:    make([]int32, ts.n),
		feats:  make([]int, ts.p),
		node:   make([]float64, ts.outputs()),
		left:   make([]float64, ts.outputs()),
		right:  make([]float64, ts.outputs()),
	}
	for f := range g.feats {
		g.feats[f] = f
	}
	if g.presorted {
		g.order = make([]int32, ts.n*ts.p)
	} else {
		g.rows = make([]int32, ts.n)
		g.ord = make([]int32, ts.n)
		g.keys = make([]uint64, ts.n)
		g.counts = make([]int32, slices.Max(ts.distinct)+1)
	}
	return g
}

// grow fits a tree to the rows with positive g.weight, which the caller
// has filled. rng picks candidate features when max_features is below
// the number of features.
func (g *grower) grow(ctx context.Context, rng *rand.Rand) (*model, error) {
	ts := g.ts
	g.rng, g.ctx, g.built = rng, ctx, 0
	// Feature sampling permutes g.feats in place; start every tree from
	// the same order, so that a tree depends only on its own seed and not
	// on the trees this grower grew before (which differ with n_jobs).
	for f := range g.feats {
		g.feats[f] = f
	}
	if g.presorted {
		g.bagOrders()
	} else {
		g.m = 0
		for i, w := range g.weight {
			if w > 0 {
				g.rows[g.m] = int32(i)
				g.m++
			}
		}
	}
	g.tree = &model{width: ts.outputs(), cols: ts.p}
	g.build(0, g.m, 0)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return g.tree, nil
}

// build grows the subtree of the rows in positions [start, end) of every
// feature order and returns its root.
func (g *grower) build(start, end, depth int) int32 {
	id := g.tree.addNode()
	if g.built++; g.built%checkEvery == 0 && g.ctx.Err() != nil {
		return id // leaves an unfinished tree; grow reports ctx.Err
	}
	ts, r := g.ts, g.rule
	rows := g.nodeRows(start, end)
	var w, sum float64
	pure := true
	if ts.classes > 0 {
		clear(g.node)
		for _, i := range rows {
			g.node[ts.class[i]] += g.weight[i]
			w += g.weight[i]
		}
		pure = g.node[argmax(g.node)] == w
	} else {
		y0 := ts.y[rows[0]]
		for _, i := range rows {
			sum += g.weight[i] * ts.y[i]
			w += g.weight[i]
			pure = pure && ts.y[i] == y0
		}
	}
	n := end - start
	leaf := pure || (r.maxDepth > 0 && depth >= r.maxDepth) ||
		n < r.minSamplesSplit || n < 2*r.minSamplesLeaf
	var best split
	if !leaf {
		best = g.findSplit(start, end, w, sum)
		leaf = best.feature < 0
	}
	if leaf {
		t := g.tree
		t.leaf[id] = int32(len(t.value) / t.width)
		if ts.classes > 0 {
			for _, c := range g.node {
				t.value = append(t.value, c/w)
			}
		} else {
			t.value = append(t.value, sum/w)
		}
		return id
	}
	if g.presorted {
		g.partition(start, end, best)
	} else {
		g.partitionRows(start, end, best)
	}
	mid := start + best.pos + 1
	l := g.build(start, mid, depth+1)
	rt := g.build(mid, end, depth+1)
	t := g.tree
	t.feature[id], t.threshold[id], t.left[id], t.right[id] = int32(best.feature), best.thr, l, rt
	return id
}

// findSplit returns the best split of the node over up to k non-constant
// features, drawn without replacement; feature is -1 when there is none.
// Constant features do not count towards k, as in scikit-learn.
func (g *grower) findSplit(start, end int, w, sum float64) split {
	ts, m, p := g.ts, g.m, g.ts.p
	best := split{feature: -1, score: math.Inf(-1)}
	visited := 0
	for j := 0; j < p && visited < g.k; j++ {
		if g.k < p {
			s := j + g.rng.IntN(p-j)
			g.feats[j], g.feats[s] = g.feats[s], g.feats[j]
		}
		f := g.feats[j]
		var ord []int32
		if g.presorted {
			ord = g.order[f*m+start : f*m+end]
		} else {
			ord = g.sortNode(f, start, end)
		}
		x := ts.col[f*ts.n : (f+1)*ts.n]
		if x[ord[len(ord)-1]] <= x[ord[0]]+featureThreshold {
			continue
		}
		visited++
		switch g.rule.criterion {
		case gini:
			g.scanGini(f, ord, x, w, &best)
		case entropy:
			g.scanEntropy(f, ord, x, w, &best)
		default:
			g.scanSquared(f, ord, x, w, sum, &best)
		}
	}
	return best
}

// consider records a split between positions k and k+1 of ord if it
// beats best.
func consider(best *split, f, k int, ord []int32, x []float64, score float64) {
	if score <= best.score {
		return
	}
	lo, hi := x[ord[k]], x[ord[k+1]]
	thr := lo/2 + hi/2
	if thr >= hi || math.IsInf(thr, 0) {
		thr = lo
	}
	*best = split{feature: f, pos: k, thr: thr, score: score}
}

// presortPays reports whether keeping every feature presorted is cheaper
// than sorting a node's rows by each of the k features tried. Per row and
// tree level, presorting costs a partition of every feature (p), and
// sorting costs, for each tried feature, about 2 for a counting sort of
// a feature with few distinct values or log2(n) for a comparison sort.
func presortPays(ts *trainingSet, k int) bool {
	if k == ts.p {
		return true
	}
	sortCost := 0.0
	for _, d := range ts.distinct {
		if d <= ts.n/2 {
			sortCost += 2
		} else {
			sortCost += math.Log2(float64(ts.n))
		}
	}
	return float64(ts.p) < float64(k)/float64(ts.p)*sortCost
}

// nodeRows returns the node's rows in some order.
func (g *grower) nodeRows(start, end int) []int32 {
	if g.presorted {
		return g.order[start:end] // feature 0's order
	}
	return g.rows[start:end]
}

// bagOrders fills g.order with the in-bag rows of every feature's sorted
// order, at stride m.
func (g *grower) bagOrders() {
	ts := g.ts
	for f := range ts.p {
		dst := g.order[f*ts.n:]
		j := 0
		for _, i := range ts.sorted[f*ts.n : (f+1)*ts.n] {
			if g.weight[i] > 0 {
				dst[j] = i
				j++
			}
		}
		g.m = j
	}
	if g.m < ts.n {
		for f := 1; f < ts.p; f++ {
			copy(g.order[f*g.m:(f+1)*g.m], g.order[f*ts.n:f*ts.n+g.m])
		}
	}
}

// partition moves the node's rows that go left to the front of the node's
// range in every feature order, keeping each side sorted.
func (g *grower) partition(start, end int, s split) {
	m := g.m
	for k, i := range g.order[s.feature*m+start : s.feature*m+end] {
		g.goLeft[i] = k <= s.pos
	}
	for f := range g.ts.p {
		if f == s.feature {
			continue
		}
		seg := g.order[f*m+start : f*m+end]
		l, r := 0, 0
		for _, i := range seg {
			if g.goLeft[i] {
				seg[l] = i
				l++
			} else {
				g.tmp[r] = i
				r++
			}
		}
		copy(seg[l:], g.tmp[:r])
	}
}
