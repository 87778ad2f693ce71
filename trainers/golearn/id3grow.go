package golearn

import (
	"context"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/trees"
)

// grower grows an id3 tree with golearn's trees.InferID3Tree, one node per
// call, and is the rule generator it calls: golearn's information-gain
// rule on float attributes with a minimum node size and a stop when ctx is
// done (returning nil makes golearn close the node).
//
// One call per node because golearn hands each child a view of its
// parent's grid, and a view reads every value through a map per level of
// nesting: a node at depth d paid d map lookups per value, for every
// value of every row (golearn's decomposition reads whole rows). So
// InferID3Tree is called on a frame of the node's rows, the rule declines
// to split the views it is then called with for the children, and each
// declined child is grown by its own call on a frame of its rows and the
// columns golearn left it (the parent's, less the split one). golearn
// still makes every node: its class distribution, its leaf rules (one
// class; one attribute left), its split into children and its tree; the
// tree is the one a single InferID3Tree call over the whole grid grows
// with the same rule (TestID3TreeIsGolearns).
//
// The rule reimplements golearn's InformationGainRuleGenerator rather
// than calling it because golearn's choice depends on map iteration order
// in three places: the candidate attributes come from
// base.AttributeDifferenceReferences (a map), so ties between equally good
// attributes went to a random one; a view maps rows through a map, so
// class indices were numbered in a random order and the split entropies
// summed in it (moving near-ties by an ulp); and the base entropy is
// summed over a map. Here the attributes are scanned in column order and
// classes in index order, and the first attribute with the lowest split
// entropy wins. The thresholds (midpoints of consecutive sorted values)
// and the entropy formula are golearn's. Each column is sorted once per
// fit, and a split partitions the sorted columns stably, so a node's
// values arrive sorted.
type grower struct {
	ctx      context.Context
	minSplit int
	classes  int
	s        *schema
	all      *frame
	n        int
	// x is the training matrix column-major (x[j*n+r]) and y its classes.
	x []float64
	y []int32
	// order[j*n+lo : j*n+hi] are the rows of the node at [lo, hi), sorted
	// by column j, for every column the node can split on.
	order []int32
	// scratch for partitions: above[r] is 1 for a row that goes to the
	// child above the threshold.
	above []byte
	tmp   []int32
	// node is the frame of the node being grown, the only grid the rule
	// splits; lo, hi and cols are its rows and columns.
	node   *frame
	lo, hi int
	cols   []int
	// scratch for the rule
	counts []int
	dist   [2][]int
	logs   []float64
}

func newGrower(ctx context.Context, s *schema, X trainers.Matrix, y []float64, minSplit, classes int) *grower {
	n := X.Rows
	g := &grower{
		ctx: ctx, minSplit: minSplit, classes: classes, s: s,
		all:    floatFrame(s, X, y),
		n:      n,
		x:      make([]float64, len(X.Data)),
		y:      make([]int32, n),
		order:  make([]int32, len(X.Data)),
		above:  make([]byte, n),
		tmp:    make([]int32, n),
		counts: make([]int, classes),
		dist:   [2][]int{make([]int, classes), make([]int, classes)},
		logs:   make([]float64, n+1),
	}
	for r := range n {
		g.y[r] = int32(y[r])
		for j, v := range X.Row(r) {
			g.x[j*n+r] = v
		}
	}
	keys, tmp := make([]uint64, n), make([]int32, n)
	for j := range X.Cols {
		sortColumn(g.x[j*n:(j+1)*n], g.order[j*n:(j+1)*n], keys, tmp)
	}
	return g
}

// sortColumn sets ord to the rows 0..len(xs)-1 in ascending order of xs,
// ties in row order: a stable LSD radix sort, a byte at a time, of the
// values' bits mapped to integers of the same order. Bytes that are the
// same in every value (most of them for small integers such as pixel
// levels) cost one counting pass. keys and tmp are scratch of len(xs).
func sortColumn(xs []float64, ord []int32, keys []uint64, tmp []int32) {
	var diff uint64
	for r, v := range xs {
		if v == 0 {
			v = 0 // -0 sorts with +0, as the comparisons treat it
		}
		k := math.Float64bits(v)
		if k>>63 != 0 {
			k = ^k
		} else {
			k |= 1 << 63
		}
		keys[r] = k
		diff |= k ^ keys[0]
		ord[r] = int32(r)
	}
	src, dst := ord, tmp
	for shift := 0; shift < 64; shift += 8 {
		if diff>>shift&0xff == 0 {
			continue
		}
		var count [257]int
		for _, r := range src {
			count[keys[r]>>shift&0xff+1]++
		}
		for b := 1; b < len(count); b++ {
			count[b] += count[b-1]
		}
		for _, r := range src {
			b := keys[r] >> shift & 0xff
			dst[count[b]] = r
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &ord[0] {
		copy(ord, src)
	}
}

// tree grows the whole tree.
func (g *grower) tree() *trees.DecisionTreeNode {
	cols := make([]int, len(g.s.features))
	for j := range cols {
		cols[j] = j
	}
	return g.grow(0, g.n, cols)
}

// grow makes the node of rows [lo, hi) with columns cols (ascending, at
// least one) and, below it, every node golearn leaves open.
func (g *grower) grow(lo, hi int, cols []int) *trees.DecisionTreeNode {
	rows := g.order[cols[0]*g.n+lo : cols[0]*g.n+hi]
	g.node, g.lo, g.hi, g.cols = g.all.subset(rows, cols, make([]bool, len(g.s.features))), lo, hi, cols
	node := trees.InferID3Tree(g.node, g)
	g.node = nil
	if node.Children == nil {
		return node
	}
	split, _ := g.s.col(node.SplitRule.SplitAttr)
	mid := g.partition(lo, hi, cols, split, node.SplitRule.SplitVal)
	rest := slices.DeleteFunc(slices.Clone(cols), func(j int) bool { return j == split })
	// golearn's children: "0" for values at or below the threshold, "1"
	// above it (base.DecomposeOnNumericAttributeThreshold).
	for _, c := range []struct {
		key    string
		lo, hi int
	}{{"0", lo, mid}, {"1", mid, hi}} {
		if child := node.Children[c.key]; child != nil && child.Type != trees.LeafNode {
			node.Children[c.key] = g.grow(c.lo, c.hi, rest)
		}
	}
	return node
}

// partition reorders each column's rows in [lo, hi) stably so that the
// rows with column split at most val come first, and returns where the
// others start.
func (g *grower) partition(lo, hi int, cols []int, split int, val float64) int {
	xs := g.x[split*g.n : (split+1)*g.n]
	for _, r := range g.order[split*g.n+lo : split*g.n+hi] {
		g.above[r] = 0
		if xs[r] > val {
			g.above[r] = 1
		}
	}
	mid := lo
	tmp := g.tmp[:hi-lo]
	for _, j := range cols {
		if j == split && len(cols) > 1 {
			continue // the children cannot split on it again
		}
		ord := g.order[j*g.n+lo : j*g.n+hi]
		k, m := 0, 0
		for _, r := range ord {
			a := int(g.above[r])
			ord[k], tmp[m] = r, r
			k += 1 - a
			m += a
		}
		copy(ord[k:], tmp[:m])
		mid = lo + k
	}
	return mid
}

// GenerateSplitRule is the rule for the node being grown; it declines
// every other grid (the views of its children, which grow makes nodes of
// in turn).
func (g *grower) GenerateSplitRule(f base.FixedDataGrid) *trees.DecisionTreeRule {
	if fr, ok := f.(*frame); !ok || fr != g.node {
		return nil
	}
	n := g.hi - g.lo
	if n < g.minSplit || g.ctx.Err() != nil {
		return nil
	}
	clear(g.counts)
	for _, r := range g.order[g.cols[0]*g.n+g.lo : g.cols[0]*g.n+g.hi] {
		g.counts[g.y[r]]++
	}
	// golearn's entropy takes log(k/n) of counts k out of the n rows.
	fc := float64(n)
	for k := range g.logs[:n+1] {
		g.logs[k] = math.Log(float64(k) / fc)
	}
	best, bestEnt, bestVal := -1, math.Inf(1), 0.0
	for _, j := range g.cols {
		if ent, val := g.numericSplit(j); ent < bestEnt {
			best, bestEnt, bestVal = j, ent, val
		}
	}
	if best < 0 {
		return nil
	}
	return &trees.DecisionTreeRule{SplitAttr: g.s.features[best], SplitVal: bestVal}
}

// numericSplit is golearn's getNumericAttributeEntropy: the lowest split
// entropy over thresholds at midpoints of consecutive sorted values, and
// that threshold; +Inf when no threshold leaves rows on both sides.
func (g *grower) numericSplit(j int) (float64, float64) {
	ord := g.order[j*g.n+g.lo : j*g.n+g.hi]
	xs := g.x[j*g.n : (j+1)*g.n]
	if xs[ord[0]] == xs[ord[len(ord)-1]] {
		return math.Inf(1), math.Inf(1) // constant here: no threshold has rows below it
	}
	copy(g.dist[1], g.counts)
	clear(g.dist[0])
	minEnt, minVal := math.Inf(1), math.Inf(1)
	prevVal, prevInd := math.NaN(), 0
	for i := 0; i < len(ord)-1; {
		val := (xs[ord[i]] + xs[ord[i+1]]) / 2
		if val == prevVal {
			i++
			continue
		}
		moved := false
		for ; prevInd < len(ord) && xs[ord[prevInd]] < val; prevInd++ {
			c := g.y[ord[prevInd]]
			g.dist[0][c]++
			g.dist[1][c]--
			i++
			moved = true
		}
		prevVal = val
		// Without a move the split is the last one evaluated, or has no
		// rows below (golearn's entropy is then NaN): neither wins.
		if !moved {
			continue
		}
		if e := g.splitEntropy(len(ord), prevInd); e < minEnt {
			minEnt, minVal = e, val
		}
	}
	return minEnt, minVal
}

// splitEntropy is golearn's getSplitEntropyFast, summed in class order,
// for n rows of which below are in dist[0], with log(k/n) from the node's
// table (the same values math.Log gives). The side totals are the sums
// golearn takes, exact as integers.
func (g *grower) splitEntropy(n, below int) float64 {
	ret, fc, ln2 := 0.0, float64(n), math.Log(2)
	for a, total := range [2]int{below, n - below} {
		for _, k := range g.dist[a] {
			if k != 0 {
				ret -= float64(k) / fc * g.logs[k] / ln2
			}
		}
		ret += float64(total) / fc * g.logs[total] / ln2
	}
	return ret
}
