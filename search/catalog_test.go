package search

import (
	"sort"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// fakeCatalog is an in-memory trial.Catalog with one model of each shape:
// int, float, categorical, bool and budget parameters, an AlsoNumeric
// categorical, a classification-only and a regression-only model, a
// free-form objective model and a declared objective model.
type fakeCatalog map[string]trial.ModelInfo

func (c fakeCatalog) Model(name string) (trial.ModelInfo, bool) {
	m, ok := c[name]
	return m, ok
}

func (c fakeCatalog) Models() []trial.ModelInfo {
	var out []trial.ModelInfo
	for _, m := range c {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var both = []trial.Task{trial.Classification, trial.Regression}

var testCatalog = fakeCatalog{
	"knn": {Name: "knn", Tasks: both, Param: []trial.ParamDecl{
		{Name: "n_neighbors", Kind: trial.Int, Min: trial.Bound(1), Default: 5},
		{Name: "weights", Kind: trial.Categorical, Choices: []any{"uniform", "distance"}, Default: "uniform"},
		{Name: "p", Kind: trial.Int, Min: trial.Bound(1), Max: trial.Bound(2), Default: 2},
	}},
	"decision_tree": {Name: "decision_tree", Tasks: both, Param: []trial.ParamDecl{
		{Name: "max_depth", Kind: trial.Int, Min: trial.Bound(1), Default: nil},
		{Name: "criterion", Kind: trial.Categorical, Choices: []any{"gini", "entropy"}, Default: "gini"},
		{Name: "min_samples_split", Kind: trial.Int, Min: trial.Bound(2), Default: 2},
	}},
	"logistic": {Name: "logistic", Tasks: []trial.Task{trial.Classification}, Param: []trial.ParamDecl{
		{Name: "C", Kind: trial.Float, Min: trial.Bound(0), MinOpen: true, Default: 1.0},
		{Name: "max_iter", Kind: trial.Int, Min: trial.Bound(1), Default: 100, Budget: true},
		{Name: "fit_intercept", Kind: trial.Bool, Default: true},
		{Name: "l1_ratio", Kind: trial.Float, Min: trial.Bound(0), Max: trial.Bound(1), Default: 0.5},
	}},
	"random_forest": {Name: "random_forest", Tasks: both, Param: []trial.ParamDecl{
		{Name: "n_estimators", Kind: trial.Int, Min: trial.Bound(1), Max: trial.Bound(10_000), Default: 100, Budget: true},
		{Name: "max_features", Kind: trial.Categorical, Choices: []any{"sqrt", "log2"}, AlsoNumeric: true,
			Min: trial.Bound(0), MinOpen: true, Max: trial.Bound(1), Default: "sqrt"},
	}},
	"ridge": {Name: "ridge", Tasks: []trial.Task{trial.Regression}, Param: []trial.ParamDecl{
		{Name: "alpha", Kind: trial.Float, Min: trial.Bound(0), Default: 1.0},
	}},
	"noop": {Name: "noop", FreeForm: true, Objective: true, DefaultMetric: "value"},
	"branin": {Name: "branin", Objective: true, Param: []trial.ParamDecl{
		{Name: "x1", Kind: trial.Float, Min: trial.Bound(-5), Max: trial.Bound(10), Default: 0.0},
		{Name: "x2", Kind: trial.Float, Min: trial.Bound(0), Max: trial.Bound(15), Default: 0.0},
	}},
}

// parse parses a spec given as YAML with tabs-free indentation, failing
// the test on error.
func parse(tb testing.TB, yaml string) *Spec {
	tb.Helper()
	s, err := Parse(strings.NewReader(yaml), "spec.yaml", testCatalog)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return s
}

// askAll asks trials 0..n-1.
func askAll(tb testing.TB, smp Sampler, n int) []trial.Trial {
	tb.Helper()
	out := make([]trial.Trial, 0, n)
	for i := range n {
		t, ok := smp.Ask(i)
		if !ok {
			tb.Fatalf("Ask(%d): not ok", i)
		}
		out = append(out, t)
	}
	return out
}

func newSampler(tb testing.TB, s *Spec) Sampler {
	tb.Helper()
	smp, err := NewSampler(s)
	if err != nil {
		tb.Fatalf("NewSampler: %v", err)
	}
	return smp
}
