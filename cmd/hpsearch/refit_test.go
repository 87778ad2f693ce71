package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/refit"
)

const refitForestSpec = `name: iris-forest
dataset: iris
model: random_forest
cv: {folds: 3, seed: 0}
search: {method: random, max_trials: 4, seed: 3}
parameters:
  n_estimators: [4, 8]
  max_depth: {min: 2, max: 6}
`

// readInfo reads the model.json of the study at dir.
func readInfo(t *testing.T, dir string) refit.Info {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, refit.Dir, refit.InfoFile))
	if err != nil {
		t.Fatal(err)
	}
	var info refit.Info
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	return info
}

func readModelFile(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(refit.ModelPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunEndsInTheRefittedModel: a study of models ends with its best
// trial refitted on every row in model/; hpsearch refit refits it again to
// the same bytes, and --trial refits another trial.
func TestRunEndsInTheRefittedModel(t *testing.T) {
	dir := runBestStudy(t, "iris-forest", refitForestSpec)
	info := readInfo(t, dir)
	code, out, stderr := run(t, "best", dir)
	if code != 0 {
		t.Fatalf("best: exit %d: %s", code, stderr)
	}
	var best struct{ Trial int }
	if err := json.Unmarshal([]byte(out), &best); err != nil {
		t.Fatal(err)
	}
	if info.Trial != best.Trial || info.Model != "random_forest" || info.Backend != "local" || info.CVScore == nil {
		t.Errorf("model.json %+v, want the best trial %d refitted locally with its score", info, best.Trial)
	}
	first := readModelFile(t, dir)
	m, err := model.Load(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	if m.Trial != best.Trial || m.Rows != 150 || strings.Join(m.Classes, ",") != "setosa,versicolor,virginica" {
		t.Errorf("model of trial %d on %d rows, classes %v", m.Trial, m.Rows, m.Classes)
	}

	code, out, stderr = run(t, "refit", dir)
	if code != 0 {
		t.Fatalf("refit: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "hpsearch predict "+dir) {
		t.Errorf("refit's output does not say how to predict:\n%s", out)
	}
	if !bytes.Equal(readModelFile(t, dir), first) {
		t.Error("hpsearch refit gave another model file than the study's own refit")
	}

	other := (best.Trial + 1) % 4
	code, out, stderr = run(t, "refit", dir, "--trial", strconv.Itoa(other), "--json")
	if code != 0 {
		t.Fatalf("refit --trial %d: exit %d: %s", other, code, stderr)
	}
	var got refit.Info
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Trial != other {
		t.Errorf("refit --trial %d --json printed %v %q", other, err, out)
	}
	if m, err := model.LoadFile(refit.ModelPath(dir)); err != nil || m.Trial != other {
		t.Errorf("after refit --trial %d the model is %v, %v", other, m, err)
	}
}

func TestRefitRefuses(t *testing.T) {
	dir := runBestStudy(t, "iris-forest", refitForestSpec)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"trial that never ran", []string{"refit", dir, "--trial", "40"}, "trial 40 has no result"},
		{"negative trial", []string{"refit", dir, "--trial", "-2"}, "--trial must be a trial number"},
		{"not a study", []string{"refit", t.TempDir()}, "is not a study directory"},
		{"no study", []string{"refit"}, "want one STUDY_DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 saying %q", code, stderr, tt.want)
			}
		})
	}
}

// TestNoRefit: --no-refit and search.refit: false leave no model.
func TestNoRefit(t *testing.T) {
	for name, c := range map[string]struct{ spec, flag string }{
		"flag": {refitForestSpec, "--no-refit"},
		"spec": {strings.Replace(refitForestSpec, "seed: 3}", "seed: 3, refit: false}", 1), "--quiet"},
	} {
		t.Run(name, func(t *testing.T) {
			tmp := t.TempDir()
			path := writeFile(t, tmp, "s.yaml", c.spec)
			code, out, stderr := run(t, "run", path, "--dir", tmp, "--quiet", c.flag)
			if code != 0 {
				t.Fatalf("run: exit %d: %s", code, stderr)
			}
			if _, err := os.Stat(filepath.Join(tmp, "iris-forest", refit.Dir)); err == nil || strings.Contains(out, "refitted") {
				t.Errorf("the study was refitted:\n%s", out)
			}
		})
	}
}

// TestObjectiveStudyHasNothingToRefit: a study of an objective function
// ends without a model and does not fail; it says so once when its spec
// asked for a refit, or hpsearch refit does.
func TestObjectiveStudyHasNothingToRefit(t *testing.T) {
	tmp := t.TempDir()
	path := writeFile(t, tmp, "b.yaml", "name: b\nmodel: branin\nsearch: {method: random, max_trials: 3, seed: 1}\n")
	code, _, stderr := run(t, "run", path, "--dir", tmp, "--quiet")
	if code != 0 || strings.Contains(stderr, "refit") {
		t.Errorf("run: exit %d, stderr %q; want 0 and nothing said of a refit", code, stderr)
	}
	asked := writeFile(t, tmp, "asked.yaml", "name: asked\nmodel: branin\nsearch: {method: random, max_trials: 3, seed: 1, refit: true}\n")
	code, _, stderr = run(t, "run", asked, "--dir", tmp, "--quiet")
	if code != 0 || strings.Count(stderr, "nothing to refit") != 1 {
		t.Errorf("run with refit: true: exit %d, stderr %q; want 0 saying once that there is nothing to refit", code, stderr)
	}
	code, _, stderr = run(t, "refit", filepath.Join(tmp, "b"))
	if code != 0 || strings.Count(stderr, "nothing to refit") != 1 {
		t.Errorf("refit: exit %d, stderr %q; want 0 saying once that there is nothing to refit", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(tmp, "b", refit.Dir)); err == nil {
		t.Error("an objective study got a model directory")
	}
}

// TestRefitInterruptedStudy: a study that stopped before its end (its
// journal has no stop record, as after a crash) is refitted from the
// trials it finished.
func TestRefitInterruptedStudy(t *testing.T) {
	tmp := t.TempDir()
	path := writeFile(t, tmp, "s.yaml", refitForestSpec)
	if code, _, stderr := run(t, "run", path, "--dir", tmp, "--quiet", "--no-refit"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	dir := filepath.Join(tmp, "iris-forest")
	journal := filepath.Join(dir, "journal.jsonl")
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	var kept []string
	for _, l := range lines[:len(lines)-3] { // the last results and the stop record gone
		if !strings.Contains(l, `"type":"stop"`) {
			kept = append(kept, l)
		}
	}
	if err := os.WriteFile(journal, []byte(strings.Join(kept, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "refit", dir, "--json")
	if code != 0 {
		t.Fatalf("refit of an interrupted study: exit %d: %s", code, stderr)
	}
	var info refit.Info
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Rows != 150 {
		t.Errorf("refit --json: %v %q", err, out)
	}
	if _, err := model.LoadFile(refit.ModelPath(dir)); err != nil {
		t.Error(err)
	}
}
