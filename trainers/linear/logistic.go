package linear

import (
	"context"
	"math"
	"math/bits"

	"github.com/hpsearch/hpsearch/internal/fastmath"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/dense"
	"github.com/hpsearch/hpsearch/trial"
)

// scipyFTol is the relative-decrease tolerance of scipy's L-BFGS-B by
// default (factr 1e7 times machine epsilon), which scikit-learn 1.2 does
// not override: sklearn stops there, so we do too.
const scipyFTol = 1e7 * 2.220446049250313e-16

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
	// W is k×d, so Z = X·Wᵀ and ∇W = Rᵀ·X + W/C are two products with
	// the long dimension n outside. X is packed once for each of them.
	xl := dense.PackLeft(false, n, d, X.Data, d)
	xr := dense.PackRight(false, n, d, X.Data, d)
	z := make([]float64, n*k)
	invC := 1 / m.c
	f := func(w, grad []float64) float64 {
		wm, b := w[:d*k], w[d*k:]
		gw, gb := grad[:d*k], grad[d*k:]
		dense.GemmLeft(xl, true, k, 1, wm, d, 0, z, k)
		clear(gb)
		var loss float64
		if k == 1 {
			loss = binaryResiduals(z, b[0], labels, gb)
		} else {
			loss = softmaxResiduals(z, k, b, labels, gb)
		}
		for j, v := range wm {
			gw[j] = invC * v
		}
		dense.GemmRight(true, k, 1, z, k, xr, 1, gw, d)
		return loss + 0.5*invC*dot(wm, wm)
	}
	m.w = make([]float64, d*k+k)
	_, err := lbfgs{MaxIter: m.maxIter, GTol: m.tol, FTol: scipyFTol, Memory: 10}.minimize(ctx, f, m.w)
	return err
}

// binaryResiduals turns the scores z (one per row) into residuals σ(z+b)
// - y, adds them up in gb[0], and returns the summed log-loss
// log(1+e^z) - y·z.
func binaryResiduals(z []float64, b float64, labels []int, gb []float64) float64 {
	var loss, sum float64
	for i, c := range labels {
		t := z[i] + b
		loss += logOnePlusExp(t)
		r := sigmoid(t)
		if c == 1 {
			loss -= t
			r--
		}
		z[i] = r
		sum += r
	}
	gb[0] += sum
	return loss
}

// softmaxResiduals turns the scores z (n×k, row-major) into residuals
// softmax(z_i+b) - onehot(y_i), adds them up by class in gb, and returns
// the summed log-loss log Σ_j e^(z_ij+b_j) - (z_iy+b_y).
//
// The log-sum-exp of a row is its largest score plus the log of a sum
// between 1 and k. Those sums are multiplied together and the product is
// logged once per chunk of rows, small enough that it cannot overflow:
// that saves most of the calls to math.Log.
func softmaxResiduals(z []float64, k int, b []float64, labels []int, gb []float64) float64 {
	b, gb = b[:k], gb[:k]
	var loss, logs float64
	prod, inProd := 1.0, 0
	chunk := max(1, 1000/bits.Len(uint(k))) // k^chunk < 2^1000
	for i, c := range labels {
		zi := z[i*k : (i+1)*k : (i+1)*k]
		mx := math.Inf(-1)
		for j, bj := range b {
			v := zi[j] + bj
			zi[j] = v
			mx = max(mx, v)
		}
		loss += mx - zi[c]
		var s float64
		for j, v := range zi {
			e := fastmath.Exp(v - mx)
			zi[j] = e
			s += e
		}
		prod *= s
		if inProd++; inProd == chunk {
			logs += math.Log(prod)
			prod, inProd = 1, 0
		}
		inv := 1 / s
		for j, e := range zi {
			r := e * inv
			zi[j] = r
			gb[j] += r
		}
		zi[c]--
		gb[c]--
	}
	return loss + logs + math.Log(prod)
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
		return 1 / (1 + fastmath.Exp(-t))
	}
	e := fastmath.Exp(t)
	return e / (1 + e)
}

// logOnePlusExp is log(1+e^t) without overflow.
func logOnePlusExp(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(fastmath.Exp(-t))
	}
	return math.Log1p(fastmath.Exp(t))
}
