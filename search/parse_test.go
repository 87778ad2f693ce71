package search

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/internal/editdist"
	"github.com/hpsearch/hpsearch/trial"
)

const digitsSpec = `name: digits-knn
dataset: digits
target: digit
task: classification
model: knn
metric: accuracy
cv: {folds: 5, seed: 0}
preprocess: {scale: standard, impute: mean, encoding: onehot}
search: {method: grid, max_trials: 100, parallel: 2, seed: 1}
stop: {max_failed_trials: 10}
backend:
  memory_mb: 1024
parameters:
  n_neighbors: {min: 1, max: 30}
  weights: {values: [uniform, distance]}
  p: {value: 2}
`

func TestParseFull(t *testing.T) {
	s := parse(t, digitsSpec)
	if s.Name != "digits-knn" || s.Dataset != "digits" || s.Target != "digit" || s.Task != trial.Classification {
		t.Errorf("header = %q %q %q %q", s.Name, s.Dataset, s.Target, s.Task)
	}
	if s.Metric != "accuracy" || s.Direction != trial.Maximize {
		t.Errorf("metric = %s %s", s.Metric, s.Direction)
	}
	if s.CV.Folds != 5 || s.Preprocess.Encoding != "onehot" || s.Stop.MaxFailedTrials != 10 {
		t.Errorf("cv/preprocess/stop = %+v %+v %+v", s.CV, s.Preprocess, s.Stop)
	}
	if s.Search != (SearchSettings{Method: "grid", MaxTrials: 60, Parallel: 2, Seed: 1}) {
		t.Errorf("search = %+v, want max_trials capped to the grid size 60", s.Search)
	}
	if s.Backend["memory_mb"] != 1024 {
		t.Errorf("backend = %v", s.Backend)
	}
	if len(s.Models) != 1 || s.Models[0].Model != "knn" {
		t.Fatalf("models = %+v", s.Models)
	}
	want := []Dimension{
		{Name: "n_neighbors", Kind: trial.Int, Min: 1, Max: 30, Line: 14},
		{Name: "weights", Kind: trial.Categorical, Values: []any{"uniform", "distance"}, Line: 15},
		{Name: "p", Kind: trial.Int, Values: []any{2}, Line: 16},
	}
	got, _ := json.Marshal(s.Models[0].Params)
	wantJSON, _ := json.Marshal(want)
	if string(got) != string(wantJSON) {
		t.Errorf("params =\n%s\nwant\n%s", got, wantJSON)
	}
	for i, d := range s.Models[0].Params {
		if d.Line != want[i].Line {
			t.Errorf("%s: line %d, want %d", d.Name, d.Line, want[i].Line)
		}
	}
	for field, line := range map[string]int{"dataset": 2, "cv.folds": 7, "parameters.n_neighbors.max": 14,
		"parameters.weights.values[1]": 15, "backend.memory_mb": 12} {
		if s.Lines[field] != line {
			t.Errorf("Lines[%q] = %d, want %d", field, s.Lines[field], line)
		}
	}
	if string(s.Raw()) != digitsSpec {
		t.Errorf("Raw() differs from the input")
	}
	if n, cont := s.Size(); n != 60 || cont {
		t.Errorf("Size() = %d, %v; want 60, false", n, cont)
	}
}

func TestParseDefaults(t *testing.T) {
	s := parse(t, "name: a\ndataset: iris\nmodel: logistic\nparameters:\n  C: {min: 0.01, max: 100, log: true}\n")
	if s.Metric != "accuracy" || s.Direction != trial.Maximize {
		t.Errorf("metric = %q %q: a classification-only model implies accuracy", s.Metric, s.Direction)
	}
	if s.Task != "" {
		t.Errorf("task = %q, want empty (inferred from data later)", s.Task)
	}
	if s.CV.Folds != DefaultFolds || s.Search.Method != "random" || s.Search.MaxTrials != DefaultMaxTrials || s.Search.Parallel != runtime.NumCPU() {
		t.Errorf("defaults: cv %+v search %+v", s.CV, s.Search)
	}
	if n, cont := s.Size(); n != 0 || !cont {
		t.Errorf("Size() = %d, %v; want 0, true", n, cont)
	}

	// Both tasks possible: the metric waits for the data.
	s = parse(t, "name: a\ndataset: x.csv\nmodel: knn\n")
	if s.Metric != "" || s.Direction != "" {
		t.Errorf("metric = %q before SetTask", s.Metric)
	}
	if err := s.SetTask(trial.Regression, testCatalog); err != nil {
		t.Fatal(err)
	}
	if s.Metric != "r2" || s.Direction != trial.Maximize {
		t.Errorf("after SetTask: metric %q %q", s.Metric, s.Direction)
	}
	if err := s.SetTask(trial.Classification, testCatalog); err == nil {
		t.Error("SetTask accepted a task different from the spec's")
	}

	// Objective models: metric value, minimized, no dataset needed.
	s = parse(t, "name: b\nmodel: branin\nparameters: {x1: {min: -5, max: 10}, x2: {min: 0, max: 15}}\n")
	if s.Metric != "value" || s.Direction != trial.Minimize {
		t.Errorf("objective metric = %q %q", s.Metric, s.Direction)
	}
	if d := s.Models[0].Params[0]; d.Kind != trial.Float {
		t.Errorf("x1 kind = %s, want float from the declaration", d.Kind)
	}
	s = parse(t, "name: c\nmodel: noop\nparameters:\n  a: {min: 1, max: 5}\n  b: {min: 0, max: 1.5}\n  c: [x, y]\n  d: 3\n")
	kinds := []trial.Kind{trial.Int, trial.Float, trial.Categorical, trial.Int}
	for i, d := range s.Models[0].Params {
		if d.Kind != kinds[i] {
			t.Errorf("noop %s kind = %s, want %s", d.Name, d.Kind, kinds[i])
		}
	}
	s = parse(t, "name: c\nmodel: noop\nparameters:\n  a: {distribution: uniform, min: 0, max: 1}\n")
	if k := s.Models[0].Params[0].Kind; k != trial.Float {
		t.Errorf("distribution: uniform on a free-form parameter gives %s, want float", k)
	}
}

func TestParseParameterForms(t *testing.T) {
	s := parse(t, `name: forms
dataset: iris
models:
  - model: logistic
    parameters:
      C: {distribution: log_uniform_values, min: 0.001, max: 1000}
      l1_ratio: {distribution: q_uniform, min: 0, max: 1, q: 0.25}
      max_iter: {distribution: int_uniform, min: 100, max: 500}
      fit_intercept: [true, false]
  - model: random_forest
    parameters:
      max_features: {distribution: categorical, values: [sqrt, log2, 0.5]}
      n_estimators: {distribution: constant, value: 200}
  - model: random_forest
    parameters:
      max_features: {min: 0.1, max: 1.0, step: 0.1}
      n_estimators: {min: 10, max: 1000, log: true, grid_points: 3}
`)
	lg := s.Models[0].Params
	if !lg[0].Log || lg[0].Kind != trial.Float || lg[1].Step != 0.25 || lg[2].Kind != trial.Int {
		t.Errorf("logistic dims = %+v", lg)
	}
	if v := lg[3].Values; len(v) != 2 || v[0] != true {
		t.Errorf("fit_intercept values = %v", v)
	}
	rf := s.Models[1].Params
	if rf[0].Kind != trial.Categorical || rf[0].Values[2] != 0.5 || rf[1].Values[0] != 200 {
		t.Errorf("random_forest dims = %+v", rf)
	}
	rf2 := s.Models[2].Params
	if rf2[0].Kind != trial.Float || rf2[0].Step != 0.1 {
		t.Errorf("numeric max_features = %+v", rf2[0])
	}
	if s.Lines["models[2].parameters.n_estimators.grid_points"] != 17 {
		t.Errorf("line of grid_points = %d", s.Lines["models[2].parameters.n_estimators.grid_points"])
	}
	// logistic: C continuous (0 grid points) → family size 0.
	if n, cont := s.Size(); n != 0+3+10*3 || !cont {
		t.Errorf("Size() = %d, %v", n, cont)
	}
}

func TestParseErrors(t *testing.T) {
	const head = "name: s\ndataset: iris\n" // lines 1-2
	tests := []struct {
		name  string
		yaml  string
		line  int
		field string
		msg   string
	}{
		{"yaml syntax", "name: s\nmodel: [knn\n", 2, "", "YAML syntax error"},
		{"yaml tab", "name: s\n\tmodel: knn\n", 2, "", "a tab in the indentation (column 1); YAML indents with spaces"},
		{"empty", "", 0, "", "spec is empty"},
		{"not a mapping", "- a\n", 1, "", "must be a mapping"},
		{"unknown top-level key", head + "modle: knn\n", 3, "modle", `did you mean "model"?`},
		{"duplicate key", head + "model: knn\nmodel: knn\n", 4, "model", "given twice"},
		{"missing name", "dataset: iris\nmodel: knn\n", 0, "name", "is required"},
		{"name with slash", "name: a/b\ndataset: iris\nmodel: knn\n", 1, "name", "slash"},
		{"name with dotdot", "name: a..b\ndataset: iris\nmodel: knn\n", 1, "name", ".."},
		{"name pattern", "name: Digits\ndataset: iris\nmodel: knn\n", 1, "name", "lower-case"},
		{"name leading dash", "name: -x\ndataset: iris\nmodel: knn\n", 1, "name", "starting with"},
		{"missing model", head + "metric: accuracy\n", 0, "model", "is required"},
		{"missing dataset", "name: s\nmodel: knn\n", 0, "dataset", "is required"},
		{"unknown model", head + "model: knnn\n", 3, "model", `unknown model "knnn"; did you mean "knn"?`},
		{"unknown model in models", head + "models:\n  - model: knn\n  - model: desicion_tree\n", 5, "models[1].model", `did you mean "decision_tree"?`},
		{"models and model", head + "model: knn\nmodels: [{model: knn}]\n", 3, "models", "not both"},
		{"models empty", head + "models: []\n", 3, "models", "is empty"},
		{"unknown key in models item", head + "models:\n  - model: knn\n    params: {}\n", 5, "models[0].params", `did you mean "parameters"?`},
		{"unknown parameter", head + "model: knn\nparameters:\n  n_neighbours: [1, 2]\n", 5, "parameters.n_neighbours", `did you mean "n_neighbors"?`},
		{"unknown parameter in family", head + "models:\n  - model: knn\n  - model: decision_tree\n    parameters:\n      max_dept: {min: 1, max: 3}\n", 7, "models[1].parameters.max_dept", `did you mean "max_depth"?`},
		{"min > max", head + "model: knn\nparameters:\n  n_neighbors: {min: 30, max: 1}\n", 5, "parameters.n_neighbors.min", "greater than max"},
		{"log with min 0", head + "model: ridge\nparameters:\n  alpha: {min: 0, max: 1, log: true}\n", 5, "parameters.alpha.min", "log: true needs min > 0"},
		{"int param float bound", head + "model: knn\nparameters:\n  n_neighbors:\n    min: 1.5\n    max: 30\n", 6, "parameters.n_neighbors.min", "is an int parameter; 1.5 is not an integer"},
		{"int param float value", head + "model: knn\nparameters:\n  n_neighbors: [1, 2.5]\n", 5, "parameters.n_neighbors[1]", "not an integer"},
		{"empty values", head + "model: knn\nparameters:\n  weights: {values: []}\n", 5, "parameters.weights.values", "has no values"},
		{"empty bare list", head + "model: knn\nparameters:\n  weights: []\n", 5, "parameters.weights", "has no values"},
		{"no value", head + "model: knn\nparameters:\n  weights:\n", 5, "parameters.weights", "has no value"},
		{"value outside range", head + "model: knn\nparameters:\n  p: 3\n", 5, "parameters.p", "outside the allowed range [1, 2]"},
		{"range outside declared", head + "model: logistic\nparameters:\n  C: {min: 0, max: 10}\n", 5, "parameters.C.min", "outside the allowed range (0, inf)"},
		{"max outside declared", head + "model: logistic\nparameters:\n  l1_ratio:\n    min: 0\n    max: 2\n", 7, "parameters.l1_ratio.max", "[0, 1]"},
		{"not a choice", head + "model: knn\nparameters:\n  weights:\n    values:\n      - uniform\n      - distanse\n", 8, "parameters.weights.values[1]", `"distanse" is not one of ["uniform", "distance"]`},
		{"range on categorical", head + "model: knn\nparameters:\n  weights: {min: 1, max: 2}\n", 5, "parameters.weights", "categorical"},
		{"duplicate value", head + "model: knn\nparameters:\n  n_neighbors: [1, 3, 1.0]\n", 5, "parameters.n_neighbors[2]", "listed twice"},
		{"bool given string", head + "model: logistic\nparameters:\n  fit_intercept: [yes]\n", 5, "parameters.fit_intercept[0]", "true or false"},
		{"unknown key in parameter", head + "model: knn\nparameters:\n  n_neighbors: {min: 1, maximum: 3}\n", 5, "parameters.n_neighbors.maximum", `did you mean "max"?`},
		{"missing max", head + "model: knn\nparameters:\n  n_neighbors: {min: 1}\n", 5, "parameters.n_neighbors.max", "needs both min and max"},
		{"mixed forms", head + "model: knn\nparameters:\n  n_neighbors: {min: 1, max: 3, values: [1]}\n", 5, "parameters.n_neighbors", "only one of"},
		{"step with values", head + "model: knn\nparameters:\n  n_neighbors: {values: [1], step: 1}\n", 5, "parameters.n_neighbors.step", "only to a min/max range"},
		{"negative step", head + "model: ridge\nparameters:\n  alpha: {min: 0, max: 1, step: -0.1}\n", 5, "parameters.alpha.step", "must be positive"},
		{"q and step", head + "model: ridge\nparameters:\n  alpha: {min: 0, max: 1, step: 0.1, q: 0.1}\n", 5, "parameters.alpha.q", "give one"},
		{"grid_points 1", head + "model: ridge\nparameters:\n  alpha: {min: 0, max: 1, grid_points: 1}\n", 5, "parameters.alpha.grid_points", "between 2"},
		{"unknown distribution", head + "model: ridge\nparameters:\n  alpha: {distribution: unifrom, min: 0, max: 1}\n", 5, "parameters.alpha.distribution", `did you mean "uniform"?`},
		{"unsupported distribution", head + "model: ridge\nparameters:\n  alpha: {distribution: log_uniform, min: -3, max: 0}\n", 5, "parameters.alpha.distribution", "log_uniform_values"},
		{"distribution form", head + "model: ridge\nparameters:\n  alpha: {distribution: categorical, min: 0, max: 1}\n", 5, "parameters.alpha.distribution", "takes values"},
		{"q_uniform without q", head + "model: ridge\nparameters:\n  alpha: {distribution: q_uniform, min: 0, max: 1}\n", 5, "parameters.alpha.q", "needs q"},
		{"non-finite", head + "model: ridge\nparameters:\n  alpha: {min: 0, max: .inf}\n", 5, "parameters.alpha.max", "finite"},
		{"grid continuous", head + "model: ridge\nsearch: {method: grid}\nparameters:\n  alpha: {min: 0, max: 1}\n", 6, "parameters.alpha", "grid search needs"},
		{"grid too large", head + "model: knn\nsearch: {method: grid}\nparameters:\n  n_neighbors: {min: 1, max: 10000000}\n  p: [1, 2]\n  weights: [uniform, distance]\n", 4, "search.method", "more than the limit"},
		{"unknown metric", head + "model: knn\nmetric: acuracy\n", 4, "metric", `did you mean "accuracy"?`},
		{"metric vs task", head + "task: classification\nmodel: knn\nmetric: rmse\n", 5, "metric", "rmse is a regression metric but the task is classification"},
		{"metric vs model", head + "model: logistic\nmetric: rmse\n", 4, "metric", "model logistic supports only classification"},
		{"value metric on dataset model", head + "model: knn\nmetric: value\n", 4, "metric", "objective"},
		{"metric on objective model", "name: s\nmodel: branin\nmetric: accuracy\n", 3, "metric", `reports only "value"`},
		{"mixed objective", head + "models:\n  - model: knn\n  - model: branin\n", 5, "models[1].model", "objective"},
		{"unknown task", head + "task: clasification\nmodel: knn\n", 3, "task", `did you mean "classification"?`},
		{"model task", head + "task: regression\nmodel: logistic\n", 4, "model", "does not support regression"},
		{"no common task", head + "models:\n  - model: logistic\n  - model: ridge\n", 5, "models[1].model", "no task"},
		{"unknown method", head + "model: knn\nsearch: {method: grdi}\n", 4, "search.method", `did you mean "grid"?`},
		{"bayes", head + "model: knn\nsearch:\n  method: bayes\n", 5, "search.method", "not yet supported"},
		{"max_trials type", head + "model: knn\nsearch: {max_trials: many}\n", 4, "search.max_trials", "must be an integer"},
		{"negative max_trials", head + "model: knn\nsearch:\n  max_trials: -1\n", 5, "search.max_trials", "at least 1, not -1"},
		{"negative seed", head + "model: knn\nsearch: {seed: -1}\n", 4, "search.seed", "non-negative"},
		{"unknown search key", head + "model: knn\nsearch: {methd: grid}\n", 4, "search.methd", `did you mean "method"?`},
		{"folds 1", head + "model: knn\ncv:\n  folds: 1\n", 5, "cv.folds", "at least 2"},
		{"folds 0", head + "model: knn\ncv:\n  folds: 0\n", 5, "cv.folds", "at least 2"},
		{"holdout 1", head + "model: knn\ncv:\n  holdout: 1\n", 5, "cv.holdout", "between 0 and 1"},
		{"holdout negative", head + "model: knn\ncv: {holdout: -0.2}\n", 4, "cv.holdout", "between 0 and 1"},
		{"holdout and folds", head + "model: knn\ncv:\n  holdout: 0.2\n  folds: 3\n", 6, "cv.folds", "not both"},
		{"preprocess value", head + "model: knn\npreprocess:\n  scale: standart\n", 5, "preprocess.scale", `did you mean "standard"?`},
		{"stop negative", head + "model: knn\nstop:\n  max_failed_trials: -2\n", 5, "stop.max_failed_trials", "negative"},
		{"scalar where mapping", head + "model: knn\ncv: 5\n", 4, "cv", "must be a mapping"},
		{"list as name", "name: [a]\ndataset: iris\nmodel: knn\n", 1, "name", "single value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.yaml), "spec.yaml", testCatalog)
			if err == nil {
				t.Fatal("no error")
			}
			var ie *trial.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not an *trial.InputError", err, err)
			}
			if !errors.Is(err, trial.ErrBadInput) {
				t.Error("error does not wrap trial.ErrBadInput")
			}
			if ie.File != "spec.yaml" || ie.Line != tt.line || ie.Field != tt.field {
				t.Errorf("at %s:%d field %q, want line %d field %q (%v)", ie.File, ie.Line, ie.Field, tt.line, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestParseSentinels(t *testing.T) {
	_, err := Parse(strings.NewReader("name: s\ndataset: iris\nmodel: svm\n"), "f", testCatalog)
	if !errors.Is(err, trial.ErrUnknownModel) {
		t.Errorf("unknown model: %v does not wrap ErrUnknownModel", err)
	}
	_, err = Parse(strings.NewReader("name: s\ndataset: iris\nmodel: knn\nparameters: {k: 1}\n"), "f", testCatalog)
	if !errors.Is(err, trial.ErrUnknownParam) {
		t.Errorf("unknown parameter: %v does not wrap ErrUnknownParam", err)
	}
}

func TestErrorf(t *testing.T) {
	s := parse(t, digitsSpec)
	sentinel := errors.New("no such file")
	err := s.Errorf("dataset", "cannot open %s: %w", "digits", sentinel)
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.Line != 2 || ie.Field != "dataset" || ie.File != "spec.yaml" {
		t.Fatalf("Errorf = %#v", err)
	}
	if !errors.Is(err, sentinel) || !errors.Is(err, trial.ErrBadInput) {
		t.Error("Errorf loses the wrapped error or ErrBadInput")
	}
	if got := err.Error(); got != "spec.yaml:2: dataset: cannot open digits: no such file" {
		t.Errorf("message %q", got)
	}
	// An unwritten field falls back to its nearest written parent.
	if err := s.Errorf("parameters.weights.log", "x").(*trial.InputError); err.Line != 15 {
		t.Errorf("fallback line = %d, want 15", err.Line)
	}
}

// TestValidateRoundTrip checks that the resolved spec survives the JSON
// round trip of spec.json and Lambda payloads and validates the same way.
func TestValidateRoundTrip(t *testing.T) {
	s := parse(t, digitsSpec)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Spec
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(testCatalog); err != nil {
		t.Fatalf("Validate after JSON: %v", err)
	}
	a, b2 := askAll(t, newSampler(t, s), 60), askAll(t, newSampler(t, &back), 60)
	for i := range a {
		if a[i].Params.Format() != b2[i].Params.Format() {
			t.Fatalf("trial %d: %s != %s", i, a[i].Params.Format(), b2[i].Params.Format())
		}
		if _, isInt := b2[i].Params["n_neighbors"].(int); !isInt {
			t.Fatalf("n_neighbors after round trip is %T, want int", b2[i].Params["n_neighbors"])
		}
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"knn", "knnn", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"flaw", "lawn", 2}} {
		if got := editdist.Levenshtein(c.a, c.b); got != c.d {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
	if got := didYouMean("zzzzzz", []string{"knn", "ridge"}); got != "" {
		t.Errorf("far name got suggestion %q", got)
	}
}

func TestParseInvalidUTF8(t *testing.T) {
	_, err := parseErr("name: a\nmodel: \xd7\xd7\n")
	var ie *trial.InputError
	if !errors.As(err, &ie) || ie.Line != 2 || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("err = %v", err)
	}
}
