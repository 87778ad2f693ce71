package golearn

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/trees"
)

func init() { trainers.Register(ID3{}) }

// ID3 is the id3 family: golearn's ID3 decision tree on numeric features.
type ID3 struct{}

var (
	_ trainers.Learner    = ID3{}
	_ trainers.Estimator  = (*id3Model)(nil)
	_ trees.RuleGenerator = (*limitedGain)(nil)
)

// Info declares min_samples_split.
func (ID3) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "id3",
		Tasks: []trial.Task{trial.Classification},
		Help:  "ID3 decision tree, information gain with numeric thresholds (golearn trees.InferID3Tree)",
		Param: []trial.ParamDecl{
			{Name: "min_samples_split", Kind: trial.Int, Min: trial.Bound(2), Default: 2,
				Help: "a node with fewer rows becomes a leaf"},
		},
	}
}

// New builds an unfitted tree from resolved parameters.
func (ID3) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	if cfg.Classes < 2 {
		return nil, fmt.Errorf("id3: need at least 2 classes, got %d", cfg.Classes)
	}
	mss, _ := p.Int("min_samples_split")
	return &id3Model{minSplit: mss, classes: cfg.Classes}, nil
}

type id3Model struct {
	minSplit int
	classes  int
	schema   schema
	root     *trees.DecisionTreeNode
}

// limitedGain is golearn's information-gain rule (InformationGainRuleGenerator
// on float attributes) with a minimum node size and a stop when ctx is done:
// returning nil makes golearn close the node as a leaf.
//
// It reimplements golearn's rule rather than calling it because golearn's
// choice depends on map iteration order in three places: the candidate
// attributes come from base.AttributeDifferenceReferences (a map), so ties
// between equally good attributes went to a random one; an InstancesView
// maps rows through a map, so class indices were numbered in a random order
// and the split entropies summed in it (moving near-ties by an ulp); and the
// base entropy is summed over a map. Here the attributes are scanned in
// column order, rows in view order, classes in index order, and the first
// attribute with the lowest split entropy wins. The thresholds and the
// entropy formula are golearn's.
type limitedGain struct {
	ctx      context.Context
	minSplit int
	classes  int
	// scratch, reused across nodes
	cls  []int
	refs []splitRef
	dist [2][]int
}

type splitRef struct {
	val   float64
	class int
}

func (g *limitedGain) GenerateSplitRule(f base.FixedDataGrid) *trees.DecisionTreeRule {
	_, rows := f.Size()
	if rows < g.minSplit || g.ctx.Err() != nil {
		return nil
	}
	classAttrs := f.AllClassAttributes()
	if len(classAttrs) != 1 {
		panic("id3: grid without exactly one class attribute") // built by schema.grid
	}
	cspec, err := f.GetAttribute(classAttrs[0])
	if err != nil {
		panic(fmt.Sprintf("id3: class attribute: %v", err))
	}
	g.cls = slices.Grow(g.cls[:0], rows)[:rows]
	for i := range g.cls {
		// schema registers class c as system value c.
		g.cls[i] = int(base.UnpackBytesToU64(f.Get(cspec, i)))
	}
	var (
		best     *trees.DecisionTreeRule
		bestEnt  = math.Inf(1)
		features []base.Attribute
	)
	for _, a := range f.AllAttributes() {
		if fa, ok := a.(*base.FloatAttribute); ok {
			features = append(features, fa)
		}
	}
	// AllAttributes keeps the schema's column order for a DenseInstances
	// and for golearn's views of it; sort by name (x0, x1, ...) anyway so
	// the tie-break does not rest on that.
	slices.SortFunc(features, func(a, b base.Attribute) int { return cmp.Compare(colIndex(a), colIndex(b)) })
	for _, a := range features {
		spec, err := f.GetAttribute(a)
		if err != nil {
			panic(fmt.Sprintf("id3: attribute %s: %v", a.GetName(), err))
		}
		ent, val := g.numericSplit(f, spec, rows)
		if ent < bestEnt {
			bestEnt = ent
			best = &trees.DecisionTreeRule{SplitAttr: a, SplitVal: val}
		}
	}
	return best
}

// numericSplit is golearn's getNumericAttributeEntropy: the lowest split
// entropy over thresholds at midpoints of consecutive sorted values, and
// that threshold; +Inf when the attribute is constant at this node.
func (g *limitedGain) numericSplit(f base.FixedDataGrid, spec base.AttributeSpec, rows int) (float64, float64) {
	refs := slices.Grow(g.refs[:0], rows)[:rows]
	g.refs = refs
	for i := range refs {
		refs[i] = splitRef{base.UnpackBytesToFloat(f.Get(spec, i)), g.cls[i]}
	}
	slices.SortFunc(refs, func(a, b splitRef) int {
		if c := cmp.Compare(a.val, b.val); c != 0 {
			return c
		}
		return a.class - b.class
	})
	for k := range g.dist {
		g.dist[k] = slices.Grow(g.dist[k][:0], g.classes)[:g.classes]
		clear(g.dist[k])
	}
	for _, r := range refs {
		g.dist[1][r.class]++
	}
	minEnt, minVal := math.Inf(1), math.Inf(1)
	prevVal, prevInd := math.NaN(), 0
	for i := 0; i < len(refs)-1; {
		val := (refs[i].val + refs[i+1].val) / 2
		if val == prevVal {
			i++
			continue
		}
		for j := prevInd; j < len(refs) && refs[j].val < val; j++ {
			g.dist[0][refs[j].class]++
			g.dist[1][refs[j].class]--
			i++
			prevInd++
		}
		prevVal = val
		if e := splitEntropy(g.dist); e < minEnt {
			minEnt, minVal = e, val
		}
	}
	return minEnt, minVal
}

// splitEntropy is golearn's getSplitEntropyFast, summed in class order.
func splitEntropy(s [2][]int) float64 {
	count := 0
	for a := range s {
		for _, n := range s[a] {
			count += n
		}
	}
	ret, fc, ln2 := 0.0, float64(count), math.Log(2)
	for a := range s {
		total := 0.0
		for _, n := range s[a] {
			total += float64(n)
		}
		for _, n := range s[a] {
			if n != 0 {
				ret -= float64(n) / fc * math.Log(float64(n)/fc) / ln2
			}
		}
		ret += total / fc * math.Log(total/fc) / ln2
	}
	return ret
}

// colIndex is the column of a feature attribute named by schema ("x12").
func colIndex(a base.Attribute) int {
	j, err := strconv.Atoi(strings.TrimPrefix(a.GetName(), "x"))
	if err != nil {
		panic(fmt.Sprintf("id3: attribute %q not from schema", a.GetName()))
	}
	return j
}

// Fit grows the tree. Cancelling ctx stops the growth at the next node
// and Fit returns ctx.Err().
func (m *id3Model) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY("id3", X, y, m.classes); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.schema = newSchema(X.Cols, m.classes, false)
	inst, err := m.schema.grid(X, y, 0)
	if err != nil {
		return fmt.Errorf("id3: fit: %w", err)
	}
	root := trees.InferID3Tree(inst, &limitedGain{ctx: ctx, minSplit: m.minSplit, classes: m.classes})
	if err := ctx.Err(); err != nil {
		return err
	}
	settleMajority(root)
	m.root = root
	return nil
}

// settleMajority sets every node's class to its most frequent training
// class, the lowest index on ties, replacing golearn's map-order choice.
func settleMajority(n *trees.DecisionTreeNode) {
	best, bestCount := -1, -1
	for s, count := range n.ClassDist {
		c, err := strconv.Atoi(s)
		if err != nil {
			continue
		}
		if count > bestCount || count == bestCount && c < best {
			best, bestCount = c, count
		}
	}
	if best >= 0 {
		n.Class = strconv.Itoa(best)
	}
	for _, child := range n.Children {
		settleMajority(child)
	}
}

// Predict returns the tree's classes.
func (m *id3Model) Predict(X trainers.Matrix) []float64 {
	if m.root == nil {
		panic("id3: Predict before Fit")
	}
	inst, err := m.schema.grid(X, nil, 0)
	if err != nil {
		panic(fmt.Sprintf("id3: predict: %v", err)) // same schema as Fit: cannot fail
	}
	pred, err := m.root.Predict(inst)
	if err != nil {
		panic(fmt.Sprintf("id3: predict: %v", err))
	}
	out, err := classes(pred, X.Rows)
	if err != nil {
		panic(fmt.Sprintf("id3: predict: %v", err))
	}
	return out
}
