package linear

import (
	"context"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func init() { trainers.Register(Logistic{}) }

// Logistic is the logistic_regression family: L2-penalized multinomial
// logistic regression fitted by L-BFGS. With two classes it fits one
// weight vector with the sigmoid, as scikit-learn does.
type Logistic struct{}

var (
	_ trainers.Learner        = Logistic{}
	_ trainers.Scaled         = Logistic{}
	_ trainers.ProbaEstimator = (*logisticModel)(nil)
)

// Info declares C, max_iter (the budget) and tol.
func (Logistic) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "logistic_regression",
		Tasks: []trial.Task{trial.Classification},
		Help:  "multinomial logistic regression with L2 penalty, L-BFGS (sklearn LogisticRegression)",
		Param: []trial.ParamDecl{
			{Name: "C", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 1.0,
				Help: "inverse regularization strength: minimizes C·Σ log-loss + ½‖W‖²"},
			{Name: "max_iter", Kind: trial.Int, Min: trial.Bound(1), Default: 100, Budget: true,
				Help: "maximum L-BFGS iterations"},
			{Name: "tol", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 1e-4,
				Help: "stop when the largest gradient component of Σ loss + ‖W‖²/2C is below tol"},
		},
	}
}

// DefaultScale reports that features should be standardized.
func (Logistic) DefaultScale() string { return standard }

// New builds an unfitted model from resolved parameters.
func (Logistic) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	if err := checkClasses("logistic_regression", cfg); err != nil {
		return nil, err
	}
	c, _ := p.Float("C")
	it, _ := p.Int("max_iter")
	tol, _ := p.Float("tol")
	return &logisticModel{c: c, maxIter: it, tol: tol, classes: cfg.Classes}, nil
}

type logisticModel struct {
	c       float64
	maxIter int
	tol     float64
	classes int
	// Fitted state: k = 1 output for two classes, else one per class.
	d, k int
	w    []float64 // k×d row-major (one row per output), then k intercepts
}

// Fit minimizes Σ log-loss + ‖W‖²/(2C), sklearn 1.2's scaling of the
// same objective, so tol means what it means there.
func (m *logisticModel) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY("logistic_regression", X, y, m.classes); err != nil {
		return err
	}
	m.d, m.k = X.Cols, m.classes
	if m.k == 2 {
		m.k = 1
	}
	n, d, k := X.Rows, m.d, m.k
	labels := make([]int, n)
	for i, v := range y {
		labels[i] = int(v)
	}
	// W is k×d so both products are short dot and axpy runs over one
	// sample's features, everything in L1 cache: Z = X·Wᵀ, ∇W = Rᵀ·X.
	xs := blas64.General{Rows: n, Cols: d, Stride: d, Data: X.Data}
	z := blas64.General{Rows: n, Cols: k, Stride: k, Data: make([]float64, n*k)}
	invC := 1 / m.c
	f := func(w, grad []float64) float64 {
		wm := blas64.General{Rows: k, Cols: d, Stride: d, Data: w[:d*k]}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, xs, wm, 0, z)
		b := w[d*k:]
		gb := grad[d*k:]
		clear(gb)
		var loss float64
		for i := 0; i < n; i++ {
			zi := z.Data[i*k : (i+1)*k]
			for j := range zi {
				zi[j] += b[j]
			}
			if k == 1 { // binary: loss = log(1+e^z) - y·z, residual σ(z) - y
				t := zi[0]
				loss += logOnePlusExp(t)
				r := sigmoid(t)
				if labels[i] == 1 {
					loss -= t
					r--
				}
				zi[0] = r
			} else {
				zy := zi[labels[i]]
				loss += softmaxInPlace(zi) - zy
				zi[labels[i]]--
			}
			for j, r := range zi {
				gb[j] += r
			}
		}
		gw := blas64.General{Rows: k, Cols: d, Stride: d, Data: grad[:d*k]}
		copy(gw.Data, wm.Data)
		scale(invC, gw.Data)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, z, xs, 1, gw)
		return loss + 0.5*invC*dot(wm.Data, wm.Data)
	}
	m.w = make([]float64, d*k+k)
	_, err := lbfgs{MaxIter: m.maxIter, GTol: m.tol, Memory: 10}.minimize(ctx, f, m.w)
	return err
}

// scores writes the linear scores of row x into z (length k).
func (m *logisticModel) scores(x, z []float64) {
	if m.w == nil {
		panic("logistic_regression: Predict before Fit")
	}
	for j := range z {
		z[j] = m.w[m.d*m.k+j] + dot(x, m.w[j*m.d:(j+1)*m.d])
	}
}

// Predict returns the most probable class of each row.
func (m *logisticModel) Predict(X trainers.Matrix) []float64 {
	out := make([]float64, X.Rows)
	z := make([]float64, m.k)
	for i := range out {
		m.scores(X.Row(i), z)
		if m.k == 1 {
			if z[0] > 0 {
				out[i] = 1
			}
			continue
		}
		out[i] = float64(argmax(z))
	}
	return out
}

// PredictProba returns softmax (or sigmoid) probabilities.
func (m *logisticModel) PredictProba(X trainers.Matrix) trainers.Matrix {
	out := trainers.NewMatrix(X.Rows, m.classes)
	z := make([]float64, m.k)
	for i := 0; i < X.Rows; i++ {
		m.scores(X.Row(i), z)
		row := out.Row(i)
		if m.k == 1 {
			row[1] = sigmoid(z[0])
			row[0] = 1 - row[1]
			continue
		}
		softmaxInPlace(z)
		copy(row, z)
	}
	return out
}

func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// logOnePlusExp is log(1+e^t) without overflow.
func logOnePlusExp(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}
