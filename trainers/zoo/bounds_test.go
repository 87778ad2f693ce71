package zoo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// The parameters that size what a trainer allocates up front declare an
// upper bound, so `hpsearch models` shows it and Resolve applies it.
func TestAllocationBoundsDeclared(t *testing.T) {
	tests := []struct {
		model, param string
		max          float64
	}{
		{"random_forest", "n_estimators", trainers.MaxTrees},
		{"random_forest", "n_jobs", trainers.MaxJobs},
		{"gradient_boosting", "max_iter", trainers.MaxTrees},
		{"gradient_boosting", "n_jobs", trainers.MaxJobs},
		{"gradient_boosting", "max_bins", 255},
		{"mlp", "hidden_layer_sizes", 4096},
	}
	for _, tt := range tests {
		info, ok := trainers.Catalog.Model(tt.model)
		if !ok {
			t.Errorf("no model %s", tt.model)
			continue
		}
		d, ok := info.Lookup(tt.param)
		if !ok || d.Max == nil || *d.Max != tt.max {
			t.Errorf("%s.%s declares max %v, want %v", tt.model, tt.param, d.Max, tt.max)
		}
	}
}

// A spec giving an allocation-sizing parameter a value past its bound is
// refused by validation, at the parameter's line, before anything runs;
// the n_estimators: 1000000000 passed and then allocated 8 GB.
func TestSpecRefusesUnboundedAllocations(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		line  int
		field string
		msg   string
	}{
		{"n_estimators", "model: random_forest\nparameters:\n  n_estimators: 1000000000\n", 5, "parameters.n_estimators", "outside the allowed range [1, 10000]"},
		{"n_estimators range", "model: random_forest\nparameters:\n  n_estimators: {min: 10, max: 1000000000}\n", 5, "parameters.n_estimators.max", "[1, 10000]"},
		{"boosting max_iter", "model: gradient_boosting\nparameters:\n  max_iter: [100, 1000000000]\n", 5, "parameters.max_iter[1]", "[1, 10000]"},
		{"n_jobs", "model: random_forest\nparameters:\n  n_jobs: 100000000\n", 5, "parameters.n_jobs", "[1, 64]"},
		{"hidden layer width", "model: mlp\nparameters:\n  hidden_layer_sizes: 100000000\n", 5, "parameters.hidden_layer_sizes", "[1, 4096]"},
		{"hidden layer list", "model: mlp\nparameters:\n  hidden_layer_sizes: [\"4096,4096,4096,4096\"]\n", 5, "parameters.hidden_layer_sizes[0]", "is not one of"},
		{"max_bins", "model: gradient_boosting\nparameters:\n  max_bins: 100000\n", 5, "parameters.max_bins", "[2, 255]"},
		{"budget", "model: random_forest\nearly_stopping: {type: asha, budget: n_estimators, min: 10, max: 1000000000}\n", 4, "early_stopping.max", "[1, 10000]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := "name: s\ndataset: iris\n" + tt.yaml
			_, err := search.Parse(strings.NewReader(yaml), "spec.yaml", trainers.Catalog)
			var ie *trial.InputError
			if !errors.As(err, &ie) || !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("error %v is not bad input", err)
			}
			if ie.Line != tt.line || ie.Field != tt.field || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want line %d field %s containing %q", err, tt.line, tt.field, tt.msg)
			}
		})
	}
}

// Resolve, which the worker applies to every payload, refuses the same
// values as bad input.
func TestResolveRefusesUnboundedAllocations(t *testing.T) {
	for _, tt := range []struct {
		model string
		p     trial.Params
	}{
		{"random_forest", trial.Params{"n_estimators": 1e9}},
		{"gradient_boosting", trial.Params{"max_iter": 1e9}},
		{"gradient_boosting", trial.Params{"n_jobs": 1e6}},
		{"mlp", trial.Params{"hidden_layer_sizes": 1e8}},
	} {
		f, _ := trainers.Lookup(tt.model)
		_, err := trainers.Resolve(f.Info(), tt.p)
		if !errors.Is(err, trial.ErrBadInput) {
			t.Errorf("%s %v: Resolve = %v, want bad input", tt.model, tt.p, err)
		}
	}
	f, _ := trainers.Lookup("random_forest")
	if _, err := trainers.Resolve(f.Info(), trial.Params{"n_estimators": float64(trainers.MaxTrees)}); err != nil {
		t.Errorf("n_estimators at its bound: %v", err)
	}
}
