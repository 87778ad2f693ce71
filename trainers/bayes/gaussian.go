package bayes

import (
	"context"
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { trainers.Register(Gaussian{}) }

// Gaussian is the naive_bayes family.
type Gaussian struct{}

var (
	_ trainers.Learner        = Gaussian{}
	_ trainers.ProbaEstimator = (*gaussianModel)(nil)
)

// Info declares var_smoothing.
func (Gaussian) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:  "naive_bayes",
		Tasks: []trial.Task{trial.Classification},
		Help:  "Gaussian naive Bayes (sklearn GaussianNB)",
		Param: []trial.ParamDecl{
			{Name: "var_smoothing", Kind: trial.Float, Min: trial.Bound(0), Default: 1e-9,
				Help: "added to every variance, as a fraction of the largest feature variance"},
		},
	}
}

// New builds an unfitted model from resolved parameters.
func (Gaussian) New(p trial.Params, cfg trainers.Config) (trainers.Estimator, error) {
	if cfg.Classes < 2 {
		return nil, fmt.Errorf("naive_bayes: need at least 2 classes, got %d", cfg.Classes)
	}
	vs, _ := p.Float("var_smoothing")
	return &gaussianModel{smoothing: vs, classes: cfg.Classes}, nil
}

type gaussianModel struct {
	smoothing float64
	classes   int
	// Fitted, per class c: logPrior[c] (-Inf for a class absent from the
	// training data), mean and 1/variance of each feature, and the
	// constant -½Σ log(2π·var).
	d        int
	logPrior []float64
	mean     [][]float64
	invVar   [][]float64
	logNorm  []float64
}

// Fit estimates the per-class Gaussians in two passes (means, then
// variances), which is exact enough and avoids cancellation.
func (m *gaussianModel) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	if err := checkXY(X, y, m.classes); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	n, d, k := X.Rows, X.Cols, m.classes
	m.d = d
	count := make([]float64, k)
	m.mean = make([][]float64, k)
	m.invVar = make([][]float64, k)
	for c := range m.mean {
		m.mean[c] = make([]float64, d)
		m.invVar[c] = make([]float64, d) // holds the variance until the end
	}
	for i := 0; i < n; i++ {
		c := int(y[i])
		count[c]++
		for j, v := range X.Row(i) {
			m.mean[c][j] += v
		}
	}
	for c := range m.mean {
		for j := range m.mean[c] {
			m.mean[c][j] /= max(count[c], 1)
		}
	}
	for i := 0; i < n; i++ {
		c := int(y[i])
		mu, vr := m.mean[c], m.invVar[c]
		for j, v := range X.Row(i) {
			vr[j] += (v - mu[j]) * (v - mu[j])
		}
	}
	eps := m.smoothing * maxFeatureVariance(X)
	m.logPrior = make([]float64, k)
	m.logNorm = make([]float64, k)
	for c := range m.invVar {
		m.logPrior[c] = math.Log(count[c] / float64(n)) // -Inf when absent
		var norm float64
		for j, s := range m.invVar[c] {
			v := s/max(count[c], 1) + eps
			if v <= 0 {
				return fmt.Errorf("naive_bayes: fit: feature %d has zero variance in class %d; use var_smoothing > 0", j, c)
			}
			norm += math.Log(2 * math.Pi * v)
			m.invVar[c][j] = 1 / v
		}
		m.logNorm[c] = -0.5 * norm
	}
	return nil
}

// maxFeatureVariance is the largest population variance of a column.
func maxFeatureVariance(X trainers.Matrix) float64 {
	var best float64
	for j := 0; j < X.Cols; j++ {
		var mean, sq float64
		for i := 0; i < X.Rows; i++ {
			mean += X.At(i, j)
		}
		mean /= float64(X.Rows)
		for i := 0; i < X.Rows; i++ {
			d := X.At(i, j) - mean
			sq += d * d
		}
		best = max(best, sq/float64(X.Rows))
	}
	return best
}

// jointLogLikelihood writes log P(c) + log P(x|c) for every class into out.
func (m *gaussianModel) jointLogLikelihood(x, out []float64) {
	if m.logPrior == nil {
		panic("naive_bayes: Predict before Fit")
	}
	for c := range out {
		if math.IsInf(m.logPrior[c], -1) {
			out[c] = math.Inf(-1)
			continue
		}
		mu, iv := m.mean[c], m.invVar[c]
		var s float64
		for j, v := range x {
			d := v - mu[j]
			s += d * d * iv[j]
		}
		out[c] = m.logPrior[c] + m.logNorm[c] - 0.5*s
	}
}

// Predict returns the class of largest posterior, the lowest index on ties.
func (m *gaussianModel) Predict(X trainers.Matrix) []float64 {
	out := make([]float64, X.Rows)
	jll := make([]float64, m.classes)
	for i := range out {
		m.jointLogLikelihood(X.Row(i), jll)
		best := 0
		for c, v := range jll {
			if v > jll[best] {
				best = c
			}
		}
		out[i] = float64(best)
	}
	return out
}

// PredictProba normalizes the joint log-likelihoods with log-sum-exp.
func (m *gaussianModel) PredictProba(X trainers.Matrix) trainers.Matrix {
	out := trainers.NewMatrix(X.Rows, m.classes)
	for i := 0; i < X.Rows; i++ {
		row := out.Row(i)
		m.jointLogLikelihood(X.Row(i), row)
		top := math.Inf(-1)
		for _, v := range row {
			top = max(top, v)
		}
		var s float64
		for c, v := range row {
			row[c] = math.Exp(v - top)
			s += row[c]
		}
		for c := range row {
			row[c] /= s
		}
	}
	return out
}

// checkXY validates training data: sizes, finite values, labels in
// [0, classes).
func checkXY(X trainers.Matrix, y []float64, classes int) error {
	if X.Rows == 0 || X.Cols == 0 {
		return fmt.Errorf("naive_bayes: fit: empty training set (%d×%d)", X.Rows, X.Cols)
	}
	if len(y) != X.Rows {
		return fmt.Errorf("naive_bayes: fit: %d rows but %d targets", X.Rows, len(y))
	}
	for i, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("naive_bayes: fit: non-finite feature at row %d, column %d", i/X.Cols, i%X.Cols)
		}
	}
	for i, v := range y {
		if v != math.Trunc(v) || v < 0 || int(v) >= classes {
			return fmt.Errorf("naive_bayes: fit: label %v at row %d is not a class in [0, %d)", v, i, classes)
		}
	}
	return nil
}
