package knn

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/dense"
	"github.com/hpsearch/hpsearch/trial"
)

// ErrTooFewRows is returned by Fit when there are fewer training rows than
// neighbours to consult.
var ErrTooFewRows = errors.New("knn: fewer training rows than n_neighbors")

// Family is the knn model family. It wants standardized features by
// default: distances on raw columns are dominated by the widest one.
type Family struct{}

var (
	_ trainers.Learner        = Family{}
	_ trainers.Scaled         = Family{}
	_ trainers.ProbaEstimator = (*Estimator)(nil)
)

func init() { trainers.Register(Family{}) }

// Info declares n_neighbors, weights and p as scikit-learn names them.
func (Family) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "knn",
		Tasks: []trial.Task{trial.Classification, trial.Regression},
		Help:  "k-nearest neighbours (scikit-learn KNeighborsClassifier/Regressor, brute force)",
		Param: []trial.ParamDecl{
			{Name: "n_neighbors", Kind: trial.Int, Min: trial.Bound(1), Default: 5,
				Help: "number of neighbours consulted"},
			{Name: "weights", Kind: trial.Categorical, Choices: []any{"uniform", "distance"}, Default: "uniform",
				Help: "uniform votes, or votes weighted by 1/distance (exact matches take all the weight)"},
			{Name: "p", Kind: trial.Categorical, Choices: []any{1, 2}, Default: 2,
				Help: "Minkowski power: 1 for Manhattan, 2 for Euclidean distance"},
		},
	}
}

// DefaultScale is "standard".
func (Family) DefaultScale() string { return "standard" }

// New returns an unfitted estimator for parameters that passed
// trainers.Resolve.
func (Family) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	k, ok := p.Int("n_neighbors")
	if !ok || k < 1 {
		return nil, fmt.Errorf("knn: n_neighbors %v is not an integer >= 1", p["n_neighbors"])
	}
	w, _ := p.String("weights")
	if w != "uniform" && w != "distance" {
		return nil, fmt.Errorf("knn: weights %v is not uniform or distance", p["weights"])
	}
	pow, ok := p.Int("p")
	if !ok || (pow != 1 && pow != 2) {
		return nil, fmt.Errorf("knn: p %v is not 1 or 2", p["p"])
	}
	switch {
	case cfg.Task == trial.Classification && cfg.Classes < 1:
		return nil, fmt.Errorf("knn: classification with %d classes", cfg.Classes)
	case cfg.Task != trial.Classification && cfg.Task != trial.Regression:
		return nil, fmt.Errorf("knn: unsupported task %q", cfg.Task)
	}
	return &Estimator{k: k, distance: w == "distance", p: pow, task: cfg.Task, classes: cfg.Classes}, nil
}

// Estimator is a fitted knn model: the training rows themselves. It keeps
// a reference to the matrix given to Fit, which must stay unchanged (as
// every trainers.Matrix does). Predict and PredictProba are safe for
// concurrent use once Fit has returned.
type Estimator struct {
	k        int
	distance bool
	p        int
	task     trial.Task
	classes  int

	x      trainers.Matrix
	y      []float64
	packed *dense.Packed // the training rows, transposed and packed for the distance kernels
	norms  []float64     // squared norm of each training row, for p = 2
}

// Fit stores the training rows, packed for the distance kernels, and, for
// Euclidean distance, their squared norms. It fails when X has fewer rows
// than n_neighbors.
func (e *Estimator) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(y) != X.Rows || len(X.Data) != X.Rows*X.Cols {
		return fmt.Errorf("knn: fit: %d targets for a %dx%d matrix with %d cells", len(y), X.Rows, X.Cols, len(X.Data))
	}
	if X.Rows < e.k {
		return fmt.Errorf("%w: %d rows, n_neighbors=%d", ErrTooFewRows, X.Rows, e.k)
	}
	if e.task == trial.Classification {
		for i, v := range y {
			if v != math.Trunc(v) || v < 0 || int(v) >= e.classes {
				return fmt.Errorf("knn: fit: label %v of row %d is not a class index below %d", v, i, e.classes)
			}
		}
	}
	e.x, e.y = X, y
	e.packed = dense.PackRight(true, X.Cols, X.Rows, X.Data, X.Cols)
	e.norms = nil
	if e.p == 2 {
		e.norms = rowNorms(X)
	}
	return nil
}

// Predict returns the majority class (the lowest on a tie) or the mean
// target of each row's neighbours, weighted as declared.
func (e *Estimator) Predict(X trainers.Matrix) []float64 {
	out := make([]float64, X.Rows)
	if e.task == trial.Regression {
		e.search(X, func(i int, nb []neighbor) {
			var num, den float64
			for _, n := range nb {
				num += n.w * e.y[n.j]
				den += n.w
			}
			out[i] = num / den
		})
		return out
	}
	votes := make([]float64, e.classes)
	e.search(X, func(i int, nb []neighbor) {
		e.vote(votes, nb)
		best := 0
		for c, v := range votes {
			if v > votes[best] {
				best = c
			}
		}
		out[i] = float64(best)
	})
	return out
}

// PredictProba returns, for each row, the share of its neighbours' votes
// that each class received. It panics for a regression model.
func (e *Estimator) PredictProba(X trainers.Matrix) trainers.Matrix {
	if e.task != trial.Classification {
		panic("knn: PredictProba on a regression model")
	}
	out := trainers.NewMatrix(X.Rows, e.classes)
	e.search(X, func(i int, nb []neighbor) {
		row := out.Row(i)
		e.vote(row, nb)
		var sum float64
		for _, v := range row {
			sum += v
		}
		for c := range row {
			row[c] /= sum
		}
	})
	return out
}

// vote sets votes[c] to the summed weight of the neighbours of class c.
func (e *Estimator) vote(votes []float64, nb []neighbor) {
	clear(votes)
	for _, n := range nb {
		votes[int(e.y[n.j])] += n.w
	}
}
