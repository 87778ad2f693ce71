package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// runBestStudy runs the study spec (YAML) in a temporary directory and
// returns the study directory.
func runBestStudy(t *testing.T, name, spec string) string {
	t.Helper()
	dir := t.TempDir()
	path := writeFile(t, dir, name+".yaml", spec)
	code, _, stderr := run(t, "run", path, "--dir", dir, "--quiet", "--parallel", "2")
	if code != 0 {
		t.Fatalf("run %s: exit %d: %s", name, code, stderr)
	}
	return filepath.Join(dir, name)
}

const bestKNNSpec = `name: best-knn
dataset: iris
model: knn
cv: {folds: 3, seed: 0}
preprocess: {impute: mean}
search: {method: random, max_trials: 4, seed: 3}
parameters:
  n_neighbors: {min: 1, max: 20}
  weights: [uniform, distance]
`

func TestBestPrintsTheLeaderboardsFirstTrial(t *testing.T) {
	dir := runBestStudy(t, "best-knn", bestKNNSpec)
	code, out, stderr := run(t, "leaderboard", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("leaderboard: exit %d: %s", code, stderr)
	}
	var board []map[string]any
	if err := json.Unmarshal([]byte(out), &board); err != nil {
		t.Fatal(err)
	}

	code, out, stderr = run(t, "best", dir)
	if code != 0 {
		t.Fatalf("best: exit %d: %s", code, stderr)
	}
	var best map[string]any
	if err := json.Unmarshal([]byte(out), &best); err != nil {
		t.Fatalf("best's default output is not JSON: %v\n%s", err, out)
	}
	if best["trial"] != board[0]["trial"] || best["score"] != board[0]["score"] || best["model"] != "knn" ||
		best["task"] != "classification" || best["metric"] != "accuracy" {
		t.Errorf("best = %v, want the leaderboard's first row %v", best, board[0])
	}
	if best["fold_mean"] != board[0]["fold_mean"] || best["fold_std"] != board[0]["fold_std"] {
		t.Errorf("best's folds %v ± %v, the leaderboard's %v ± %v", best["fold_mean"], best["fold_std"], board[0]["fold_mean"], board[0]["fold_std"])
	}
	params := best["params"].(map[string]any)
	if params["p"] != 2.0 || params["n_neighbors"] != board[0]["params"].(map[string]any)["n_neighbors"] {
		t.Errorf("params %v: want the trial's, defaults filled in (p 2)", params)
	}
	if pre := best["preprocess"].(map[string]any); pre["scale"] != "standard" || pre["impute"] != "mean" {
		t.Errorf("preprocess %v, want knn's default standard scaling and the spec's mean imputation", pre)
	}
}

func TestBestYAMLPastesIntoASpec(t *testing.T) {
	dir := runBestStudy(t, "best-knn", bestKNNSpec)
	code, out, stderr := run(t, "best", dir, "--format", "yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var v map[string]any
	if err := yaml.Unmarshal([]byte(out), &v); err != nil || v["model"] != "knn" {
		t.Fatalf("yaml %v (%v):\n%s", v, err, out)
	}
	spec := writeFile(t, t.TempDir(), "again.yaml", "name: again\ndataset: iris\ncv: {folds: 3}\n"+out)
	if code, _, stderr := run(t, "validate", spec); code != 0 {
		t.Errorf("the pasted configuration does not validate: exit %d: %s\n%s", code, stderr, out)
	}
}

func TestBestSklearnIsAPipeline(t *testing.T) {
	dir := runBestStudy(t, "best-knn", bestKNNSpec)
	code, out, stderr := run(t, "best", dir, "--format", "sklearn")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"from sklearn.neighbors import KNeighborsClassifier\n",
		"estimator = Pipeline([\n",
		`("impute", SimpleImputer(strategy="mean")),`,
		`("scale", StandardScaler()),`,
		`algorithm="brute",`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("snippet lacks %q:\n%s", want, out)
		}
	}
}

func TestBestRefuses(t *testing.T) {
	objective := runBestStudy(t, "best-branin", "name: best-branin\nmodel: branin\nsearch: {method: random, max_trials: 3}\nparameters:\n  x1: {min: -5, max: 10}\n")
	if code, out, stderr := run(t, "best", objective, "--format", "json"); code != 0 || !strings.Contains(out, `"model": "branin"`) {
		t.Errorf("an objective's best as json: exit %d: %s%s", code, out, stderr)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"sklearn for a test objective", []string{"best", objective, "--format", "sklearn"}, 2, "no scikit-learn estimator for branin"},
		{"unknown format", []string{"best", objective, "--format", "toml"}, 2, "--format must be json, yaml or sklearn"},
		{"no study", []string{"best"}, 2, "want one STUDY_DIR"},
		{"not a study", []string{"best", t.TempDir()}, 2, "not a study directory"},
		{"no complete trial", []string{"best", failedStudy(t)}, 1, "has no complete trial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// failedStudy writes a study directory whose only trial failed, with an
// error that CSV must quote.
func failedStudy(t *testing.T) string {
	t.Helper()
	spec := search.Spec{Name: "f", Metric: "accuracy", Direction: trial.Maximize, Task: trial.Classification,
		Search: search.SearchSettings{Method: "random", MaxTrials: 1}}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	j, err := results.Create(t.TempDir(), "f", []byte("name: f\n"), specJSON)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := trial.Params{"n_neighbors": 3.0}
	err = j.Append(context.Background(),
		results.DispatchEvent(trial.Trial{Number: 0, Model: "knn", Params: p}, at),
		results.ResultEvent(trial.Result{Number: 0, State: trial.Failed, Model: "knn", Params: p,
			Error: "fold 1: \"bad\", very bad\nsecond line", Seconds: 0.5}, at))
	if err != nil {
		t.Fatal(err)
	}
	return j.Dir()
}
