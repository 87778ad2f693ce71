package linear

import (
	"context"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
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

type ridgeModel struct {
	alpha     float64
	w         []float64
	intercept float64
}

// Fit centres X and y, so the intercept is unpenalized, and solves
// (XcᵀXc + alpha·I) w = Xcᵀyc by Cholesky.
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
	xc := mat.NewDense(n, d, nil)
	yc := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		row := X.Row(i)
		for j := range row {
			xc.Set(i, j, row[j]-xMean[j])
		}
		yc.SetVec(i, y[i]-yMean)
	}
	a := mat.NewSymDense(d, nil)
	a.SymOuterK(1, xc.T())
	for j := 0; j < d; j++ {
		a.SetSym(j, j, a.At(j, j)+m.alpha)
	}
	var b mat.VecDense
	b.MulVec(xc.T(), yc)
	var chol mat.Cholesky
	if !chol.Factorize(a) {
		return fmt.Errorf("ridge: fit: XᵀX + alpha·I is singular (alpha=%g); use alpha > 0", m.alpha)
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, &b); err != nil {
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
