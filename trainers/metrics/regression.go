package metrics

import "fmt"

func meanSquaredError(yTrue, yPred []float64) float64 {
	var s float64
	for i := range yTrue {
		d := yTrue[i] - yPred[i]
		s += d * d
	}
	return s / float64(len(yTrue))
}

func meanAbsoluteError(yTrue, yPred []float64) float64 {
	var s float64
	for i := range yTrue {
		d := yTrue[i] - yPred[i]
		if d < 0 {
			d = -d
		}
		s += d
	}
	return s / float64(len(yTrue))
}

// r2 is the coefficient of determination. As in scikit-learn (with
// force_finite), a constant yTrue scores 1 when predicted exactly and 0
// otherwise; fewer than two samples leave it undefined.
func r2(yTrue, yPred []float64) (float64, error) {
	n := len(yTrue)
	if n < 2 {
		return 0, fmt.Errorf("%w: R^2 needs at least two samples, got %d", ErrUndefined, n)
	}
	var mean float64
	for _, y := range yTrue {
		mean += y
	}
	mean /= float64(n)
	var res, tot float64
	for i, y := range yTrue {
		d := y - yPred[i]
		res += d * d
		e := y - mean
		tot += e * e
	}
	switch {
	case tot != 0:
		return 1 - res/tot, nil
	case res == 0:
		return 1, nil
	default:
		return 0, nil
	}
}
