package search

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestEarlyStoppingAndStopErrors(t *testing.T) {
	const head = "name: s\ndataset: iris\nmodel: random_forest\n" // lines 1-3
	const es = "early_stopping:\n"                                // line 4
	tests := []struct {
		name  string
		yaml  string
		line  int
		field string
		msg   string
	}{
		{"not a budget parameter", head + es + "  type: asha\n  budget: max_features\n  min: 1\n  max: 9\n", 6, "early_stopping.budget", "max_features is not a budget parameter of model random_forest (its budget: n_estimators)"},
		{"not a parameter", "name: s\ndataset: iris\nmodel: knn\n" + es + "  type: asha\n  budget: n_estimators\n  min: 1\n  max: 9\n", 6, "early_stopping.budget", "data_fraction works with any model"},
		{"min >= max", head + es + "  type: asha\n  budget: n_estimators\n  min: 9\n  max: 9\n", 7, "early_stopping.min", "min 9 must be less than max 9"},
		{"eta 1", head + es + "  type: asha\n  budget: n_estimators\n  min: 1\n  max: 9\n  eta: 1\n", 9, "early_stopping.eta", "at least 2"},
		{"unknown type", head + es + "  type: ashha\n  budget: n_estimators\n  min: 1\n  max: 9\n", 5, "early_stopping.type", `did you mean "asha"?`},
		{"missing type", head + es + "  budget: n_estimators\n  min: 1\n  max: 9\n", 4, "early_stopping.type", "is required"},
		{"missing budget", head + es + "  type: asha\n  min: 1\n  max: 9\n", 4, "early_stopping.budget", "is required"},
		{"missing max", head + es + "  type: asha\n  budget: n_estimators\n  min: 1\n", 4, "early_stopping", "needs min and max"},
		{"fractional int budget", head + es + "  type: asha\n  budget: n_estimators\n  min: 1.5\n  max: 9\n", 7, "early_stopping.min", "not an integer"},
		{"data_fraction above 1", head + es + "  type: median\n  budget: data_fraction\n  min: 0.1\n  max: 2\n", 8, "early_stopping.max", "in (0, 1]"},
		{"data_fraction on objective", "name: s\nmodel: branin\n" + "early_stopping: {type: asha, budget: data_fraction, min: 0.1, max: 1}\n", 3, "early_stopping.budget", "needs a dataset"},
		{"rungs and min", head + es + "  type: median\n  budget: n_estimators\n  min: 1\n  rungs: [1, 3]\n", 8, "early_stopping.rungs", "not both"},
		{"rungs decrease", head + es + "  type: median\n  budget: n_estimators\n  rungs:\n    - 3\n    - 1\n", 9, "early_stopping.rungs[1]", "must increase"},
		{"brackets on asha", head + es + "  type: asha\n  budget: n_estimators\n  min: 1\n  max: 9\n  brackets: 2\n", 9, "early_stopping.brackets", "hyperband only"},
		{"budget also searched", head + es + "  {type: asha, budget: n_estimators, min: 1, max: 9}\nparameters:\n  n_estimators: {min: 1, max: 5}\n", 7, "parameters.n_estimators", "remove it from the parameters"},
		{"grid with early stopping", head + "search: {method: grid}\n" + "early_stopping: {type: asha, budget: n_estimators, min: 1, max: 9}\n", 5, "early_stopping", "method: random, sobol or tpe"},
		{"asha as method", head + "search: {method: asha}\n", 4, "search.method", "early_stopping: {type: asha"},
		{"n_startup_trials without tpe", head + "search: {method: random, n_startup_trials: 5}\n", 4, "search.n_startup_trials", "tpe only"},
		{"n_startup_trials 0", head + "search:\n  method: tpe\n  n_startup_trials: 0\n", 6, "search.n_startup_trials", "at least 1"},
		{"startup unknown", head + "search:\n  method: tpe\n  startup: sobl\n", 6, "search.startup", `did you mean "sobol"?`},
		{"max_cost local", head + "stop:\n  max_cost: 5\n", 5, "stop.max_cost", "max_cost needs backend: lambda (the cost of a local run is not metered)"},
		{"max_time bad", head + "stop:\n  max_time: 10 minutes\n", 5, "stop.max_time", "like 90s, 10m or 1h30m"},
		{"max_time negative", head + "stop: {max_time: -1m}\n", 4, "stop.max_time", "positive"},
		{"patience negative", head + "stop:\n  patience: -3\n", 5, "stop.patience", "negative"},
		{"target not a number", head + "stop:\n  target: high\n", 5, "stop.target", "must be a number"},
		{"unknown stop key", head + "stop: {patients: 3}\n", 4, "stop.patients", `did you mean "patience"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.yaml), "spec.yaml", testCatalog)
			var ie *trial.InputError
			if !errors.As(err, &ie) || !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("error %v is not a bad-input *trial.InputError", err)
			}
			if ie.Line != tt.line || ie.Field != tt.field {
				t.Errorf("at line %d field %q, want line %d field %q (%v)", ie.Line, ie.Field, tt.line, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestEarlyStoppingResolved(t *testing.T) {
	tests := []struct {
		block string
		rungs []float64
	}{
		{"{type: asha, budget: n_estimators, min: 10, max: 810, eta: 3}", []float64{10, 30, 90, 270, 810}},
		{"{type: asha, budget: n_estimators, min: 10, max: 1000}", []float64{10, 30, 90, 270, 810, 1000}},
		{"{type: hyperband, budget: n_estimators, min: 1, max: 16, eta: 2}", []float64{1, 2, 4, 8, 16}},
		{"{type: median, budget: data_fraction, min: 0.1, max: 1}", []float64{0.1, 0.3, 0.9, 1}},
		{"{type: median, budget: n_estimators, rungs: [5, 50, 500]}", []float64{5, 50, 500}},
	}
	for _, tt := range tests {
		s := parse(t, "name: s\ndataset: iris\nmodel: random_forest\nsearch: {method: tpe}\nstop: {target: 0.95, patience: 20, max_time: 10m}\nearly_stopping: "+tt.block+"\n")
		if !reflect.DeepEqual(s.EarlyStopping.Rungs, tt.rungs) {
			t.Errorf("%s: rungs %v, want %v", tt.block, s.EarlyStopping.Rungs, tt.rungs)
		}
		if s.Search.NStartupTrials != DefaultNStartupTrials || s.Stop.Timeout().Minutes() != 10 || *s.Stop.Target != 0.95 {
			t.Errorf("defaults: %+v %+v", s.Search, s.Stop)
		}
		// Validate is idempotent: spec.json read back validates the same.
		b, _ := json.Marshal(s)
		var back Spec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := back.Validate(testCatalog); err != nil {
			t.Fatalf("%s: round trip: %v", tt.block, err)
		}
		if !reflect.DeepEqual(back.EarlyStopping, s.EarlyStopping) || !reflect.DeepEqual(back.Stop, s.Stop) {
			t.Errorf("round trip: %+v, want %+v", back.EarlyStopping, s.EarlyStopping)
		}
	}
	s := parse(t, "name: s\ndataset: iris\nmodel: random_forest\nbackend: {type: lambda}\nstop: {max_cost: 2.5}\n")
	if s.Stop.MaxCost != 2.5 {
		t.Errorf("max_cost = %v", s.Stop.MaxCost)
	}
}
