package linear

import (
	"context"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/dense"
	"github.com/hpsearch/hpsearch/trial"
	"gonum.org/v1/gonum/mat"
)

func init() { trainers.Register(Ridge{}) }

// Ridge is the ridge family: least squares with an L2 penalty on the
// weights but not the intercept, like scikit-learn's Ridge.
type Ridge struct{}

var (
	_ trainers.Learner   = Ridge{}
	_ trainers.Scaled    = Ridge{}
	_ trainers.Estimator = (*ridgeModel)(nil)
)

// Info declares alpha.
func (Ridge) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "ridge",
		Tasks: []trial.Task{trial.Regression},
		Help:  "least squares with L2 penalty, closed form (sklearn Ridge)",
		Param: []trial.ParamDecl{
			{Name: "alpha", Kind: trial.Float, Min: trial.Bound(0), Default: 1.0,
				Help: "L2 penalty: minimizes ‖y - Xw - b‖² + alpha·‖w‖²; 0 is ordinary least squares"},
		},
	}
}

// DefaultScale reports that features should be standardized.
func (Ridge) DefaultScale() string { return standard }

// New builds an unfitted model from resolved parameters.
func (Ridge) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	a, _ := p.Float("alpha")
	return &ridgeModel{alpha: a}, nil
}

// ridgeBlockRows is how many centred rows Fit multiplies at a time.
const ridgeBlockRows = 512

type ridgeModel struct {
	alpha     float64
	w         []float64
	intercept float64
}

// Fit centres X and y, so the intercept is unpenalized, and solves
// (XcᵀXc + alpha·I) w = Xcᵀyc by Cholesky. Xc and yc go side by side into
// one n×(d+1) matrix A so that a single AᵀA product (the dense package's
// kernel) gives both XcᵀXc and Xcᵀyc in one pass over the data.
func (m *ridgeModel) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY("ridge", X, y, 0); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n, d := X.Rows, X.Cols
	xMean := make([]float64, d)
	var yMean float64
	for i := 0; i < n; i++ {
		axpy(1, X.Row(i), xMean)
		yMean += y[i]
	}
	scale(1/float64(n), xMean)
	yMean /= float64(n)
	// Centre blocks of rows into a small buffer that stays in cache and
	// accumulate AᵀA block by block.
	w1 := d + 1
	block := min(n, ridgeBlockRows)
	a := make([]float64, block*w1)
	g := make([]float64, w1*w1)
	for i0 := 0; i0 < n; i0 += block {
		rows := min(block, n-i0)
		for r := range rows {
			i := i0 + r
			row, ar := X.Row(i), a[r*w1:(r+1)*w1]
			for j, v := range row {
				ar[j] = v - xMean[j]
			}
			ar[d] = y[i] - yMean
		}
		dense.Gemm(true, false, w1, w1, rows, 1, a, w1, a, w1, 1, g, w1)
	}
	sym := mat.NewSymDense(d, nil)
	b := mat.NewVecDense(d, nil)
	for j := 0; j < d; j++ {
		for k := j; k < d; k++ {
			sym.SetSym(j, k, g[j*w1+k])
		}
		sym.SetSym(j, j, g[j*w1+j]+m.alpha)
		b.SetVec(j, g[j*w1+d])
	}
	var chol mat.Cholesky
	if !chol.Factorize(sym) {
		return fmt.Errorf("ridge: fit: XᵀX + alpha·I is singular (alpha=%g); use alpha > 0", m.alpha)
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, b); err != nil {
		return fmt.Errorf("ridge: fit: %w", err)
	}
	m.w = make([]float64, d)
	for j := range m.w {
		m.w[j] = w.AtVec(j)
	}
	m.intercept = yMean - dot(xMean, m.w)
	return nil
}

// Predict returns Xw + b.
func (m *ridgeModel) Predict(X trainers.Matrix) []float64 {
	if m.w == nil {
		panic("ridge: Predict before Fit")
	}
	out := make([]float64, X.Rows)
	for i := range out {
		out[i] = dot(X.Row(i), m.w) + m.intercept
	}
	return out
}
