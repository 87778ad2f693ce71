package preprocess

import (
	"math"

	"github.com/hpsearch/hpsearch/trainers"
)

// Scaler rescales each column with statistics of the rows it was fitted
// on. Method "standard" subtracts the mean and divides by the population
// standard deviation (scikit-learn's StandardScaler); "minmax" maps the
// training range to [0, 1] (MinMaxScaler). A column that is constant in
// the training rows is only shifted, not divided. NaN cells are ignored
// when fitting and stay NaN.
type Scaler struct {
	method string
	// Standard: (x - center) / scale. MinMax: x*scale + center, in
	// scikit-learn's order of operations so results match to the bit.
	center, scale []float64
}

var _ Step = (*Scaler)(nil)

// NewScaler returns an unfitted scaler for method "standard" or "minmax".
func NewScaler(method string) (*Scaler, error) {
	switch method {
	case Standard, MinMax:
		return &Scaler{method: method}, nil
	}
	return nil, badInput(ErrUnknownMethod, "scale %q (want %s, %s or %s)", method, Standard, MinMax, None)
}

// Fit learns each column's statistics from the rows of X.
func (s *Scaler) Fit(X trainers.Matrix) error {
	if X.Rows == 0 {
		return badInput(ErrEmpty, "scaler")
	}
	s.center = make([]float64, X.Cols)
	s.scale = make([]float64, X.Cols)
	for j := range X.Cols {
		if s.method == Standard {
			s.center[j], s.scale[j] = standardColumn(X, j)
		} else {
			s.center[j], s.scale[j] = minMaxColumn(X, j)
		}
	}
	return nil
}

// standardColumn returns the mean and the scale of column j: the
// population standard deviation, or 1 when the variance is within the
// rounding error of the two-pass algorithm (scikit-learn's
// _is_constant_feature).
func standardColumn(X trainers.Matrix, j int) (mean, scale float64) {
	var sum float64
	n := 0
	for i := range X.Rows {
		if v := X.Data[i*X.Cols+j]; !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0, 1
	}
	fn := float64(n)
	mean = sum / fn
	// Two passes with the correction term of Chan, Golub and LeVeque,
	// as scikit-learn's _incremental_mean_and_var.
	var sq, corr float64
	for i := range X.Rows {
		if v := X.Data[i*X.Cols+j]; !math.IsNaN(v) {
			d := v - mean
			sq += d * d
			corr += d
		}
	}
	variance := (sq - corr*corr/fn) / fn
	const eps = 0x1p-52
	bound := fn*eps*variance + (fn*mean*eps)*(fn*mean*eps)
	if variance <= bound {
		return mean, 1
	}
	return mean, math.Sqrt(variance)
}

// minMaxColumn returns the shift and factor mapping column j's range to
// [0, 1]; a range below 10 machine epsilons counts as constant.
func minMaxColumn(X trainers.Matrix, j int) (center, scale float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range X.Rows {
		v := X.Data[i*X.Cols+j]
		if math.IsNaN(v) {
			continue
		}
		lo = min(lo, v)
		hi = max(hi, v)
	}
	if lo > hi {
		return 0, 1
	}
	r := hi - lo
	if r < 10*0x1p-52 {
		r = 1
	}
	scale = 1 / r
	return -lo * scale, scale
}

// Transform returns the scaled copy of X.
func (s *Scaler) Transform(X trainers.Matrix) trainers.Matrix {
	checkFitted("Scaler", s.scale, X)
	out := trainers.NewMatrix(X.Rows, X.Cols)
	for i := range X.Rows {
		s.scaleRow(out.Row(i), X.Row(i))
	}
	return out
}

// scaleRow writes the scaled values of the row src to dst, which may be
// src itself. Transform and the in-place transform (see
// Pipeline.FitTransformInPlace) both scale through it, so that they give
// the same bits.
func (s *Scaler) scaleRow(dst, src []float64) {
	if s.method == Standard {
		for j, v := range src {
			dst[j] = (v - s.center[j]) / s.scale[j]
		}
		return
	}
	for j, v := range src {
		dst[j] = v*s.scale[j] + s.center[j]
	}
}
