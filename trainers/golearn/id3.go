package golearn

import (
	"context"
	"fmt"
	"strconv"

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
	_ trees.RuleGenerator = (*grower)(nil)
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
	schema   *schema
	root     *trees.DecisionTreeNode
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
	s := newSchema(X.Cols, m.classes, false)
	g := newGrower(ctx, s, X, y, m.minSplit, m.classes, maxLevels)
	root := g.tree()
	g.release()
	if err := ctx.Err(); err != nil {
		return err
	}
	settleMajority(root)
	m.schema, m.root = s, root
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

// Predict returns the classes golearn's tree predicts.
func (m *id3Model) Predict(X trainers.Matrix) []float64 {
	if m.root == nil {
		panic("id3: Predict before Fit")
	}
	if X.Cols != len(m.schema.features) {
		panic(fmt.Sprintf("id3: predict: %d columns, fitted on %d", X.Cols, len(m.schema.features)))
	}
	pred, err := m.root.Predict(floatFrame(m.schema, X, nil))
	if err != nil {
		panic(fmt.Sprintf("id3: predict: %v", err))
	}
	spec, err := pred.GetAttribute(m.schema.class)
	if err != nil {
		panic(fmt.Sprintf("id3: predict: %v", err))
	}
	out := make([]float64, X.Rows)
	for i := range out {
		// schema registers class c as system value c.
		out[i] = float64(base.UnpackBytesToU64(pred.Get(spec, i)))
	}
	return out
}
