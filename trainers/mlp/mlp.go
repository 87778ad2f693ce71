package mlp

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { trainers.Register(MLP{}) }

// MLP is the mlp family.
type MLP struct{}

var (
	_ trainers.Learner        = MLP{}
	_ trainers.Scaled         = MLP{}
	_ trainers.ProbaEstimator = (*model)(nil)
)

// LayerChoices are the declared hidden_layer_sizes choices.
var LayerChoices = []any{"50", "100", "200", "64,32", "100,50", "128,64", "256,128"}

// Info declares the parameters with sklearn's names and defaults.
func (MLP) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "mlp",
		Tasks: []trial.Task{trial.Classification, trial.Regression},
		Help:  "multi-layer perceptron trained with Adam (sklearn MLPClassifier/MLPRegressor)",
		Param: []trial.ParamDecl{
			{Name: "hidden_layer_sizes", Kind: trial.Categorical, Choices: LayerChoices, AlsoNumeric: true,
				Min: trial.Bound(1), Max: trial.Bound(4096), Default: "100",
				Help: `comma-separated hidden layer widths ("64,32"), or a number: one layer of that width`},
			{Name: "activation", Kind: trial.Categorical, Choices: []any{"relu", "tanh", "logistic", "identity"},
				Default: "relu", Help: "activation of the hidden layers"},
			{Name: "learning_rate_init", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 0.001,
				Help: "Adam step size"},
			{Name: "alpha", Kind: trial.Float, Min: trial.Bound(0), Default: 1e-4,
				Help: "L2 penalty on the weights"},
			{Name: "max_iter", Kind: trial.Int, Min: trial.Bound(1), Default: 200, Budget: true,
				Help: "maximum epochs"},
			{Name: "batch_size", Kind: trial.Int, Min: trial.Bound(0), Default: 0,
				Help: "mini-batch size; 0 means min(200, rows), sklearn's auto"},
			{Name: "tol", Kind: trial.Float, Min: trial.Bound(0), Default: 1e-4,
				Help: "an epoch improves if the training loss drops by more than tol"},
			{Name: "n_iter_no_change", Kind: trial.Int, Min: trial.Bound(1), Default: 10,
				Help: "stop after this many epochs without improvement"},
		},
	}
}

// DefaultScale reports that features should be standardized.
func (MLP) DefaultScale() string { return "standard" }

// New builds an unfitted network from resolved parameters.
func (MLP) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	hidden, err := ParseLayers(p["hidden_layer_sizes"])
	if err != nil {
		return nil, fmt.Errorf("mlp: hidden_layer_sizes: %w", err)
	}
	m := &model{hidden: hidden, seed: cfg.Seed, task: cfg.Task, classes: cfg.Classes}
	act, _ := p.String("activation")
	if m.act, err = parseActivation(act); err != nil {
		return nil, err
	}
	m.lr, _ = p.Float("learning_rate_init")
	m.alpha, _ = p.Float("alpha")
	m.maxIter, _ = p.Int("max_iter")
	m.batch, _ = p.Int("batch_size")
	m.tol, _ = p.Float("tol")
	m.patience, _ = p.Int("n_iter_no_change")
	switch cfg.Task {
	case trial.Classification:
		if cfg.Classes < 2 {
			return nil, fmt.Errorf("mlp: need at least 2 classes, got %d", cfg.Classes)
		}
	case trial.Regression:
	default:
		return nil, fmt.Errorf("mlp: unsupported task %q", cfg.Task)
	}
	return m, nil
}

// ParseLayers reads hidden_layer_sizes: a string of comma-separated
// positive widths, or a number (one layer).
func ParseLayers(v any) ([]int, error) {
	switch x := v.(type) {
	case string:
		var out []int
		for _, f := range strings.Split(x, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q is not a list of positive widths", x)
			}
			out = append(out, n)
		}
		return out, nil
	case int:
		if x >= 1 {
			return []int{x}, nil
		}
	case float64:
		if x >= 1 && x == math.Trunc(x) && x <= 1<<20 {
			return []int{int(x)}, nil
		}
	}
	return nil, fmt.Errorf("%v is not a layer width or a list of widths", v)
}

// model is one network, its training settings, and after Fit its weights.
type model struct {
	hidden   []int
	act      activation
	lr       float64
	alpha    float64
	maxIter  int
	batch    int
	tol      float64
	patience int
	seed     uint64
	task     trial.Task
	classes  int

	net *network
}

// Fit trains the network; see the package doc for the algorithm.
func (m *model) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY(X, y, m.task, m.classes); err != nil {
		return err
	}
	out, kind := 1, outIdentity
	if m.task == trial.Classification {
		out, kind = m.classes, outSoftmax
		if m.classes == 2 {
			out, kind = 1, outLogistic
		}
	}
	sizes := append(append([]int{X.Cols}, m.hidden...), out)
	m.net = newNetwork(sizes, m.act, kind, m.seed)
	batch := m.batch
	if batch == 0 {
		batch = 200
	}
	batch = min(batch, X.Rows)
	return m.net.train(ctx, X, y, trainSettings{
		lr: m.lr, alpha: m.alpha, epochs: m.maxIter, batch: batch, tol: m.tol, patience: m.patience,
	})
}

// Predict returns classes (argmax, or p ≥ ½ with two classes) or values.
func (m *model) Predict(X trainers.Matrix) []float64 {
	if m.net == nil {
		panic("mlp: Predict before Fit")
	}
	outs := m.net.forwardAll(X)
	res := make([]float64, X.Rows)
	k := outs.Cols
	for i := range res {
		row := outs.Data[i*k : (i+1)*k]
		switch {
		case m.task == trial.Regression:
			res[i] = row[0]
		case k == 1:
			if row[0] > 0.5 {
				res[i] = 1
			}
		default:
			best := 0
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
			res[i] = float64(best)
		}
	}
	return res
}

// PredictProba returns class probabilities; it panics for regression.
func (m *model) PredictProba(X trainers.Matrix) trainers.Matrix {
	if m.task != trial.Classification {
		panic("mlp: PredictProba on a regression model")
	}
	if m.net == nil {
		panic("mlp: PredictProba before Fit")
	}
	outs := m.net.forwardAll(X)
	if outs.Cols > 1 {
		return trainers.Matrix{Rows: X.Rows, Cols: outs.Cols, Data: outs.Data}
	}
	res := trainers.NewMatrix(X.Rows, 2)
	for i := 0; i < X.Rows; i++ {
		res.Data[2*i+1] = outs.Data[i]
		res.Data[2*i] = 1 - outs.Data[i]
	}
	return res
}

func checkXY(X trainers.Matrix, y []float64, task trial.Task, classes int) error {
	if X.Rows == 0 || X.Cols == 0 {
		return fmt.Errorf("mlp: fit: empty training set (%d×%d)", X.Rows, X.Cols)
	}
	if len(y) != X.Rows {
		return fmt.Errorf("mlp: fit: %d rows but %d targets", X.Rows, len(y))
	}
	for i, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("mlp: fit: non-finite feature at row %d, column %d", i/X.Cols, i%X.Cols)
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("mlp: fit: non-finite target at row %d", i)
		}
		if task == trial.Classification && (v != math.Trunc(v) || v < 0 || int(v) >= classes) {
			return fmt.Errorf("mlp: fit: label %v at row %d is not a class in [0, %d)", v, i, classes)
		}
	}
	return nil
}
