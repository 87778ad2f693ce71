package golearn

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/sjwhitworth/golearn/base"
	"github.com/sjwhitworth/golearn/naive"
	"github.com/sjwhitworth/golearn/trees"
)

// TestID3TreeIsGolearns checks that the grower, which calls
// trees.InferID3Tree once per node on frames, with columns held as ranks
// (levels=256) or all in sorted order (levels=0), grows the tree that one
// InferID3Tree call grows on a golearn DenseInstances with the rule as it
// was written for any golearn grid (referenceRule, which reads every value
// through the grid and sorts at every node): same splits, thresholds,
// class distributions and leaves.
func TestID3TreeIsGolearns(t *testing.T) {
	sets := map[string]trainertest.Dataset{}
	for seed := range uint64(12) {
		sets[fmt.Sprintf("ties%d", seed)] = tiedData(seed, 50+int(seed)*40, 6, 3, tieValues)
		sets[fmt.Sprintf("edges%d", seed)] = tiedData(seed, 50+int(seed)*40, 5, 4, edgeValues)
	}
	for _, name := range []string{"iris", "wine", "breast_cancer", "digits"} {
		sets[name] = trainertest.LoadCSV(t, name, trial.Classification)
	}
	for name, ds := range sets {
		// The first four fifths, so the trees differ from a fit on all rows.
		n := ds.X.Rows * 4 / 5
		X := trainers.Matrix{Rows: n, Cols: ds.X.Cols, Data: ds.X.Data[:n*ds.X.Cols]}
		y := ds.Y[:n]
		for _, c := range []struct{ minSplit, levels int }{{2, maxLevels}, {10, maxLevels}, {2, 0}} {
			t.Run(fmt.Sprintf("%s/min_samples_split=%d/levels=%d", name, c.minSplit, c.levels), func(t *testing.T) {
				s := newSchema(X.Cols, ds.Classes, false)
				want := trees.InferID3Tree(denseGrid(t, s, X, y),
					&referenceRule{ctx: context.Background(), minSplit: c.minSplit, classes: ds.Classes})
				g := newGrower(context.Background(), s, X, y, c.minSplit, ds.Classes, c.levels)
				got := g.tree()
				g.release()
				settleMajority(want)
				settleMajority(got)
				if diff := treeDiff("root", got, want); diff != "" {
					t.Fatal(diff)
				}
			})
		}
	}
}

var (
	// tieValues repeat, -0 and +0 among them: many equal values, equal
	// thresholds and tied attributes.
	tieValues = []float64{-1, math.Copysign(0, -1), 0, 0.5, 2, 1e-300}
	// edgeValues make midpoints that round to an end (neighbouring
	// floats, the smallest subnormals) or overflow (the largest floats).
	edgeValues = []float64{1, math.Nextafter(1, 2), math.Nextafter(1, 0), 5e-324, -5e-324, 0,
		math.MaxFloat64, math.Nextafter(math.MaxFloat64, 0), -math.MaxFloat64, 3}
)

// tiedData is rows×cols of values drawn from values, with random
// classes.
func tiedData(seed uint64, rows, cols, classes int, values []float64) trainertest.Dataset {
	r := rand.New(rand.NewPCG(seed, 2))
	d := trainertest.Dataset{X: trainers.NewMatrix(rows, cols), Y: make([]float64, rows), Classes: classes}
	for i := range d.X.Data {
		d.X.Data[i] = values[r.IntN(len(values))]
	}
	for i := range d.Y {
		d.Y[i] = float64(r.IntN(classes))
	}
	return d
}

// treeDiff describes the first difference between two golearn trees, or
// returns "".
func treeDiff(path string, got, want *trees.DecisionTreeNode) string {
	switch {
	case got.Type != want.Type:
		return fmt.Sprintf("%s: type %v, want %v", path, got.Type, want.Type)
	case got.Class != want.Class:
		return fmt.Sprintf("%s: class %q, want %q", path, got.Class, want.Class)
	case !maps.Equal(got.ClassDist, want.ClassDist):
		return fmt.Sprintf("%s: class distribution %v, want %v", path, got.ClassDist, want.ClassDist)
	case (got.SplitRule == nil) != (want.SplitRule == nil):
		return fmt.Sprintf("%s: rule %v, want %v", path, got.SplitRule, want.SplitRule)
	case got.SplitRule != nil && (got.SplitRule.SplitVal != want.SplitRule.SplitVal ||
		(got.SplitRule.SplitAttr == nil) != (want.SplitRule.SplitAttr == nil) ||
		got.SplitRule.SplitAttr != nil && got.SplitRule.SplitAttr.GetName() != want.SplitRule.SplitAttr.GetName()):
		return fmt.Sprintf("%s: rule %v %v, want %v %v", path, got.SplitRule, got.SplitRule.SplitVal, want.SplitRule, want.SplitRule.SplitVal)
	case !slices.Equal(slices.Sorted(maps.Keys(got.Children)), slices.Sorted(maps.Keys(want.Children))):
		return fmt.Sprintf("%s: children %v, want %v", path, slices.Sorted(maps.Keys(got.Children)), slices.Sorted(maps.Keys(want.Children)))
	}
	for k, c := range want.Children {
		if d := treeDiff(path+"/"+k, got.Children[k], c); d != "" {
			return d
		}
	}
	return ""
}

// denseGrid copies X and y into a golearn DenseInstances with s's
// attributes, features first, as golearn's own code builds grids.
func denseGrid(tb testing.TB, s *schema, X trainers.Matrix, y []float64) *base.DenseInstances {
	tb.Helper()
	inst := base.NewDenseInstances()
	specs := make([]base.AttributeSpec, len(s.features))
	for j, a := range s.features {
		specs[j] = inst.AddAttribute(a)
	}
	cspec := inst.AddAttribute(s.class)
	if err := inst.AddClassAttribute(s.class); err != nil {
		tb.Fatal(err)
	}
	if err := inst.Extend(X.Rows); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			inst.Set(specs[j], i, base.PackFloatToBytes(v))
		}
		inst.Set(cspec, i, s.class.GetSysValFromString(strconv.Itoa(int(y[i]))))
	}
	return inst
}

// referenceRule is the grower's rule as written for any golearn grid: it
// reads the rows through the grid it is given (views included) and sorts
// every attribute at every node. It was the id3 adapter's rule before
// the grower.
type referenceRule struct {
	ctx      context.Context
	minSplit int
	classes  int
	cls      []int
	refs     []splitRef
	dist     [2][]int
}

type splitRef struct {
	val   float64
	class int
}

func (g *referenceRule) GenerateSplitRule(f base.FixedDataGrid) *trees.DecisionTreeRule {
	_, rows := f.Size()
	if rows < g.minSplit || g.ctx.Err() != nil {
		return nil
	}
	cspec, err := f.GetAttribute(f.AllClassAttributes()[0])
	if err != nil {
		panic(err)
	}
	g.cls = slices.Grow(g.cls[:0], rows)[:rows]
	for i := range g.cls {
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
	column := func(a base.Attribute) int {
		j, _ := strconv.Atoi(strings.TrimPrefix(a.GetName(), "x"))
		return j
	}
	slices.SortFunc(features, func(a, b base.Attribute) int { return cmp.Compare(column(a), column(b)) })
	for _, a := range features {
		spec, err := f.GetAttribute(a)
		if err != nil {
			panic(err)
		}
		ent, val := g.numericSplit(f, spec, rows)
		if ent < bestEnt {
			bestEnt = ent
			best = &trees.DecisionTreeRule{SplitAttr: a, SplitVal: val}
		}
	}
	return best
}

func (g *referenceRule) numericSplit(f base.FixedDataGrid, spec base.AttributeSpec, rows int) (float64, float64) {
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
		if e := referenceEntropy(g.dist); e < minEnt {
			minEnt, minVal = e, val
		}
	}
	return minEnt, minVal
}

// referenceEntropy is golearn's getSplitEntropyFast, summed in class order.
func referenceEntropy(s [2][]int) float64 {
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

// TestBernoulliIsGolearns checks bernoulli_nb against golearn used plainly:
// BernoulliNBClassifier fitted on a DenseInstances of the binarized rows
// and its Predict on another. The rows of "ties" repeat and take few
// values.
func TestBernoulliIsGolearns(t *testing.T) {
	sets := map[string]trainertest.Dataset{"ties": tiedData(1, 400, 6, 3, tieValues)}
	for _, name := range []string{"wine", "breast_cancer", "digits"} {
		sets[name] = trainertest.LoadCSV(t, name, trial.Classification)
	}
	for name, ds := range sets {
		t.Run(name, func(t *testing.T) {
			n := ds.X.Rows * 4 / 5
			train := trainertest.Dataset{X: trainers.Matrix{Rows: n, Cols: ds.X.Cols, Data: ds.X.Data[:n*ds.X.Cols]}, Y: ds.Y[:n], Classes: ds.Classes}
			test := trainers.Matrix{Rows: ds.X.Rows - n, Cols: ds.X.Cols, Data: ds.X.Data[n*ds.X.Cols:]}
			s := newSchema(ds.X.Cols, ds.Classes, true)
			nb := naive.NewBernoulliNBClassifier()
			if err := nb.Fit(denseBinary(t, s, train.X, train.Y)); err != nil {
				t.Fatal(err)
			}
			pred, err := nb.Predict(denseBinary(t, s, test, make([]float64, test.Rows)))
			if err != nil {
				t.Fatal(err)
			}
			got := fit(t, Bernoulli{}, trial.Params{}, train, 0).Predict(test)
			for i := range got {
				if want := base.GetClass(pred, i); strconv.Itoa(int(got[i])) != want {
					t.Fatalf("row %d: class %v, golearn's Predict says %s", i, got[i], want)
				}
			}
		})
	}
}

// denseBinary is denseGrid for binary attributes, x > 0.
func denseBinary(tb testing.TB, s *schema, X trainers.Matrix, y []float64) *base.DenseInstances {
	tb.Helper()
	inst := base.NewDenseInstances()
	specs := make([]base.AttributeSpec, len(s.features))
	for j, a := range s.features {
		specs[j] = inst.AddAttribute(a)
	}
	cspec := inst.AddAttribute(s.class)
	if err := inst.AddClassAttribute(s.class); err != nil {
		tb.Fatal(err)
	}
	if err := inst.Extend(X.Rows); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			b := []byte{0}
			if v > 0 {
				b[0] = 1
			}
			inst.Set(specs[j], i, b)
		}
		inst.Set(cspec, i, s.class.GetSysValFromString(strconv.Itoa(int(y[i]))))
	}
	return inst
}

// TestBernoulliScoresArePredictOnes checks that Predict, which scores the
// classes from golearn's learned probabilities read once after Fit, gives
// on held-out rows the class golearn's own PredictOne gives, on the same
// fitted classifier. Where they differ the two classes' scores must tie
// exactly (golearn then picks in map order); the test reports how many
// rows tied.
func TestBernoulliScoresArePredictOnes(t *testing.T) {
	sets := map[string]trainertest.Dataset{
		"ties":   tiedData(1, 400, 6, 3, tieValues),
		"binary": tiedData(2, 300, 12, 4, []float64{0, 1}),
	}
	for _, name := range []string{"iris", "wine", "breast_cancer", "digits"} {
		sets[name] = trainertest.LoadCSV(t, name, trial.Classification)
	}
	for name, ds := range sets {
		t.Run(name, func(t *testing.T) {
			n := ds.X.Rows * 4 / 5
			train := trainertest.Dataset{X: trainers.Matrix{Rows: n, Cols: ds.X.Cols, Data: ds.X.Data[:n*ds.X.Cols]}, Y: ds.Y[:n], Classes: ds.Classes}
			test := trainers.Matrix{Rows: ds.X.Rows - n, Cols: ds.X.Cols, Data: ds.X.Data[n*ds.X.Cols:]}
			m := fit(t, Bernoulli{}, trial.Params{"binarize": 0.5}, train, 0).(*bernoulliModel)
			got := m.Predict(test)
			vector := make([][]byte, test.Cols)
			bits := make([]int, test.Cols)
			ties := 0
			for i := range got {
				for j, v := range test.Row(i) {
					vector[j], bits[j] = []byte{0}, 0
					if v > 0.5 {
						vector[j], bits[j] = []byte{1}, 1
					}
				}
				want, err := strconv.Atoi(m.nb.PredictOne(vector))
				if err != nil {
					t.Fatal(err)
				}
				if int(got[i]) == want {
					continue
				}
				if a, b := classScore(m.scores, int(got[i]), bits), classScore(m.scores, want, bits); a != b {
					t.Fatalf("row %d: class %v (score %v), golearn's PredictOne says %d (score %v)", i, got[i], a, want, b)
				}
				ties++
			}
			t.Logf("%d held-out rows, %d exact ties broken differently", len(got), ties)
		})
	}
}

// classScore is the score nbScores gives class c for a row's bits.
func classScore(s *nbScores, c int, bits []int) float64 {
	k := slices.Index(s.classes, c)
	score := s.prior[k]
	for f, b := range bits {
		score += s.logs[(k*s.cols+f)*2+b]
	}
	return score
}
