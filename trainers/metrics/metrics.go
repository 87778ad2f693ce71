package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
)

// Errors returned by Score. Test for them with errors.Is.
var (
	// ErrUnknownMetric is returned for a name that is not a metric.
	ErrUnknownMetric = errors.New("unknown metric")
	// ErrUndefined is returned when the metric is not defined for the
	// given data, such as roc_auc when y_true holds a single class.
	ErrUndefined = errors.New("metric undefined")
	// ErrInput is returned when the inputs do not fit together: lengths
	// that differ, a label outside 0..classes-1, a missing probability
	// matrix. It is a programming error of the caller.
	ErrInput = errors.New("invalid metric input")
)

// Score computes the named metric. yTrue holds the true labels (class
// indices 0..classes-1 for classification) or values (regression); yPred
// the predictions of the same kind. log_loss and roc_auc use proba (one
// row per sample, one column per class, rows summing to 1) instead of
// yPred; the others ignore it. classes is the number of classes for
// classification and is ignored for regression.
//
// Classification metrics follow scikit-learn: accuracy and f1_macro (over
// the labels present in yTrue or yPred); balanced_accuracy (mean recall
// over the labels present in yTrue); log_loss with labels 0..classes-1,
// probabilities clipped to [eps, 1-eps] (eps the float64 machine
// epsilon, scikit-learn 1.2's default) and renormalized; roc_auc on
// column 1 for two classes, else one-vs-rest with a macro average, ties
// counting one half.
func Score(name string, yTrue, yPred []float64, proba trainers.Matrix, classes int) (float64, error) {
	if len(yTrue) == 0 {
		return 0, fmt.Errorf("metrics: %s: %w: no samples", name, ErrUndefined)
	}
	switch name {
	case "log_loss", "roc_auc":
		if proba.Rows != len(yTrue) || proba.Cols != classes || len(proba.Data) != proba.Rows*proba.Cols {
			return 0, fmt.Errorf("metrics: %s: %w: %d labels, probabilities %dx%d for %d classes",
				name, ErrInput, len(yTrue), proba.Rows, proba.Cols, classes)
		}
		if err := checkLabels(yTrue, classes); err != nil {
			return 0, fmt.Errorf("metrics: %s: %w", name, err)
		}
	default:
		if len(yPred) != len(yTrue) {
			return 0, fmt.Errorf("metrics: %s: %w: %d true values, %d predictions", name, ErrInput, len(yTrue), len(yPred))
		}
	}
	var (
		s   float64
		err error
	)
	switch name {
	case "accuracy":
		s = accuracy(yTrue, yPred)
	case "balanced_accuracy":
		s, err = balancedAccuracy(yTrue, yPred)
	case "f1_macro":
		s, err = f1Macro(yTrue, yPred)
	case "log_loss":
		s, err = logLoss(yTrue, proba)
	case "roc_auc":
		s, err = rocAUC(yTrue, proba)
	case "rmse":
		s = math.Sqrt(meanSquaredError(yTrue, yPred))
	case "mae":
		s = meanAbsoluteError(yTrue, yPred)
	case "r2":
		s, err = r2(yTrue, yPred)
	default:
		return 0, fmt.Errorf("metrics: %w %q", ErrUnknownMetric, name)
	}
	if err != nil {
		return 0, fmt.Errorf("metrics: %s: %w", name, err)
	}
	return s, nil
}

// checkLabels checks that every label is a class index below classes.
func checkLabels(y []float64, classes int) error {
	for i, v := range y {
		if v != math.Trunc(v) || v < 0 || int(v) >= classes {
			return fmt.Errorf("%w: label %v of sample %d is not a class index below %d", ErrInput, v, i, classes)
		}
	}
	return nil
}
