package boosting

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// GradientBoosting is the gradient_boosting family.
type GradientBoosting struct{}

var (
	_ trainers.Learner        = GradientBoosting{}
	_ trainers.ProbaEstimator = (*estimator)(nil)
)

func init() { trainers.Register(GradientBoosting{}) }

// Info declares gradient_boosting's parameters, with scikit-learn's
// HistGradientBoosting names and defaults.
func (GradientBoosting) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "gradient_boosting",
		Tasks: []trial.Task{trial.Classification, trial.Regression},
		Help:  "histogram-based gradient-boosted trees (scikit-learn HistGradientBoostingClassifier/Regressor)",
		Param: []trial.ParamDecl{
			{Name: "learning_rate", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 0.1,
				Help: "shrinkage applied to every leaf value"},
			{Name: "max_iter", Kind: trial.Int, Min: trial.Bound(1), Max: trial.Bound(trainers.MaxTrees), Default: 100, Budget: true,
				Help: "boosting iterations (one tree per class per iteration for more than two classes)"},
			{Name: "max_leaf_nodes", Kind: trial.Int, Min: trial.Bound(2), Default: 31,
				Help: "maximum leaves per tree"},
			{Name: "max_depth", Kind: trial.Int, Min: trial.Bound(0), Default: 0,
				Help: "maximum depth of a tree; 0 means unlimited (scikit-learn's None)"},
			{Name: "min_samples_leaf", Kind: trial.Int, Min: trial.Bound(1), Default: 20,
				Help: "minimum rows in a leaf"},
			{Name: "l2_regularization", Kind: trial.Float, Min: trial.Bound(0), Default: 0.0,
				Help: "L2 penalty on leaf values"},
			{Name: "max_bins", Kind: trial.Int, Min: trial.Bound(2), Max: trial.Bound(255), Default: 255,
				Help: "maximum bins per feature (NaN has its own bin besides)"},
			{Name: "n_jobs", Kind: trial.Int, Min: trial.Bound(1), Max: trial.Bound(trainers.MaxJobs), Default: 1,
				Help: "trees of one iteration grown in parallel (multiclass only); does not change the result"},
		},
	}
}

// New builds an unfitted model from resolved parameters.
func (GradientBoosting) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	e := &estimator{cfg: cfg}
	e.rule.learningRate, _ = p.Float("learning_rate")
	e.iters = intParam(p, "max_iter", 100)
	e.rule.maxLeaves = intParam(p, "max_leaf_nodes", 31)
	e.rule.maxDepth = intParam(p, "max_depth", 0)
	e.rule.minLeaf = intParam(p, "min_samples_leaf", 20)
	e.rule.l2, _ = p.Float("l2_regularization")
	e.rule.minHess = minHessianToSplit
	e.maxBins = intParam(p, "max_bins", 255)
	e.jobs = intParam(p, "n_jobs", 1)
	if _, ok := p["learning_rate"]; !ok {
		e.rule.learningRate = 0.1
	}
	switch {
	case !(e.rule.learningRate > 0) || math.IsInf(e.rule.learningRate, 0), e.iters < 1, e.rule.maxLeaves < 2,
		e.rule.maxDepth < 0, e.rule.minLeaf < 1, e.rule.l2 < 0, e.maxBins < 2, e.maxBins > 255, e.jobs < 1:
		return nil, fmt.Errorf("gradient_boosting: parameters out of range: %s: %w", p.Format(), trial.ErrBadInput)
	case cfg.Task == trial.Classification && cfg.Classes < 2:
		return nil, fmt.Errorf("gradient_boosting: classification needs at least 2 classes, got %d: %w", cfg.Classes, trial.ErrBadInput)
	case cfg.Task != trial.Classification && cfg.Task != trial.Regression:
		return nil, fmt.Errorf("gradient_boosting: unsupported task %q: %w", cfg.Task, trial.ErrBadInput)
	}
	return e, nil
}

func intParam(p trial.Params, name string, def int) int {
	if v, ok := p.Int(name); ok {
		return v
	}
	return def
}

// estimator is a fitted or unfitted boosted ensemble.
type estimator struct {
	cfg     trainers.Config
	rule    growRule
	iters   int
	maxBins int
	jobs    int

	cols  int
	base  []float64 // per output
	trees [][]*tree // trees[iteration][output]
}

func (e *estimator) regression() bool { return e.cfg.Task == trial.Regression }

// outputs is the number of trees per iteration: one per class for more
// than two classes, else one.
func (e *estimator) outputs() int {
	if e.regression() || e.cfg.Classes == 2 {
		return 1
	}
	return e.cfg.Classes
}

// Fit runs max_iter boosting iterations, checking ctx before each.
func (e *estimator) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := e.check(X, y); err != nil {
		return err
	}
	n, k := X.Rows, e.outputs()
	data := newBinned(X, e.maxBins, rand.New(rand.NewPCG(e.cfg.Seed, 0)))
	base := baseline(y, k, e.regression())
	raw := make([]float64, n*k)
	for i := range n {
		copy(raw[i*k:(i+1)*k], base)
	}
	grad, hess := make([]float64, n*k), make([]float64, n*k)
	growers := make([]*grower, min(e.jobs, k))
	for j := range growers {
		growers[j] = newGrower(data, e.rule, e.regression())
	}
	trees := make([][]*tree, 0, e.iters)
	for range e.iters {
		if err := ctx.Err(); err != nil {
			return err
		}
		gradients(grad, hess, raw, y, k, e.regression())
		iter := make([]*tree, k)
		var wg sync.WaitGroup
		for j, g := range growers {
			wg.Go(func() {
				for c := j; c < k; c += len(growers) {
					iter[c] = g.grow(grad[c*n:(c+1)*n], hess[c*n:(c+1)*n], raw[c:], k)
				}
			})
		}
		wg.Wait()
		trees = append(trees, iter)
	}
	e.cols, e.base, e.trees = X.Cols, base, trees
	return nil
}

func (e *estimator) check(X trainers.Matrix, y []float64) error {
	switch {
	case X.Rows == 0 || X.Cols == 0:
		return fmt.Errorf("gradient_boosting: fit: empty data (%d×%d): %w", X.Rows, X.Cols, trial.ErrBadInput)
	case len(y) != X.Rows:
		return fmt.Errorf("gradient_boosting: fit: %d rows but %d targets: %w", X.Rows, len(y), trial.ErrBadInput)
	case X.Rows > math.MaxInt32:
		return fmt.Errorf("gradient_boosting: fit: %d rows is too many: %w", X.Rows, trial.ErrBadInput)
	}
	if e.regression() {
		return nil
	}
	for i, v := range y {
		if c := int(v); float64(c) != v || c < 0 || c >= e.cfg.Classes {
			return fmt.Errorf("gradient_boosting: fit: label %v of row %d is not a class in 0..%d: %w",
				v, i, e.cfg.Classes-1, trial.ErrBadInput)
		}
	}
	return nil
}

// rawPredict returns the raw scores of X, n×outputs.
func (e *estimator) rawPredict(X trainers.Matrix) trainers.Matrix {
	if e.trees == nil {
		panic("boosting: predict called before a successful Fit")
	}
	if X.Cols != e.cols {
		panic(fmt.Sprintf("boosting: predict: X has %d columns, the model was fitted on %d", X.Cols, e.cols))
	}
	k := len(e.base)
	out := trainers.NewMatrix(X.Rows, k)
	for i := range X.Rows {
		copy(out.Row(i), e.base)
	}
	// Tree by tree, so that a tree's nodes stay in cache; every score
	// still adds its trees in order.
	for _, iter := range e.trees {
		for c, t := range iter {
			t.addTo(X, out.Data[c:], k)
		}
	}
	return out
}

// Predict returns the predicted value, or the most probable class.
func (e *estimator) Predict(X trainers.Matrix) []float64 {
	raw := e.rawPredict(X)
	out := make([]float64, X.Rows)
	k := raw.Cols
	for i := range out {
		r := raw.Row(i)
		switch {
		case e.regression():
			out[i] = r[0]
		case k == 1:
			if r[0] > 0 {
				out[i] = 1
			}
		default:
			best := 0
			for c, v := range r {
				if v > r[best] {
					best = c
				}
			}
			out[i] = float64(best)
		}
	}
	return out
}

// PredictProba returns class probabilities: the sigmoid of the raw score
// for two classes, its softmax for more.
func (e *estimator) PredictProba(X trainers.Matrix) trainers.Matrix {
	raw := e.rawPredict(X)
	if e.regression() {
		return raw
	}
	out := trainers.NewMatrix(X.Rows, e.cfg.Classes)
	for i := range X.Rows {
		if raw.Cols == 1 {
			p := sigmoid(raw.Data[i])
			out.Row(i)[0], out.Row(i)[1] = 1-p, p
			continue
		}
		softmax(out.Row(i), raw.Row(i))
	}
	return out
}
