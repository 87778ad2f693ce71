package worker

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// Payloads with numbers that mean nothing fail as bad input naming the
// setting; before, each silently ran with a default (holdout -0.5 and
// repeats -2 ran 5-fold CV, rmse scored class indices, trial -5 ran).
func TestRunRefusesInvalidSettings(t *testing.T) {
	tests := []struct {
		name    string
		payload string // JSON, as an Invoke payload carries it
		want    string
	}{
		{"holdout negative", `{"cv": {"holdout": -0.5}}`, "cv.holdout: must be a fraction between 0 and 1"},
		{"holdout 1", `{"cv": {"holdout": 1}}`, "cv.holdout"},
		{"repeats negative", `{"cv": {"folds": 5, "repeats": -2}}`, "cv.repeats: must be at least 1, not -2"},
		{"folds negative", `{"cv": {"folds": -5}}`, "cv.folds: must be at least 2"},
		{"folds 1", `{"cv": {"folds": 1}}`, "cv.folds: must be at least 2"},
		{"folds huge", `{"cv": {"folds": 100000000}}`, "cv.folds: must be at most 100"},
		{"repeats huge", `{"cv": {"folds": 5, "repeats": 1000000000}}`, "at most 100"},
		{"rmse on classes", `{"metric": "rmse"}`, "metric: rmse is a regression metric but the task is classification"},
		{"rmse on a classification task", `{"metric": "rmse", "task": "classification"}`, "metric: rmse is a regression metric"},
		{"value metric on data", `{"metric": "value"}`, "metric:"},
		{"unknown metric", `{"metric": "acc"}`, `unknown metric "acc"`},
		{"unknown task", `{"task": "clustering"}`, `task: unknown task "clustering"`},
		{"trial negative", `{"trial": {"number": -5, "model": "knn", "seed": 1}}`, "trial.number: must not be negative, not -5"},
		{"attempt negative", `{"trial": {"number": 1, "model": "knn", "attempt": -1}}`, "trial.attempt"},
		{"rung negative", `{"trial": {"number": 1, "model": "knn", "budget": {"name": "data_fraction", "value": 0.5, "rung": -1}}}`, "trial.budget.rung"},
		{"budget negative", `{"trial": {"number": 1, "model": "knn", "budget": {"name": "data_fraction", "value": -1}}}`, "trial.budget.value"},
		{"scale unknown", `{"preprocess": {"scale": "log"}}`, `preprocess.scale: unknown value "log"`},
		{"parameter above its bound", `{"trial": {"number": 1, "model": "random_forest", "params": {"n_estimators": 1000000000}}}`, "n_estimators"},
	}
	w := New(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := irisRequest("knn", nil)
			if err := json.Unmarshal([]byte(tt.payload), &req); err != nil {
				t.Fatal(err)
			}
			res := w.Run(context.Background(), req)
			if res.State != trial.Failed {
				t.Fatalf("state %s (score %v), want failed", res.State, res.Score)
			}
			if !strings.Contains(res.Error, tt.want) {
				t.Errorf("error %q does not contain %q", res.Error, tt.want)
			}
			if !strings.HasPrefix(res.Error, trial.ErrBadInput.Error()) {
				t.Errorf("error %q is not reported as bad input", res.Error)
			}
		})
	}
}

// Validate wraps trial.ErrBadInput and the setting's *trial.SettingError,
// and accepts the settings a spec resolves to, zero values included.
func TestRequestValidate(t *testing.T) {
	req := irisRequest("knn", nil)
	req.CV = trial.CV{Holdout: -0.5}
	err := req.Validate()
	var se *trial.SettingError
	if !errors.Is(err, trial.ErrBadInput) || !errors.As(err, &se) || se.Field != "cv.holdout" {
		t.Errorf("Validate = %v", err)
	}
	for _, ok := range []Request{
		irisRequest("knn", nil),
		{Trial: trial.Trial{Model: "branin"}},
		{Trial: trial.Trial{Model: "knn"}, Task: trial.Regression, Metric: "rmse", CV: trial.CV{Holdout: 0.2, Repeats: 1}},
		{Trial: trial.Trial{Model: "knn", Number: 3, Budget: trial.Budget{Name: "n_estimators", Value: 30, Rung: 1, Config: 1, Max: 90}}, CV: trial.CV{Folds: 10, Repeats: 10}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", ok, err)
		}
	}
}
