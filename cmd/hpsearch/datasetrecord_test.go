package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
)

// TestResumeRelativeDataset: a study whose spec names its dataset by a
// path relative to the spec file records the file's absolute path and
// sha256; "hpsearch resume DIR" reads the file from there, and refuses,
// naming the file, when its content changed. A study from before the
// record is refused as before, saying where to resume it from.
func TestResumeRelativeDataset(t *testing.T) {
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("a,b,label\n")
	for i := range 60 {
		fmt.Fprintf(&csv, "%d,%d,%s\n", i%7, (i*3)%11, []string{"x", "y"}[i%2])
	}
	data := writeFile(t, mkdir(t, dir, "data"), "small.csv", csv.String())
	spec := writeFile(t, mkdir(t, dir, "specs"), "s.yaml", `name: rel
dataset: ../data/small.csv
model: knn
cv: {folds: 2, seed: 0}
search: {method: random, max_trials: 2, parallel: 1, seed: 1}
parameters:
  n_neighbors: {min: 1, max: 9}
`)
	runs := filepath.Join(dir, "runs")
	if code, _, stderr := run(t, "run", spec, "--dir", runs, "--quiet"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	study := filepath.Join(runs, "rel")
	specJSON, err := os.ReadFile(filepath.Join(study, results.SpecJSONFile))
	if err != nil {
		t.Fatal(err)
	}
	rec := recordedDatasetFile(specJSON)
	if rec == nil || rec.Path != data || len(rec.SHA256) != 64 {
		t.Fatalf("spec.json records %+v, want %s with its sha256:\n%s", rec, data, specJSON)
	}

	code, out, stderr := run(t, "resume", study, "--max-trials", "4", "--quiet", "--json")
	var got runSummary
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Trials.Complete != 4 {
		t.Fatalf("resume: exit %d, %+v: %s", code, got.Trials, stderr)
	}

	// The file changed: its new trials would not compare with the old.
	if err := os.WriteFile(data, []byte(csv.String()+"3,3,x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "resume", study, "--max-trials", "6", "--quiet")
	if code != 2 || !strings.Contains(stderr, "dataset "+data+" has changed since the study started") {
		t.Errorf("resume with a changed dataset: exit %d, want 2 saying it changed: %s", code, stderr)
	}
	// So does run --resume, from the spec itself.
	code, _, stderr = run(t, "run", spec, "--dir", runs, "--resume", "--max-trials", "6", "--quiet")
	if code != 2 || !strings.Contains(stderr, "has changed since the study started") {
		t.Errorf("run --resume with a changed dataset: exit %d, want 2 saying it changed: %s", code, stderr)
	}
	// Moved away: said plainly.
	os.WriteFile(data, []byte(csv.String()), 0o644)
	os.Rename(data, data+".moved")
	code, _, stderr = run(t, "resume", study, "--max-trials", "6", "--quiet")
	if code != 2 || !strings.Contains(stderr, "the study read it from "+data+", which is not there now") {
		t.Errorf("resume with the dataset moved: exit %d, want 2 saying where it was: %s", code, stderr)
	}
	os.Rename(data+".moved", data)

	// A study from before the record: refused as before, with where to
	// resume it from.
	var doc map[string]any
	json.Unmarshal(specJSON, &doc)
	delete(doc, "dataset_file")
	old, _ := json.Marshal(doc)
	os.WriteFile(filepath.Join(study, results.SpecJSONFile), old, 0o644)
	code, _, stderr = run(t, "resume", study, "--max-trials", "6", "--quiet")
	if code != 2 || !strings.Contains(stderr, "is a path relative to its spec file") {
		t.Errorf("resume of a study without the record: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, "run", spec, "--dir", runs, "--resume", "--max-trials", "6", "--quiet")
	if code != 0 {
		t.Errorf("run --resume of a study without the record: exit %d: %s", code, stderr)
	}
}

func mkdir(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
