package bestconfig

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

func TestFromResultFillsDefaultsAppliesBudgetAndResolvesScale(t *testing.T) {
	r := trial.Result{Number: 4, Model: "random_forest", Params: trial.Params{"max_depth": 6.0, "n_estimators": 30.0},
		Budget: trial.Budget{Name: "n_estimators", Value: 90, Rung: 1, Max: 90}, Seed: 9,
		Score: 0.5, FoldScores: []float64{0.4, 0.6}}
	c, err := FromResult(r, Study{Name: "s", Metric: "rmse"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Task != trial.Regression {
		t.Errorf("task %q, want regression (from the metric rmse)", c.Task)
	}
	if n, _ := c.Params.Int("n_estimators"); n != 90 {
		t.Errorf("n_estimators %v, want the budget 90", c.Params["n_estimators"])
	}
	if d, ok := c.Params["max_depth"].(int); !ok || d != 6 {
		t.Errorf("max_depth %#v, want int 6", c.Params["max_depth"])
	}
	if c.Params["max_features"] != "auto" || c.Params["bootstrap"] != true {
		t.Errorf("defaults not filled in: %v", c.Params)
	}
	if c.Preprocess.Scale != "none" {
		t.Errorf("scale %q, want none (random_forest's default)", c.Preprocess.Scale)
	}
	if math.Abs(c.FoldMean-0.5) > 1e-12 || math.Abs(c.FoldStd-0.1) > 1e-12 {
		t.Errorf("folds %g ± %g, want 0.5 ± 0.1", c.FoldMean, c.FoldStd)
	}
	k, err := FromResult(trial.Result{Model: "knn"}, Study{Task: trial.Classification, Preprocess: trial.Preprocess{Impute: "mean"}})
	if err != nil {
		t.Fatal(err)
	}
	if k.Preprocess.Scale != "standard" || k.Preprocess.Impute != "mean" {
		t.Errorf("knn preprocess %+v, want standard scaling (its default) and mean imputation", k.Preprocess)
	}
	ridge, _ := FromResult(trial.Result{Model: "ridge"}, Study{})
	if ridge.Task != trial.Regression {
		t.Errorf("ridge's task %q, want regression, its only task", ridge.Task)
	}
}

func TestFromResultRefusesUnknownModelsAndParameters(t *testing.T) {
	if _, err := FromResult(trial.Result{Model: "xgboost"}, Study{}); !errors.Is(err, trial.ErrUnknownModel) || !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := FromResult(trial.Result{Model: "knn", Params: trial.Params{"k": 3}}, Study{}); !errors.Is(err, trial.ErrUnknownParam) {
		t.Errorf("unknown parameter: %v", err)
	}
}

func TestWriteYAMLReadsBackAsTheSameConfiguration(t *testing.T) {
	c := config(t, "mlp", trial.Params{"hidden_layer_sizes": "64,32", "alpha": 1.0, "activation": "tanh"}, trial.Budget{},
		trial.Classification, trial.Preprocess{Impute: "most_frequent"})
	var b strings.Builder
	if err := WriteYAML(&b, c); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Model      string            `yaml:"model"`
		Preprocess map[string]string `yaml:"preprocess"`
		Parameters map[string]any    `yaml:"parameters"`
	}
	if err := yaml.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v in:\n%s", err, b.String())
	}
	if !strings.HasPrefix(b.String(), "# best trial 7 of study study: mlp") {
		t.Errorf("no heading comment:\n%s", b.String())
	}
	if got.Model != "mlp" || got.Preprocess["scale"] != "standard" || got.Preprocess["impute"] != "most_frequent" {
		t.Errorf("read back %+v", got)
	}
	for name, want := range c.Params {
		v := got.Parameters[name]
		if !trial.EqualValue(v, want) {
			t.Errorf("%s: read back %#v, want %#v", name, v, want)
		}
		if _, isFloat := want.(float64); isFloat {
			if _, ok := v.(float64); !ok {
				t.Errorf("%s: read back %#v (%T), want a float", name, v, v)
			}
		}
	}
	if got.Parameters["hidden_layer_sizes"] != "64,32" {
		t.Errorf("hidden_layer_sizes read back as %#v", got.Parameters["hidden_layer_sizes"])
	}
}

func TestWriteYAMLQuotesWordsYAMLWouldRead(t *testing.T) {
	for _, s := range []string{"yes", "no", "null", "1e3", "a: b", "", "#x", "NaN"} {
		var v any
		if err := yaml.Unmarshal([]byte("k: "+yamlScalar(s)), &v); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got := v.(map[string]any)["k"]; got != s {
			t.Errorf("%q reads back as %#v", s, got)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	c := config(t, "knn", trial.Params{"n_neighbors": 3}, trial.Budget{}, trial.Classification, trial.Preprocess{})
	c.Metric = "accuracy"
	var b strings.Builder
	if err := WriteJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("%v in:\n%s", err, b.String())
	}
	params, _ := got["params"].(map[string]any)
	if got["model"] != "knn" || got["trial"] != 7.0 || got["score"] != 0.9 || params["n_neighbors"] != 3.0 || params["weights"] != "uniform" {
		t.Errorf("json %v", got)
	}
	if got["fold_mean"] != nil || got["fold_std"] != nil {
		t.Errorf("fold_mean and fold_std of a trial without fold scores: %v, %v; want null", got["fold_mean"], got["fold_std"])
	}
	if pre, _ := got["preprocess"].(map[string]any); pre["scale"] != "standard" {
		t.Errorf("preprocess %v", got["preprocess"])
	}
}

func TestBestIsTheFirstRankedRow(t *testing.T) {
	rs := []trial.Result{
		{Number: 0, State: trial.Complete, Model: "knn", Score: 0.7},
		{Number: 1, State: trial.Complete, Model: "knn", Score: 0.9},
		{Number: 2, State: trial.Failed, Model: "knn"},
	}
	best, err := Best(results.Leaderboard(rs, trial.Maximize))
	if err != nil || best.Number != 1 {
		t.Errorf("Best = %d, %v; want trial 1", best.Number, err)
	}
	if _, err := Best(results.Leaderboard(rs[2:], trial.Maximize)); !errors.Is(err, ErrNoBest) {
		t.Errorf("no complete trial: %v, want ErrNoBest", err)
	}
}
