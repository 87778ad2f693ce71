package golearn

import (
	"context"
	"math"
	"slices"
	"sync"

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
// fit. A column of at most 256 distinct values (pixel levels, counts,
// categories) is then held as the rank of each row's value, and the rule
// counts a node's classes per rank; any other column keeps its rows in
// sorted order, which a split partitions stably, so a node's values
// arrive sorted (id3rule.go).
type grower struct {
	ctx      context.Context
	minSplit int
	classes  int
	s        *schema
	all      *frame
	X        trainers.Matrix
	n        int
	buffers
	// levels[j] are column j's distinct values in ascending order when the
	// column is held as ranks, else nil.
	levels [][]float64
	// node is the frame of the node being grown, the only grid the rule
	// splits; lo and hi are its rows, live the columns it can split on
	// that may vary in it (constant in a node is constant below it), and
	// varied those the rule found not constant.
	node         *frame
	lo, hi       int
	live, varied []int
	// scratch for the rule: the node's class counts, the classes present
	// in the node (ascending) and the counts below and above a threshold
	counts      []int
	nodeClasses []int
	dist        [2][]int
}

// maxLevels is the most distinct values a column held as ranks can have.
const maxLevels = 256

// buffers are a grower's arrays of the training set's size.
type buffers struct {
	// rows[lo:hi] are the rows of the node at [lo, hi) and y the classes
	// by row.
	rows []int32
	y    []int32
	// For a column j held in sorted order that the node of rows [lo, hi)
	// can split on, order[j*n+lo : j*n+hi] are its rows sorted by column
	// j (ties in row order), and value and class hold their values in
	// column j and their classes, in the same order, so the rule reads
	// them in sequence.
	order []int32
	value []float64
	class []int32
	// For a column j held as ranks, rank[j*n+r] is the rank of row r's
	// value among levels[j].
	rank []uint8
	// above[r] is 1 for a row that goes to the child above the threshold;
	// tmp*, keys: scratch for partitions and sorting.
	above    []byte
	tmp      []int32
	tmpValue []float64
	tmpClass []int32
	keys     []uint64
	// terms[k] is golearn's entropy term for k of the n rows of the node
	// being split.
	terms []float64
	// hist[k*classes+c] counts the node's rows of class c at rank k, and
	// total[k] all its rows at rank k; present lists the ranks present.
	hist    []int32
	total   []int32
	present []int
}

// bufferPool keeps buffers between fits: the folds and trials of one
// data set need the same sizes, and allocating them afresh for every fit
// (2 MB for digits, 5 MB for 16,000 × 20) kept the garbage collector busy
// through the rest of the fit.
var bufferPool sync.Pool // of *buffers

// resize makes b's arrays the sizes for n rows, cols columns and classes
// classes, reusing their storage where it is large enough. Contents are
// not kept, except that hist and total are zero.
func (b *buffers) resize(n, cols, classes int) {
	b.rows = resized(b.rows, n)
	b.y = resized(b.y, n)
	b.order = resized(b.order, n*cols)
	b.value = resized(b.value, n*cols)
	b.class = resized(b.class, n*cols)
	b.rank = resized(b.rank, n*cols)
	b.above = resized(b.above, n)
	b.tmp = resized(b.tmp, n)
	b.tmpValue = resized(b.tmpValue, n)
	b.tmpClass = resized(b.tmpClass, n)
	b.keys = resized(b.keys, n)
	b.terms = resized(b.terms, n+1)
	b.hist = resized(b.hist, maxLevels*classes)
	b.total = resized(b.total, maxLevels)
	b.present = resized(b.present, maxLevels)
	clear(b.hist)
	clear(b.total)
}

func resized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// newGrower prepares to grow a tree on X and y. Columns of at most
// levels distinct values (at most maxLevels) are held as ranks.
func newGrower(ctx context.Context, s *schema, X trainers.Matrix, y []float64, minSplit, classes, levels int) *grower {
	n := X.Rows
	g := &grower{
		ctx: ctx, minSplit: minSplit, classes: classes, s: s,
		all:    floatFrame(s, X, y),
		X:      X,
		n:      n,
		levels: make([][]float64, X.Cols),
		counts: make([]int, classes),
		dist:   [2][]int{make([]int, classes), make([]int, classes)},
	}
	if b, ok := bufferPool.Get().(*buffers); ok {
		g.buffers = *b
	}
	g.buffers.resize(n, X.Cols, classes)
	for r := range n {
		g.rows[r], g.y[r] = int32(r), int32(y[r])
	}
	limit := min(levels, maxLevels)
	for j := range X.Cols {
		ord, value, class := g.order[j*n:(j+1)*n], g.value[j*n:(j+1)*n], g.class[j*n:(j+1)*n]
		for r := range n {
			value[r] = X.Data[r*X.Cols+j]
		}
		sortColumn(value, ord, g.keys, g.tmp)
		// Ranks while there are at most limit distinct values.
		rank := g.rank[j*n : (j+1)*n]
		var distinct []float64
		for k, r := range ord {
			if v := value[r]; k == 0 || v != distinct[len(distinct)-1] {
				if len(distinct) == limit {
					distinct = nil
					break
				}
				distinct = append(distinct, v)
			}
			rank[r] = uint8(len(distinct) - 1)
		}
		if distinct != nil {
			g.levels[j] = distinct
			continue
		}
		for k, r := range ord {
			g.tmpValue[k], class[k] = value[r], g.y[r]
		}
		copy(value, g.tmpValue)
	}
	return g
}

// release returns g's buffers to the pool; g is not used after.
func (g *grower) release() {
	b := g.buffers
	g.buffers = buffers{}
	bufferPool.Put(&b)
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
	return g.grow(0, g.n, cols, cols)
}

// grow makes the node of rows [lo, hi) with columns cols (ascending, at
// least one), of which live may vary, and, below it, every node golearn
// leaves open.
func (g *grower) grow(lo, hi int, cols, live []int) *trees.DecisionTreeNode {
	g.node = g.all.subset(g.rows[lo:hi], cols, make([]bool, len(g.s.features)))
	g.lo, g.hi, g.live, g.varied = lo, hi, live, g.varied[:0]
	node := trees.InferID3Tree(g.node, g)
	g.node = nil
	if node.Children == nil {
		return node
	}
	split, _ := g.s.col(node.SplitRule.SplitAttr)
	notSplit := func(j int) bool { return j == split }
	rest := slices.DeleteFunc(slices.Clone(cols), notSplit)
	restLive := slices.DeleteFunc(slices.Clone(g.varied), notSplit)
	mid := g.partition(lo, hi, restLive, split, node.SplitRule.SplitVal)
	// golearn's children: "0" for values at or below the threshold, "1"
	// above it (base.DecomposeOnNumericAttributeThreshold).
	for _, c := range []struct {
		key    string
		lo, hi int
	}{{"0", lo, mid}, {"1", mid, hi}} {
		if child := node.Children[c.key]; child != nil && child.Type != trees.LeafNode {
			node.Children[c.key] = g.grow(c.lo, c.hi, rest, restLive)
		}
	}
	return node
}

// partition reorders the node's rows in [lo, hi), and those of each
// column of cols held in sorted order, stably so that the rows with
// column split at most val come first, and returns where the others start.
func (g *grower) partition(lo, hi int, cols []int, split int, val float64) int {
	n, mid := g.n, hi
	for _, r := range g.rows[lo:hi] {
		g.above[r] = 0
		if g.X.Data[int(r)*g.X.Cols+split] > val {
			g.above[r] = 1
			mid--
		}
	}
	tmp := g.tmp[:hi-lo]
	stableSplit(g.rows[lo:hi], tmp, g.above)
	tmpValue, tmpClass := g.tmpValue[:hi-lo], g.tmpClass[:hi-lo]
	for _, j := range cols {
		if g.levels[j] != nil {
			continue
		}
		o := j*n + lo
		ord, value, class := g.order[o:o+hi-lo], g.value[o:o+hi-lo], g.class[o:o+hi-lo]
		k, m := 0, 0
		for i, r := range ord {
			a := int(g.above[r])
			v, c := value[i], class[i]
			ord[k], value[k], class[k] = r, v, c
			tmp[m], tmpValue[m], tmpClass[m] = r, v, c
			k += 1 - a
			m += a
		}
		copy(ord[k:], tmp[:m])
		copy(value[k:], tmpValue[:m])
		copy(class[k:], tmpClass[:m])
	}
	return mid
}

// stableSplit moves the rows r with above[r] == 0 to the front of rows,
// keeping the order within each part; tmp is scratch of len(rows).
func stableSplit(rows, tmp []int32, above []byte) {
	k, m := 0, 0
	for _, r := range rows {
		a := int(above[r])
		rows[k], tmp[m] = r, r
		k += 1 - a
		m += a
	}
	copy(rows[k:], tmp[:m])
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
	for _, r := range g.rows[g.lo:g.hi] {
		g.counts[g.y[r]]++
	}
	g.nodeClasses = g.nodeClasses[:0]
	for c, k := range g.counts {
		if k > 0 {
			g.nodeClasses = append(g.nodeClasses, c)
		}
	}
	// golearn's split entropy sums a term per count k of the n rows,
	// k/n·log(k/n)/log(2), written as it writes it.
	fc, ln2 := float64(n), math.Log(2)
	for k := range g.terms[:n+1] {
		g.terms[k] = float64(k) / fc * math.Log(float64(k)/fc) / ln2
	}
	best, bestEnt, bestVal := -1, math.Inf(1), 0.0
	for _, j := range g.live {
		split := g.sortedSplit
		if g.levels[j] != nil {
			split = g.levelSplit
		}
		ent, val, constant := split(j)
		if !constant {
			g.varied = append(g.varied, j)
		}
		if ent < bestEnt {
			best, bestEnt, bestVal = j, ent, val
		}
	}
	if best < 0 {
		return nil
	}
	return &trees.DecisionTreeRule{SplitAttr: g.s.features[best], SplitVal: bestVal}
}
