package trainers

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/hpsearch/hpsearch/trial"
)

// Matrix is a dense row-major matrix of float64: element (i, j) is
// Data[i*Cols+j]. Trainers must treat a Matrix they are given as read-only:
// the worker shares one dataset between all trials of a process.
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// Row returns row i, aliasing m.Data.
func (m Matrix) Row(i int) []float64 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// At returns element (i, j).
func (m Matrix) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// NewMatrix allocates a zeroed rows×cols matrix.
func NewMatrix(rows, cols int) Matrix {
	return Matrix{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
}

// Bounds on the parameters that size what a trainer allocates before it
// has trained anything, declared as their ParamDecl.Max so that spec
// validation, `hpsearch models` and Resolve (locally and in Lambda) all
// apply them. Parameters whose memory is bounded by the data instead
// (n_neighbors, batch_size, max_leaf_nodes, max_depth) have no such bound.
const (
	// MaxTrees bounds random_forest's n_estimators and
	// gradient_boosting's max_iter: one tree (or one per class) each.
	MaxTrees = 10_000
	// MaxJobs bounds n_jobs: each job keeps its own working copy of the
	// training rows.
	MaxJobs = 64
)

// Config is what a Learner needs besides its parameters to build an
// estimator.
type Config struct {
	Task trial.Task
	// Classes is the number of classes for classification; labels are
	// 0..Classes-1 stored as float64.
	Classes int
	// Seed seeds all randomness of the estimator. The same parameters,
	// seed and data must give the same predictions, whatever NJobs is.
	Seed uint64
}

// Estimator is one model being fitted and used for prediction. It is not
// safe for concurrent use; every fold gets its own.
type Estimator interface {
	// Fit trains on X (rows are samples) and y (class indices for
	// classification, values for regression). It returns early with
	// ctx.Err() when ctx is cancelled, checking at least once per
	// iteration, tree or epoch.
	Fit(ctx context.Context, X Matrix, y []float64) error
	// Predict returns one prediction per row of X: a class index for
	// classification, a value for regression.
	Predict(X Matrix) []float64
}

// ProbaEstimator is a classifier that can also predict class
// probabilities: a X.Rows×Classes matrix whose rows sum to 1.
type ProbaEstimator interface {
	Estimator
	PredictProba(X Matrix) Matrix
}

// Family is any model family: it declares its parameters.
type Family interface {
	Info() trial.ModelInfo
}

// Learner is a model family trained on data.
type Learner interface {
	Family
	// New builds an unfitted estimator from complete, validated
	// parameters (see Resolve).
	New(p trial.Params, cfg Config) (Estimator, error)
}

// Objective is a standard test function that needs no dataset (branin,
// hartmann6, rosenbrock, noop). Its score is the function's value, to be
// minimized.
type Objective interface {
	Family
	Evaluate(ctx context.Context, p trial.Params) (float64, error)
}

// Scaled is implemented by families that want features standardized by
// default (knn, linear models, mlp).
type Scaled interface {
	DefaultScale() string
}

var (
	mu       sync.RWMutex
	registry = map[string]Family{}
)

// Register adds a family. It panics on a duplicate name: that is a
// programming error, found at start-up.
func Register(f Family) {
	mu.Lock()
	defer mu.Unlock()
	name := f.Info().Name
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("trainers: model %q registered twice", name))
	}
	registry[name] = f
}

// Lookup returns the named family.
func Lookup(name string) (Family, bool) {
	mu.RLock()
	defer mu.RUnlock()
	f, ok := registry[name]
	return f, ok
}

// Names returns the registered model names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Catalog is the registry seen as a trial.Catalog, for spec validation.
var Catalog trial.Catalog = catalog{}

type catalog struct{}

func (catalog) Model(name string) (trial.ModelInfo, bool) {
	f, ok := Lookup(name)
	if !ok {
		return trial.ModelInfo{}, false
	}
	return f.Info(), true
}

func (catalog) Models() []trial.ModelInfo {
	var out []trial.ModelInfo
	for _, n := range Names() {
		f, _ := Lookup(n)
		out = append(out, f.Info())
	}
	return out
}

// DataChecker is implemented by families with parameters whose valid range
// depends on the data (knn's n_neighbors cannot exceed the rows of a
// training fold). The CLI calls CheckData for every value a spec may
// give a parameter, once the dataset is loaded, so such a value is refused
// before any trial runs. It returns nil for parameters it does not check.
type DataChecker interface {
	CheckData(param string, value any, trainRows int) error
}
