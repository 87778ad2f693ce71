package tree

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// DecisionTree is the decision_tree family: one CART tree, like
// scikit-learn's DecisionTreeClassifier and DecisionTreeRegressor.
type DecisionTree struct{}

var (
	_ trainers.Learner        = DecisionTree{}
	_ trainers.ProbaEstimator = (*treeEstimator)(nil)
)

func init() { trainers.Register(DecisionTree{}) }

// Info declares decision_tree's parameters.
func (DecisionTree) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "decision_tree",
		Tasks: []trial.Task{trial.Classification, trial.Regression},
		Help:  "a single CART decision tree (scikit-learn DecisionTreeClassifier/Regressor)",
		Param: []trial.ParamDecl{
			criterionDecl("split quality: gini or entropy for classification, squared_error for regression; " +
				"the default gini means squared_error for regression"),
			maxDepthDecl(),
			minSamplesSplitDecl(),
			minSamplesLeafDecl(),
			maxFeaturesDecl("none", "features tried at each node: sqrt, log2, none (all) or a fraction of them"),
		},
	}
}

// New builds an unfitted tree.
func (DecisionTree) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	rule, err := parseRule(p, cfg.Task)
	if err != nil {
		return nil, fmt.Errorf("decision_tree: %w", err)
	}
	if err := checkTask(cfg); err != nil {
		return nil, fmt.Errorf("decision_tree: %w", err)
	}
	return &treeEstimator{rule: rule, cfg: cfg}, nil
}

func checkTask(cfg trainers.Config) error {
	switch cfg.Task {
	case trial.Regression:
		return nil
	case trial.Classification:
		if cfg.Classes < 1 {
			return fmt.Errorf("classification needs at least one class, got %d: %w", cfg.Classes, trial.ErrBadInput)
		}
		return nil
	}
	return fmt.Errorf("unsupported task %q: %w", cfg.Task, trial.ErrBadInput)
}

// classes returns the number of classes for a task, 0 for regression.
func classes(cfg trainers.Config) int {
	if cfg.Task == trial.Classification {
		return cfg.Classes
	}
	return 0
}

// treeEstimator is a fitted or unfitted decision tree.
type treeEstimator struct {
	rule growRule
	cfg  trainers.Config
	tree *model
}

// Fit grows the tree on all rows.
func (e *treeEstimator) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ts, err := newTrainingSet(X, y, classes(e.cfg))
	if err != nil {
		return err
	}
	g := newGrower(ts, e.rule)
	for i := range g.weight {
		g.weight[i] = 1
	}
	t, err := g.grow(ctx, rand.New(rand.NewPCG(e.cfg.Seed, 0)))
	if err != nil {
		return err
	}
	e.tree = t
	return nil
}

// Predict returns the class with the largest leaf probability (the first
// on ties), or the leaf mean for regression.
func (e *treeEstimator) Predict(X trainers.Matrix) []float64 {
	e.fitted()
	checkCols(X, e.tree.cols)
	out := make([]float64, X.Rows)
	for i := range out {
		v := e.tree.leafValue(X.Row(i))
		if e.tree.width == 1 && e.cfg.Task == trial.Regression {
			out[i] = v[0]
		} else {
			out[i] = float64(argmax(v))
		}
	}
	return out
}

// PredictProba returns the class proportions of the leaf each row reaches.
func (e *treeEstimator) PredictProba(X trainers.Matrix) trainers.Matrix {
	e.fitted()
	checkCols(X, e.tree.cols)
	out := trainers.NewMatrix(X.Rows, e.tree.width)
	for i := range X.Rows {
		copy(out.Row(i), e.tree.leafValue(X.Row(i)))
	}
	return out
}

func (e *treeEstimator) fitted() {
	if e.tree == nil {
		panic("tree: predict called before a successful Fit")
	}
}
