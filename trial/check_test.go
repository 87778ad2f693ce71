package trial

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// checkResult asserts that err is nil when field is "", and otherwise a
// *SettingError for field that wraps ErrBadInput.
func checkResult(t *testing.T, what string, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	var se *SettingError
	if !errors.As(err, &se) || se.Field != field || !errors.Is(err, ErrBadInput) {
		t.Errorf("%s: error %v, want a *SettingError for %s wrapping ErrBadInput", what, err, field)
	}
}

func TestCVCheck(t *testing.T) {
	tests := []struct {
		name  string
		cv    CV
		field string // "" when valid
	}{
		{"zero value", CV{}, ""},
		{"folds", CV{Folds: 10, Seed: 3}, ""},
		{"holdout", CV{Holdout: 0.25}, ""},
		{"holdout with repeats 1", CV{Holdout: 0.25, Repeats: 1}, ""},
		{"repeats", CV{Folds: 5, Repeats: 3}, ""},
		{"splits at limit", CV{Folds: 10, Repeats: 10}, ""},
		{"folds at limit", CV{Folds: MaxFolds}, ""},
		{"default folds, repeats at limit", CV{Repeats: MaxSplits / 5}, ""},
		{"holdout negative", CV{Holdout: -0.5}, "cv.holdout"},
		{"holdout 1", CV{Holdout: 1}, "cv.holdout"},
		{"holdout NaN", CV{Holdout: math.NaN()}, "cv.holdout"},
		{"holdout infinite", CV{Holdout: math.Inf(1)}, "cv.holdout"},
		{"folds 1", CV{Folds: 1}, "cv.folds"},
		{"folds negative", CV{Folds: -5}, "cv.folds"},
		{"folds above limit", CV{Folds: MaxFolds + 1}, "cv.folds"},
		{"folds huge", CV{Folds: math.MaxInt}, "cv.folds"},
		{"repeats negative", CV{Folds: 5, Repeats: -2}, "cv.repeats"},
		{"splits above limit", CV{Folds: 20, Repeats: 11}, "cv.repeats"},
		{"repeats huge", CV{Repeats: math.MaxInt}, "cv.repeats"},
		{"holdout and folds", CV{Holdout: 0.2, Folds: 5}, "cv.folds"},
		{"holdout and repeats", CV{Holdout: 0.2, Repeats: 2}, "cv.repeats"},
	}
	for _, tt := range tests {
		checkResult(t, tt.name, tt.cv.Check(), tt.field)
	}
}

func TestCVSplits(t *testing.T) {
	for _, tt := range []struct {
		cv   CV
		want int
	}{
		{CV{}, 5},
		{CV{Folds: 3}, 3},
		{CV{Folds: 3, Repeats: 4}, 12},
		{CV{Holdout: 0.2}, 1},
		{CV{Folds: math.MaxInt, Repeats: math.MaxInt}, math.MaxInt},
	} {
		if got := tt.cv.Splits(); got != tt.want {
			t.Errorf("%+v.Splits() = %d, want %d", tt.cv, got, tt.want)
		}
	}
}

func TestCheckMetric(t *testing.T) {
	tests := []struct {
		metric string
		task   Task
		field  string
	}{
		{"accuracy", Classification, ""},
		{"roc_auc", Classification, ""},
		{"log_loss", Classification, ""},
		{"f1_macro", Classification, ""},
		{"rmse", Regression, ""},
		{"mae", Regression, ""},
		{"r2", Regression, ""},
		{"value", "", ""},
		{"rmse", "", ""}, // task not yet known
		{"rmse", Classification, "metric"},
		{"r2", Classification, "metric"},
		{"mae", Classification, "metric"},
		{"accuracy", Regression, "metric"},
		{"roc_auc", Regression, "metric"},
		{"log_loss", Regression, "metric"},
		{"value", Classification, "metric"},
		{"acc", Classification, "metric"},
		{"", "", "metric"},
	}
	for _, tt := range tests {
		checkResult(t, tt.metric+" for "+string(tt.task), CheckMetric(tt.metric, tt.task), tt.field)
	}
	err := CheckMetric("rmse", Classification)
	if !strings.Contains(err.Error(), "rmse is a regression metric but the task is classification") {
		t.Errorf("message %q", err)
	}
}

func TestTrialCheck(t *testing.T) {
	ok := Trial{Number: 3, Model: "knn", Seed: 1, Attempt: 2}
	tests := []struct {
		name  string
		edit  func(*Trial)
		field string
	}{
		{"valid", func(*Trial) {}, ""},
		{"number 0", func(t *Trial) { t.Number = 0 }, ""},
		{"budget", func(t *Trial) { t.Budget = Budget{Name: "n_estimators", Value: 30, Rung: 2, Config: 1, Max: 270} }, ""},
		{"number negative", func(t *Trial) { t.Number = -5 }, "trial.number"},
		{"attempt negative", func(t *Trial) { t.Attempt = -1 }, "trial.attempt"},
		{"no model", func(t *Trial) { t.Model = "" }, "trial.model"},
		{"budget negative", func(t *Trial) { t.Budget = Budget{Name: "max_iter", Value: -1} }, "trial.budget.value"},
		{"budget NaN", func(t *Trial) { t.Budget = Budget{Name: "max_iter", Value: math.NaN()} }, "trial.budget.value"},
		{"budget max infinite", func(t *Trial) { t.Budget = Budget{Name: "max_iter", Value: 1, Max: math.Inf(1)} }, "trial.budget.max"},
		{"rung negative", func(t *Trial) { t.Budget = Budget{Name: "max_iter", Value: 1, Rung: -1} }, "trial.budget.rung"},
		{"rung above limit", func(t *Trial) { t.Budget = Budget{Name: "max_iter", Value: 1, Rung: MaxRung + 1} }, "trial.budget.rung"},
		{"config negative", func(t *Trial) { t.Budget = Budget{Name: "max_iter", Value: 1, Config: -1} }, "trial.budget.config"},
		{"budget without name", func(t *Trial) { t.Budget = Budget{Value: 5} }, "trial.budget.name"},
	}
	for _, tt := range tests {
		tr := ok
		tt.edit(&tr)
		checkResult(t, tt.name, tr.Check(), tt.field)
	}
}

func TestPreprocessAndTaskCheck(t *testing.T) {
	checkResult(t, "empty", Preprocess{}.Check(), "")
	checkResult(t, "all set", Preprocess{Scale: "minmax", Impute: "median", Encoding: "ordinal"}.Check(), "")
	checkResult(t, "scale", Preprocess{Scale: "log"}.Check(), "preprocess.scale")
	checkResult(t, "impute", Preprocess{Impute: "zero"}.Check(), "preprocess.impute")
	checkResult(t, "encoding", Preprocess{Encoding: "hash"}.Check(), "preprocess.encoding")
	checkResult(t, "no task", CheckTask(""), "")
	checkResult(t, "regression", CheckTask(Regression), "")
	checkResult(t, "clustering", CheckTask("clustering"), "task")
}
