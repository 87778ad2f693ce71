package tree

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// RandomForest is the random_forest family: bagged CART trees that try a
// random subset of features at each node, like scikit-learn's
// RandomForestClassifier and RandomForestRegressor.
type RandomForest struct{}

var (
	_ trainers.Learner        = RandomForest{}
	_ trainers.ProbaEstimator = (*forestEstimator)(nil)
)

func init() { trainers.Register(RandomForest{}) }

// Info declares random_forest's parameters. max_features defaults to
// "auto", which is scikit-learn's default for each task: sqrt for
// classification and all features (1.0) for regression.
func (RandomForest) Info() trial.ModelInfo {
	mf := maxFeaturesDecl("auto", "features tried at each node: sqrt, log2, none (all), a fraction of them, "+
		"or auto: sqrt for classification and all for regression")
	mf.Choices = append(mf.Choices, "auto")
	return trial.ModelInfo{
		Name:  "random_forest",
		Tasks: []trial.Task{trial.Classification, trial.Regression},
		Help:  "a random forest of CART trees (scikit-learn RandomForestClassifier/Regressor)",
		Param: []trial.ParamDecl{
			{Name: "n_estimators", Kind: trial.Int, Min: trial.Bound(1), Max: trial.Bound(trainers.MaxTrees), Default: 100, Budget: true,
				Help: "number of trees"},
			criterionDecl("split quality: gini or entropy for classification, squared_error for regression; " +
				"the default gini means squared_error for regression"),
			maxDepthDecl(),
			minSamplesSplitDecl(),
			minSamplesLeafDecl(),
			mf,
			{Name: "bootstrap", Kind: trial.Bool, Default: true,
				Help: "grow each tree on a bootstrap sample (otherwise on all rows)"},
			{Name: "n_jobs", Kind: trial.Int, Min: trial.Bound(1), Max: trial.Bound(trainers.MaxJobs), Default: 1,
				Help: "trees grown in parallel, each with its own working copy of the rows; does not change the result"},
		},
	}
}

// New builds an unfitted forest.
func (RandomForest) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	if mf, _ := p.String("max_features"); mf == "auto" || p["max_features"] == nil {
		p = p.Clone()
		p["max_features"] = "sqrt"
		if cfg.Task == trial.Regression {
			p["max_features"] = "none"
		}
	}
	rule, err := parseRule(p, cfg.Task)
	if err != nil {
		return nil, fmt.Errorf("random_forest: %w", err)
	}
	if err := checkTask(cfg); err != nil {
		return nil, fmt.Errorf("random_forest: %w", err)
	}
	e := &forestEstimator{rule: rule, cfg: cfg, trees: intParam(p, "n_estimators", 100), jobs: intParam(p, "n_jobs", 1)}
	e.bootstrap = true
	if b, ok := p.Bool("bootstrap"); ok {
		e.bootstrap = b
	}
	if e.trees < 1 || e.jobs < 1 {
		return nil, fmt.Errorf("random_forest: n_estimators %d and n_jobs %d must be at least 1: %w", e.trees, e.jobs, trial.ErrBadInput)
	}
	return e, nil
}

// forestEstimator is a fitted or unfitted random forest.
type forestEstimator struct {
	rule      growRule
	cfg       trainers.Config
	trees     int
	jobs      int
	bootstrap bool
	forest    []*model
	flat      []flatTree // forest laid out for prediction
}

// Fit grows the trees, n_jobs at a time. Tree t depends only on the seed
// and t, so the forest does not depend on n_jobs.
func (e *forestEstimator) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ts, err := newTrainingSet(X, y, classes(e.cfg))
	if err != nil {
		return err
	}
	forest := make([]*model, e.trees)
	var next atomic.Int64
	eg, ctx := errgroup.WithContext(ctx)
	for range min(e.jobs, e.trees) {
		eg.Go(func() error {
			g := newGrower(ts, e.rule)
			for t := int(next.Add(1) - 1); t < e.trees; t = int(next.Add(1) - 1) {
				if err := ctx.Err(); err != nil {
					return err
				}
				rng := rand.New(rand.NewPCG(e.cfg.Seed, uint64(t)))
				e.sample(g.weight, rng)
				m, err := g.grow(ctx, rng)
				if err != nil {
					return err
				}
				forest[t] = m
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return err
	}
	e.forest, e.flat = forest, flattenAll(forest)
	return nil
}

// sample sets each row's weight to the number of times a bootstrap
// sample of n rows drew it, or to 1 without bootstrap.
func (e *forestEstimator) sample(weight []float64, rng *rand.Rand) {
	if !e.bootstrap {
		for i := range weight {
			weight[i] = 1
		}
		return
	}
	clear(weight)
	n := len(weight)
	for range n {
		weight[rng.IntN(n)]++
	}
}

// Predict returns the class with the largest mean probability over the
// trees (the first on ties), or the mean of the trees' predictions for
// regression.
func (e *forestEstimator) Predict(X trainers.Matrix) []float64 {
	avg := e.average(X)
	out := make([]float64, X.Rows)
	for i := range out {
		if e.cfg.Task == trial.Regression {
			out[i] = avg.Data[i]
		} else {
			out[i] = float64(argmax(avg.Row(i)))
		}
	}
	return out
}

// PredictProba returns the trees' class probabilities averaged.
func (e *forestEstimator) PredictProba(X trainers.Matrix) trainers.Matrix {
	return e.average(X)
}

// average returns the mean over the trees of each row's leaf value,
// n_jobs goroutines sharing the rows.
func (e *forestEstimator) average(X trainers.Matrix) trainers.Matrix {
	if e.forest == nil {
		panic("tree: predict called before a successful Fit")
	}
	checkCols(X, e.forest[0].cols)
	return averageFlat(e.flat, e.forest[0].width, X, e.jobs)
}
