package linear

import (
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/internal/fastmath"
	"github.com/hpsearch/hpsearch/trainers"
)

// standard is what every family here reports as its default scaling.
const standard = "standard"

// checkXY validates the training data shared by all families: matching
// sizes, at least one row, finite values, and class labels in
// [0, classes) when classes > 0.
func checkXY(name string, X trainers.Matrix, y []float64, classes int) error {
	if X.Rows == 0 || X.Cols == 0 {
		return fmt.Errorf("%s: fit: empty training set (%d×%d)", name, X.Rows, X.Cols)
	}
	if len(y) != X.Rows {
		return fmt.Errorf("%s: fit: %d rows but %d targets", name, X.Rows, len(y))
	}
	for i, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: fit: non-finite feature at row %d, column %d", name, i/X.Cols, i%X.Cols)
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: fit: non-finite target at row %d", name, i)
		}
		if classes > 0 && (v != math.Trunc(v) || v < 0 || int(v) >= classes) {
			return fmt.Errorf("%s: fit: label %v at row %d is not a class in [0, %d)", name, v, i, classes)
		}
	}
	return nil
}

// checkClasses rejects classification configs with fewer than two classes.
func checkClasses(name string, cfg trainers.Config) error {
	if cfg.Classes < 2 {
		return fmt.Errorf("%s: need at least 2 classes, got %d", name, cfg.Classes)
	}
	return nil
}

// argmax returns the index of the largest element, the first on ties.
func argmax(v []float64) int {
	best := 0
	for i, x := range v[1:] {
		if x > v[best] {
			best = i + 1
		}
	}
	return best
}

// softmaxInPlace turns scores into probabilities and returns the log of
// the normalizer (log-sum-exp), computed stably.
func softmaxInPlace(z []float64) float64 {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var s float64
	for i, v := range z {
		e := fastmath.Exp(v - m)
		z[i] = e
		s += e
	}
	inv := 1 / s
	for i := range z {
		z[i] *= inv
	}
	return m + math.Log(s)
}
