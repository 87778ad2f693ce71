package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// infiniteSpec is a study of noop trials whose a and b sum beyond the
// largest float64 (score +Inf, which fails the trial) unless a is 1.
func infiniteSpec(name, a, extra string) string {
	return "name: " + name + "\nmodel: noop\nsearch: {method: grid, max_trials: 6}\nparameters:\n  a: {values: " + a + "}\n  b: {values: [1.7e308]}\n" + extra
}

// TestFailedStudyExits1: a study that ends without a complete trial exits
// 1, whatever stopped it and also on resume, saying so on stderr; its
// summary and --json list the failure reasons with counts, and the
// table shows each failed row's error. A study with a complete trial
// exits 0 and still lists why the others failed.
func TestFailedStudyExits1(t *testing.T) {
	dir := t.TempDir()
	allFail := "[1.0e308, 1.1e308, 1.2e308, 1.3e308, 1.4e308, 1.5e308]"
	for _, tt := range []struct {
		name, spec string
		args       []string
		code       int
		stdout     []string
		stderr     string
	}{
		{"all failed", infiniteSpec("allfail", allFail, ""), nil, 1,
			[]string{"0 complete, 0 pruned, 6 failed", "failed trials by reason:\n  6× score is +Inf (first: trial 0)\n",
				"ERROR", "  score is +Inf  a=1e+308 b=1.7e+308"},
			"no trial completed: all 6 failed (the reasons are listed above; each trial's error: hpsearch leaderboard "},
		{"stopped by max_failed_trials", infiniteSpec("maxfailed", allFail, "stop: {max_failed_trials: 3}\n"), []string{"--parallel", "1"}, 1,
			[]string{"0 complete, 0 pruned, 3 failed", "(max_failed)", "  3× score is +Inf (first: trial 0)\n"},
			"no trial completed: all 3 failed"},
		{"json", infiniteSpec("json", allFail, ""), []string{"--json"}, 1, nil,
			`no trial completed: all 6 failed (the reasons are in the JSON's "failures"`},
		{"some complete", infiniteSpec("some", "[1, 1.0e308, 1.1e308]", ""), nil, 0,
			[]string{"1 complete, 0 pruned, 2 failed", "failed trials by reason:\n  2× score is +Inf (first: trial 1)\n"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := writeFile(t, dir, tt.name+".yaml", tt.spec)
			code, stdout, stderr := run(t, append([]string{"run", spec, "--dir", dir, "--quiet"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q, want %q", stderr, tt.stderr)
			}
			if tt.stderr == "" && stderr != "" {
				t.Errorf("stderr %q, want none", stderr)
			}
		})
	}

	// The JSON carries the reasons, snake_case.
	_, stdout, _ := run(t, "resume", filepath.Join(dir, "json"), "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("resume --json: %v\n%s", err, stdout)
	}
	want := []any{map[string]any{"reason": "score is #", "count": 6.0, "trial": 0.0, "example": "score is +Inf"}}
	if fmt.Sprint(got["failures"]) != fmt.Sprint(want) {
		t.Errorf("failures = %v, want %v", got["failures"], want)
	}

	// Resuming a study that finished without a complete trial fails too.
	code, stdout, stderr := run(t, "resume", filepath.Join(dir, "allfail"))
	if code != 1 || !strings.Contains(stderr, "nothing left to run") || !strings.Contains(stderr, "no trial completed: all 6 failed") ||
		!strings.Contains(stdout, "6× score is +Inf") {
		t.Errorf("resume: exit %d, stdout %q, stderr %q; want 1, the reasons and no trial completed", code, stdout, stderr)
	}
}

// TestStudyErr: without a complete trial the scheduler's own error still
// decides the exit code: an interruption exits 130, an outage 1 with its
// message; otherwise no complete trial exits 1, whatever stopped the
// study (pruned-only and nothing-finished studies included).
func TestStudyErr(t *testing.T) {
	outage := fmt.Errorf("scheduler: study interrupted: %w: the backend did not answer: %w", trial.ErrInterrupted, trial.ErrUnavailable)
	for _, tt := range []struct {
		name   string
		runErr error
		sum    results.Summary
		code   int
		want   string
	}{
		{"interrupted", fmt.Errorf("scheduler: %w", trial.ErrInterrupted), results.Summary{Failed: 2}, 130, "interrupted"},
		{"outage", outage, results.Summary{}, 1, "the backend did not answer"},
		{"failed", nil, results.Summary{Failed: 4, StopReason: "max_failed"}, 1, "no trial completed: all 4 failed"},
		{"pruned only", nil, results.Summary{Pruned: 3, Failed: 1}, 1, "no trial completed: 3 pruned below the full budget and 1 failed"},
		{"none finished", nil, results.Summary{StopReason: "max_time"}, 1, "no trial completed: none finished before the study stopped (max_time)"},
		{"one complete", nil, results.Summary{Complete: 1, Failed: 9}, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := studyErr(tt.runErr, "runs/s", tt.sum, false)
			e := &env{stderr: &stderr}
			if got := exitCode(context.Background(), e, subcommand(t, e, "run"), err); got != tt.code {
				t.Errorf("exit %d, want %d (%v)", got, tt.code, err)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.want)
			}
		})
	}
}

// TestDataFractionRungsCheckedUpFront: under early stopping on
// data_fraction, a value of n_neighbors larger than the rows the lowest
// rung trains on (early_stopping's min share of the smallest training
// fold: 120 rows of iris) is refused before any trial, naming the file,
// line and field, with the smallest min that would do; values that fit
// pass, and budgets other than data_fraction train on the whole fold.
func TestDataFractionRungsCheckedUpFront(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, spec string
		want       string // "" when valid
	}{
		{"asha min", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random}\nearly_stopping: {type: asha, budget: data_fraction, min: 0.1, max: 1}\nparameters:\n  n_neighbors: {min: 1, max: 100}\n",
			"spec.yaml:7: parameters.n_neighbors: n_neighbors 100 is larger than the 12 rows of the smallest training fold: at early_stopping's lowest rung, data_fraction 0.1, a trial trains on 12 of the fold's 120 rows; raise early_stopping.min to at least 0.84, or lower n_neighbors"},
		{"median rungs, listed values", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random}\nearly_stopping: {type: median, budget: data_fraction, rungs: [0.05, 0.5, 1]}\nparameters:\n  n_neighbors: {values: [3, 10, 7]}\n",
			"spec.yaml:7: parameters.n_neighbors: n_neighbors 10 is larger than the 6 rows of the smallest training fold: at early_stopping's lowest rung, data_fraction 0.05, a trial trains on 6 of the fold's 120 rows; raise early_stopping.min to at least 0.084"},
		{"hyperband, second model", "name: s\ndataset: iris\nsearch: {method: random}\nearly_stopping: {type: hyperband, budget: data_fraction, min: 0.2, max: 1, eta: 2}\nmodels:\n  - model: naive_bayes\n  - model: knn\n    parameters:\n      n_neighbors: {min: 1, max: 30}\n",
			"spec.yaml:9: models[1].parameters.n_neighbors: n_neighbors 30 is larger than the 24 rows"},
		{"fits the lowest rung", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random}\nearly_stopping: {type: asha, budget: data_fraction, min: 0.25, max: 1}\nparameters:\n  n_neighbors: {min: 1, max: 30}\n", ""},
		{"the whole fold still checked first", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random}\nearly_stopping: {type: asha, budget: data_fraction, min: 0.25, max: 1}\nparameters:\n  n_neighbors: {min: 1, max: 121}\n",
			"spec.yaml:7: parameters.n_neighbors: n_neighbors 121 is larger than the 120 rows of the smallest training fold\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := writeFile(t, dir, "spec.yaml", tt.spec)
			code, _, stderr := run(t, "validate", spec)
			switch {
			case tt.want == "" && code != 0:
				t.Errorf("exit %d, want 0; stderr %s", code, stderr)
			case tt.want != "" && (code != 2 || !strings.Contains(stderr, tt.want)):
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}
