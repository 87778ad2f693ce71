package trial

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Bounds on the study-level settings that a spec and a worker request both
// carry. They bound what one trial allocates up front: the worker keeps
// every validation split of the dataset (folds × repeats index lists the
// size of the dataset) for the life of the process.
const (
	// MaxFolds is the largest cv.folds.
	MaxFolds = 100
	// MaxSplits is the largest number of validation splits of one trial,
	// cv.folds × cv.repeats.
	MaxSplits = 100
	// MaxRung is the largest rung number a trial's budget may carry (a
	// spec makes at most 64 rungs).
	MaxRung = 64
)

// Values the preprocess: settings accept; the empty string means the
// default (see Preprocess).
var (
	Scales    = []string{"standard", "minmax", "none"}
	Imputes   = []string{"mean", "median", "most_frequent"}
	Encodings = []string{"onehot", "ordinal"}
)

// SettingError is a study setting with a value it may not take, found by
// one of the checks that spec validation and the worker share (CV.Check,
// Preprocess.Check, CheckMetric, Trial.Check). Field is the setting's path
// as a spec writes it ("cv.holdout", "metric", "trial.number"), so spec
// validation can point at its line. It wraps ErrBadInput.
type SettingError struct {
	Field string
	Msg   string
}

func (e *SettingError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap returns ErrBadInput.
func (e *SettingError) Unwrap() error { return ErrBadInput }

func settingErr(field, format string, args ...any) error {
	return &SettingError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Check reports, as a *SettingError, a CV that has no meaning. Zero
// values keep their documented meaning (Folds 0: 5 folds, Repeats 0: one
// pass); anything else outside the allowed values is an error: a Holdout
// outside (0, 1), Folds below 2 or above MaxFolds, negative Repeats,
// more than MaxSplits splits, or Holdout combined with Folds or Repeats.
func (cv CV) Check() error {
	switch {
	case math.IsNaN(cv.Holdout) || cv.Holdout < 0 || cv.Holdout >= 1:
		return settingErr("cv.holdout", "must be a fraction between 0 and 1 (exclusive), not %g", cv.Holdout)
	case cv.Folds < 0 || cv.Folds == 1:
		return settingErr("cv.folds", "must be at least 2, not %d (for a single split use holdout: 0.2)", cv.Folds)
	case cv.Folds > MaxFolds:
		return settingErr("cv.folds", "must be at most %d, not %d", MaxFolds, cv.Folds)
	case cv.Repeats < 0:
		return settingErr("cv.repeats", "must be at least 1, not %d", cv.Repeats)
	case cv.Holdout > 0 && cv.Folds != 0:
		return settingErr("cv.folds", "give either folds or holdout, not both")
	case cv.Holdout > 0 && cv.Repeats > 1:
		return settingErr("cv.repeats", "repeats applies to k-fold cross-validation, not holdout")
	}
	if n := cv.Splits(); n > MaxSplits {
		return settingErr("cv.repeats", "folds × repeats is %d validation splits per trial; at most %d", n, MaxSplits)
	}
	return nil
}

// Splits returns the number of train/validation splits cv makes: 1 for a
// holdout, folds × repeats otherwise (with their zero values' defaults).
// It saturates rather than overflows.
func (cv CV) Splits() int {
	if cv.Holdout > 0 {
		return 1
	}
	k := int64(cv.Folds)
	if k == 0 {
		k = 5
	}
	r := int64(max(cv.Repeats, 1))
	if k > math.MaxInt32 || r > math.MaxInt32 {
		return math.MaxInt
	}
	return int(k * r)
}

// Check reports, as a *SettingError, a preprocess setting that is not one
// of Scales, Imputes or Encodings (or empty).
func (p Preprocess) Check() error {
	for _, c := range []struct {
		field, value string
		allowed      []string
	}{
		{"preprocess.scale", p.Scale, Scales},
		{"preprocess.impute", p.Impute, Imputes},
		{"preprocess.encoding", p.Encoding, Encodings},
	} {
		if c.value != "" && !slices.Contains(c.allowed, c.value) {
			return settingErr(c.field, "unknown value %q (allowed: %s)", c.value, strings.Join(c.allowed, ", "))
		}
	}
	return nil
}

// CheckTask reports, as a *SettingError, a task that is neither empty nor
// one of Classification and Regression.
func CheckTask(t Task) error {
	switch t {
	case "", Classification, Regression:
		return nil
	}
	return settingErr("task", "unknown task %q; use classification or regression", t)
}

// CheckMetric reports, as a *SettingError, a metric that is not a key of
// Metrics, or that does not fit task: rmse, mae and r2 score regression
// only; accuracy, balanced_accuracy, f1_macro, log_loss and roc_auc
// classification only; value only objective models (task ""). An empty
// task (not yet known) accepts every metric.
func CheckMetric(metric string, task Task) error {
	mi, ok := Metrics[metric]
	if !ok {
		return settingErr("metric", "unknown metric %q (metrics: %s)", metric, strings.Join(MetricNames(), ", "))
	}
	if task == "" || mi.Task == task {
		return nil
	}
	if mi.Task == "" {
		return settingErr("metric", "%q is the score of objective models, not a %s metric; use a metric such as %s", metric, task, DefaultMetric(task))
	}
	return settingErr("metric", "%s is a %s metric but the task is %s; use a metric such as %s", metric, mi.Task, task, DefaultMetric(task))
}

// Check reports, as a *SettingError, a trial no scheduler makes: a
// negative number or attempt, no model, or a budget that is not finite,
// negative or beyond MaxRung. Parameter values are checked against the
// model's declarations elsewhere (trainers.Resolve).
func (t Trial) Check() error {
	b := t.Budget
	switch {
	case t.Number < 0:
		return settingErr("trial.number", "must not be negative, not %d", t.Number)
	case t.Attempt < 0:
		return settingErr("trial.attempt", "must not be negative, not %d", t.Attempt)
	case t.Model == "":
		return settingErr("trial.model", "is required")
	case math.IsNaN(b.Value) || math.IsInf(b.Value, 0) || b.Value < 0:
		return settingErr("trial.budget.value", "must be a finite number not below 0, not %g", b.Value)
	case math.IsNaN(b.Max) || math.IsInf(b.Max, 0) || b.Max < 0:
		return settingErr("trial.budget.max", "must be a finite number not below 0, not %g", b.Max)
	case b.Rung < 0 || b.Rung > MaxRung:
		return settingErr("trial.budget.rung", "must be between 0 and %d, not %d", MaxRung, b.Rung)
	case b.Config < 0:
		return settingErr("trial.budget.config", "must not be negative, not %d", b.Config)
	case b.Name == "" && b.Value != 0:
		return settingErr("trial.budget.name", "is required with a budget value")
	}
	return nil
}
