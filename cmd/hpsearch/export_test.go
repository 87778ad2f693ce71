package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

const exportForestSpec = `name: export-forest
dataset: wine
model: random_forest
cv: {folds: 3, seed: 0}
search: {method: random, max_trials: 24, seed: 7}
early_stopping: {type: asha, budget: n_estimators, min: 4, max: 36, eta: 3}
parameters:
  max_depth: {min: 2, max: 8}
  max_features: {values: [sqrt, 0.5]}
`

func TestExportCSVOfAnEarlyStoppedStudy(t *testing.T) {
	dir := runBestStudy(t, "export-forest", exportForestSpec)
	code, out, stderr := run(t, "export", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	for _, c := range []string{"number", "state", "model", "params_max_depth", "params_max_features", "score",
		"fold_mean", "fold_std", "fold_0", "fold_1", "fold_2", "seconds", "budget_name", "budget", "rung", "cost_usd", "error"} {
		if _, ok := col[c]; !ok {
			t.Errorf("no column %s in %v", c, recs[0])
		}
	}
	if len(recs) != 25 {
		t.Fatalf("%d trials exported, want 24", len(recs)-1)
	}
	rungs := map[string]bool{}
	for _, r := range recs[1:] {
		if r[col["budget_name"]] != "n_estimators" || r[col["budget"]] == "" {
			t.Errorf("trial %s has no budget: %v", r[col["number"]], r)
		}
		rungs[r[col["rung"]]+" "+r[col["state"]]] = true
		if r[col["cost_usd"]] != "" {
			t.Errorf("a local trial has a cost: %v", r)
		}
	}
	if !rungs["0 pruned"] || !rungs["2 complete"] {
		t.Errorf("rungs and states %v, want pruned trials at rung 0 and complete ones at rung 2 (the full budget)", rungs)
	}
}

func TestExportFormatsOfAFailedTrial(t *testing.T) {
	dir := failedStudy(t)
	out := t.TempDir()
	for _, f := range []string{"trials.csv", "trials.jsonl", "trials.parquet"} {
		if code, _, stderr := run(t, "export", dir, "--output", filepath.Join(out, f)); code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, stderr)
		}
	}
	const wantErr = "fold 1: \"bad\", very bad\nsecond line"

	b, _ := os.ReadFile(filepath.Join(out, "trials.csv"))
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv %v: %v", recs, err)
	}
	if got := recs[1][len(recs[1])-1]; got != wantErr || recs[1][1] != "failed" {
		t.Errorf("csv row %q, want a failed trial with error %q", recs[1], wantErr)
	}

	b, _ = os.ReadFile(filepath.Join(out, "trials.jsonl"))
	var row map[string]any
	if err := json.Unmarshal(b, &row); err != nil {
		t.Fatalf("jsonl: %v: %s", err, b)
	}
	if row["error"] != wantErr || row["score"] != nil || row["params_n_neighbors"] != 3.0 {
		t.Errorf("jsonl row %v", row)
	}

	b, _ = os.ReadFile(filepath.Join(out, "trials.parquet"))
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("parquet: %v", err)
	}
	var cols []string
	for _, c := range pf.Schema().Columns() {
		cols = append(cols, c[0])
	}
	if !slices.Equal(cols, recs[0]) {
		t.Errorf("parquet columns %v, csv's %v", cols, recs[0])
	}
	rows := make([]parquet.Row, 1)
	if n, _ := parquet.NewReader(bytes.NewReader(b)).ReadRows(rows); n != 1 {
		t.Fatalf("parquet: read %d rows", n)
	}
	if got := rows[0][len(cols)-1].String(); got != wantErr {
		t.Errorf("parquet error cell %q, want %q", got, wantErr)
	}
}

func TestExportRefuses(t *testing.T) {
	dir := failedStudy(t)
	for _, tt := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown format", []string{"export", dir, "--format", "xlsx"}, "--format must be csv, jsonl or parquet"},
		{"no study", []string{"export"}, "want one STUDY_DIR"},
		{"not a study", []string{"export", t.TempDir()}, "not a study directory"},
	} {
		if code, _, stderr := run(t, tt.args...); code != 2 || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", tt.name, code, stderr, tt.stderr)
		}
	}
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, stdoutTTY: true}
	if code := runMain(t.Context(), e, []string{"export", dir, "--format", "parquet"}); code != 2 || !strings.Contains(errOut.String(), "--output") {
		t.Errorf("parquet to a terminal: exit %d, stderr %q; want exit 2 naming --output", code, errOut.String())
	}
}
