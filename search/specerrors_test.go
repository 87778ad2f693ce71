package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// TestParseTabIndent: a tab in a block's indentation, wherever yaml.v3
// notices it and whatever it calls it, is reported at the tab's line and
// column in plain words; tabs YAML allows are accepted, and other syntax
// errors keep the parser's message.
func TestParseTabIndent(t *testing.T) {
	const head = "name: s\ndataset: iris\nmodel: knn\n" // lines 1-3
	tests := []struct {
		name      string
		yaml      string
		line, col int // 0: no tab error
	}{
		{"top-level key", "name: s\n\tmodel: knn\n", 2, 1},
		{"first line", "\tname: s\n", 1, 1},
		{"block with tabs only", "name: s\ndataset: iris\nmodel: knn\nsearch:\n\tmethod: grid\n\tseed: 2\n", 5, 1},
		{"two tabs", head + "parameters:\n  p:\n    min: 1\n\t\tmax: 2\n", 7, 1},
		{"first key of a block", head + "parameters:\n\tp: 1\n", 5, 1},
		{"later key of a block", head + "parameters:\n  p: 1\n\tweights: [uniform]\n", 6, 1},
		{"spaces then a tab", head + "parameters:\n  p:\n  \tvalues: [1, 2]\n", 6, 3},
		{"list item", head + "parameters:\n  p:\n    - 1\n\t- 2\n", 7, 1},
		{"tab-only line in a block", head + "cv:\n  folds: 3\n\t\nsearch: {seed: 1}\n", 6, 1},
		{"tab after a colon", "name:\ts\ndataset: iris\nmodel: knn\n", 0, 0},
		{"tab inside a flow list", head + "parameters:\n  p: [1,\n\t2]\n", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseErr(tt.yaml)
			if tt.line == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ie *trial.InputError
			if !errors.As(err, &ie) || !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("err = %v, want an *trial.InputError", err)
			}
			want := fmt.Sprintf("spec.yaml:%d: a tab in the indentation (column %d); YAML indents with spaces", tt.line, tt.col)
			if err.Error() != want {
				t.Errorf("err = %q\nwant  %q", err, want)
			}
		})
	}
	// A syntax error that is not about a tab keeps the parser's words,
	// even next to a tab YAML allows.
	_, err := parseErr("name: s\nnote: |\n  a\n  \tb\nmodel: [knn\n")
	if err == nil || !strings.Contains(err.Error(), "YAML syntax error") || strings.Contains(err.Error(), "tab") {
		t.Errorf("unclosed list: err = %v, want the YAML syntax error", err)
	}
}

// TestDidYouMeanValues: a misspelt or foreign name for an enumerated
// value gets the nearest valid one, as misspelt keys do.
func TestDidYouMeanValues(t *testing.T) {
	const head = "name: s\ndataset: iris\n" // lines 1-2
	tests := []struct {
		name, yaml, field, want string
	}{
		{"method abbreviated", head + "model: knn\nsearch: {method: rnd}\n", "search.method", "random"},
		{"metric short name", head + "model: knn\nmetric: auc\n", "metric", "roc_auc"},
		{"metric sklearn name", head + "model: knn\nmetric: neg_log_loss\n", "metric", "log_loss"},
		{"metric f1", head + "model: knn\nmetric: f1\n", "metric", "f1_macro"},
		{"metric sklearn rmse", head + "model: ridge\nmetric: neg_root_mean_squared_error\n", "metric", "rmse"},
		{"metric typo", head + "model: knn\nmetric: acuracy\n", "metric", "accuracy"},
		{"task", head + "task: regresion\nmodel: knn\n", "task", "regression"},
		{"method", head + "model: knn\nsearch: {method: sobbol}\n", "search.method", "sobol"},
		{"startup", head + "model: knn\nsearch: {method: tpe, startup: randm}\n", "search.startup", "random"},
		{"scale", head + "model: knn\npreprocess: {scale: min_max}\n", "preprocess.scale", "minmax"},
		{"impute", head + "model: knn\npreprocess: {impute: frequent}\n", "preprocess.impute", "most_frequent"},
		{"encoding", head + "model: knn\npreprocess: {encoding: one_hot}\n", "preprocess.encoding", "onehot"},
		{"early stopping type", head + "model: random_forest\nearly_stopping: {type: hyper_band, budget: n_estimators, min: 10, max: 90}\n", "early_stopping.type", "hyperband"},
		{"early stopping budget", head + "model: random_forest\nearly_stopping: {type: asha, budget: n_estimator, min: 10, max: 90}\n", "early_stopping.budget", "n_estimators"},
		{"early stopping data fraction", head + "model: random_forest\nearly_stopping: {type: asha, budget: fraction, min: 0.1, max: 1}\n", "early_stopping.budget", "data_fraction"},
		{"model part of a name", head + "model: forest\n", "model", "random_forest"},
		{"model longer name", head + "model: logistic_regression\n", "model", "logistic"},
		{"categorical value", head + "model: knn\nparameters:\n  weights: [uniform, distanse]\n", "parameters.weights[1]", "distance"},
		{"categorical value case", head + "model: decision_tree\nparameters:\n  criterion: {values: [Gini]}\n", "parameters.criterion.values[0]", "gini"},
		{"distribution", head + "model: ridge\nparameters:\n  alpha: {distribution: loguniform_values, min: 0.1, max: 1}\n", "parameters.alpha.distribution", "log_uniform_values"},
		{"backend type", head + "model: knn\nbackend: {type: lamda}\n", "backend.type", "lambda"},
		{"backend type other name", head + "model: knn\nbackend: {type: aws_lambda}\n", "backend.type", "lambda"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseErr(tt.yaml)
			var ie *trial.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *trial.InputError", err)
			}
			if ie.Field != tt.field {
				t.Errorf("field %q, want %q (%v)", ie.Field, tt.field, err)
			}
			if want := fmt.Sprintf("did you mean %q?", tt.want); !strings.Contains(err.Error(), want) {
				t.Errorf("err = %q, want %q", err, want)
			}
		})
	}
}

// TestNearestNoFalseFriends: parts of words and unrelated names get no
// suggestion.
func TestNearestNoFalseFriends(t *testing.T) {
	metrics := trial.MetricNames()
	for _, name := range []string{"oc", "c_a", "zzz", "precision", "_"} {
		if got, ok := nearest(name, metrics); ok {
			t.Errorf("nearest(%q) = %q, want none", name, got)
		}
	}
}

type wantErr struct {
	line  int
	field string
	msg   string
}

// TestParseReportsManyErrors: problems in different fields are reported
// together, one per line in file order, each naming file, line and field;
// a problem is not echoed by what follows from it.
func TestParseReportsManyErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []wantErr
	}{{
		name: "decoding and validation",
		yaml: `name: Bad
dataset: iris
modle: knn
metric: auc
cv: {folds: 1}
preprocess: {scale: standart, impute: meen}
search: {method: grdi, max_trials: x}
stop: {max_time: soon}
backend: {type: lamda}
`,
		want: []wantErr{
			{1, "name", "lower-case"},
			{3, "modle", `did you mean "model"?`}, // and not "model: is required"
			{4, "metric", `did you mean "roc_auc"?`},
			{5, "cv.folds", "at least 2"},
			{6, "preprocess.scale", `did you mean "standard"?`},
			{6, "preprocess.impute", `did you mean "mean"?`},
			{7, "search.max_trials", "must be an integer"},
			{7, "search.method", `did you mean "grid"?`},
			{8, "stop.max_time", "not a duration"},
			{9, "backend.type", `did you mean "lambda"?`},
		},
	}, {
		name: "parameters",
		yaml: `name: s
dataset: iris
model: knn
parameters:
  n_neighbors: {min: 1, maximum: 3}
  weights: [uniform, distanse]
  p: 7
  q: 1
`,
		want: []wantErr{
			{5, "parameters.n_neighbors.maximum", `did you mean "max"?`}, // and not "max is missing"
			{6, "parameters.weights[1]", `did you mean "distance"?`},
			{7, "parameters.p", "outside the allowed range"},
			{8, "parameters.q", "unknown parameter"},
		},
	}, {
		name: "families",
		yaml: `name: [s]
models:
  - 5
  - model: knnn
  - model: knn
    parameters: {n_neighbors: [1, 2.5]}
search: {method: grid}
`,
		want: []wantErr{
			{1, "name", "single value"}, // and not "name: is required"
			{3, "models[0]", "must be a mapping"},
			{4, "models[1].model", `did you mean "knn"?`},
			{6, "models[2].parameters.n_neighbors[1]", "not an integer"},
		},
	}, {
		name: "missing fields first",
		yaml: "dataset: iris\nmodel: knn\nmetric: auc\nsearch: {max_trials: 0}\n",
		want: []wantErr{
			{0, "name", "is required"},
			{3, "metric", "roc_auc"},
			{4, "search.max_trials", "at least 1"},
		},
	}, {
		name: "models that cannot be read",
		yaml: "name: s\nmodels: 5\nmetric: f1\n",
		want: []wantErr{
			{2, "models", "must be a list"}, // and not "model: is required"
			{3, "metric", "f1_macro"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseErr(tt.yaml)
			checkErrors(t, err, tt.want)
		})
	}
}

// checkErrors checks that err is an *Errors listing want, in order, and
// that its message gives them one per line.
func checkErrors(tb testing.TB, err error, want []wantErr) {
	tb.Helper()
	var errs *Errors
	if !errors.As(err, &errs) {
		tb.Fatalf("err = %v (%T), want *search.Errors", err, err)
	}
	if !errors.Is(err, trial.ErrBadInput) {
		tb.Error("errors.Is(err, trial.ErrBadInput) = false")
	}
	var first *trial.InputError
	if !errors.As(err, &first) || first != errs.Errs[0] {
		tb.Error("errors.As does not find the first problem")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(errs.Errs) != len(want) || len(lines) != len(want) {
		tb.Fatalf("%d problems in %d lines, want %d:\n%v", len(errs.Errs), len(lines), len(want), err)
	}
	for i, w := range want {
		var ie *trial.InputError
		if !errors.As(errs.Errs[i], &ie) {
			tb.Fatalf("problem %d is %T", i, errs.Errs[i])
		}
		if ie.File != "spec.yaml" || ie.Line != w.line || ie.Field != w.field || !strings.Contains(ie.Msg, w.msg) {
			tb.Errorf("problem %d: %v\nwant line %d, field %s, %q", i, ie, w.line, w.field, w.msg)
		}
		if lines[i] != ie.Error() {
			tb.Errorf("line %d of the message is %q, want %q", i, lines[i], ie.Error())
		}
	}
}

// TestParseErrorsAtMost10: a spec with more than MaxErrors problems lists
// the first ten in file order and says how many more there are.
func TestParseErrorsAtMost10(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: s\ndataset: iris\nmodel: knn\nparameters:\n")
	for i := range 14 {
		fmt.Fprintf(&b, "  x%d: 1\n", i) // lines 5-18
	}
	b.WriteString("metric: auc\n") // line 19, found first but last in the file
	_, err := parseErr(b.String())
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want *search.Errors", err)
	}
	if len(errs.Errs) != MaxErrors || errs.More != 5 || errs.Partial {
		t.Fatalf("%d problems and %d more (partial %v), want %d and 5", len(errs.Errs), errs.More, errs.Partial, MaxErrors)
	}
	for i, e := range errs.Errs {
		if ie := e.(*trial.InputError); ie.Line != 5+i || ie.Field != fmt.Sprintf("parameters.x%d", i) {
			t.Errorf("problem %d at line %d field %s, want line %d", i, ie.Line, ie.Field, 5+i)
		}
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 || lines[MaxErrors] != "(and 5 more problems not shown)" {
		t.Errorf("message ends %q", lines[len(lines)-1])
	}

	// A spec of thousands of problems stops being read at a bound, and
	// says there may be more.
	b.Reset()
	b.WriteString("name: s\ndataset: iris\nmodel: knn\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "k%d: 1\n", i)
	}
	_, err = parseErr(b.String())
	if !errors.As(err, &errs) || len(errs.Errs) != MaxErrors || !errs.Partial ||
		!strings.HasSuffix(err.Error(), "or more problems not shown)") {
		t.Errorf("err = %v", err)
	}
}

// TestValidateReportsManyErrors: Validate on a spec built in code (as one
// read back from spec.json) reports its problems together too.
func TestValidateReportsManyErrors(t *testing.T) {
	s := &Spec{File: "spec.yaml", Name: "a/b", Dataset: "iris", Metric: "auc",
		Models: []ModelSpace{{Model: "knn", Params: []Dimension{{Name: "p", Kind: trial.Int, Values: []any{9}}}}},
		Search: SearchSettings{Method: "grdi"}, Stop: StopRules{Patience: -1}}
	err := s.Validate(testCatalog)
	checkErrors(t, err, []wantErr{
		{0, "name", "slash"},
		{0, "models[0].parameters.p", "outside the allowed range"},
		{0, "metric", "roc_auc"},
		{0, "search.method", "grid"},
		{0, "stop.patience", "negative"},
	})
}
