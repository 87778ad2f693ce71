package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// hostileStudy writes a study directory whose journal holds terminal
// escapes and spreadsheet formulas in categorical values, a model name
// and an error, as a hostile journal or dataset would.
func hostileStudy(t *testing.T) string {
	t.Helper()
	spec := search.Spec{Name: "s", Metric: "neg_loss", Direction: trial.Maximize,
		Search: search.SearchSettings{Method: "random", MaxTrials: 2, Seed: 1}}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	j, err := results.Create(t.TempDir(), "s", []byte("name: s\n"), specJSON)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	params := []trial.Params{
		{"weights": "\x1b]0;owned\x07\x1b[2Jdistance", "link": `=HYPERLINK("http://evil","click")`, "alpha": -0.5},
		{"weights": "\u009b31mred", "link": "@SUM(A1)", "alpha": 2.0},
	}
	var events []results.Event
	for n, p := range params {
		r := trial.Result{Number: n, State: trial.Complete, Model: "+knn", Params: p, Score: -0.25, Seconds: 1}
		if n == 1 {
			r.State, r.Error = trial.Failed, "-1+2 \x1b[8mhidden"
		}
		events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: r.Model, Params: p}, at), results.ResultEvent(r, at))
	}
	if err := j.Append(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	return j.Dir()
}

// TestLeaderboardNeutralisesHostileText: the table shows control
// characters as escapes; csv quotes formulas with ' and keeps numbers;
// json keeps the values (escaped as JSON escapes them).
func TestLeaderboardNeutralisesHostileText(t *testing.T) {
	dir := hostileStudy(t)

	code, out, stderr := run(t, "leaderboard", dir)
	if code != 0 {
		t.Fatalf("table: exit %d: %s", code, stderr)
	}
	if strings.ContainsAny(out+stderr, "\x1b\x07\u009b") {
		t.Errorf("table holds raw control characters:\n%q", out)
	}
	for _, want := range []string{`\x1b]0;owned\x07\x1b[2Jdistance`, `\u009b31mred`, "NEG_LOSS", "+knn"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	code, out, stderr = run(t, "leaderboard", dir, "--format", "csv")
	if code != 0 {
		t.Fatalf("csv: exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("csv: %d records, %v:\n%s", len(recs), err, out)
	}
	cells := map[string]string{}
	for i, name := range recs[0] {
		cells[name] = recs[1][i]
		cells["failed "+name] = recs[2][i]
	}
	for name, want := range map[string]string{
		"model": "'+knn", "score": "-0.25", "params_alpha": "-0.5",
		"params_link": `'=HYPERLINK("http://evil","click")`, "failed params_link": "'@SUM(A1)",
		"failed error": `'-1+2 \x1b[8mhidden`, "params_weights": `\x1b]0;owned\x07\x1b[2Jdistance`,
	} {
		if cells[name] != want {
			t.Errorf("csv %s = %q, want %q", name, cells[name], want)
		}
	}

	code, out, stderr = run(t, "leaderboard", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, stderr)
	}
	var rows []struct {
		Model  string       `json:"model"`
		Params trial.Params `json:"params"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if rows[0].Model != "+knn" || rows[0].Params["link"] != `=HYPERLINK("http://evil","click")` || rows[0].Params["weights"] != "\x1b]0;owned\x07\x1b[2Jdistance" {
		t.Errorf("json changed the values: %+v", rows[0])
	}
}

// TestForgedResultRefused is the case: a result for trial
// 999999999999 appended to a study's journal. leaderboard and resume
// refuse it (exit 1), naming the journal's line, and resume changes
// nothing.
func TestForgedResultRefused(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--max-trials", "3", "--parallel", "1", "--quiet")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	study := filepath.Join(dir, "digits-knn-grid")
	path := filepath.Join(study, results.JournalFile)
	journal, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.Count(journal, []byte("\n")) + 1
	forged := `{"type":"result","result":{"number":999999999999,"state":"complete","model":"knn","params":{"n_neighbors":1},"seed":1,"score":1,"seconds":1}}` + "\n"
	damaged := append(journal, forged...)
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"leaderboard", study}, {"report", study, "-o", filepath.Join(dir, "r.html")}, {"resume", study}} {
		code, _, stderr := run(t, args...)
		if want := fmt.Sprintf("%s:%d:", path, line); code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "trial 999999999999") {
			t.Errorf("%s: exit %d, stderr %q; want 1 naming %s and the trial", args[0], code, stderr, want)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
		t.Error("resume changed the journal")
	}
}

// TestErrorsAreEscaped: an error that quotes a path (or a spec, or a
// journal) with control characters in it shows them as escapes.
func TestErrorsAreEscaped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x\x1b]0;owned\x07\u009b2J")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "leaderboard", dir)
	if code != 2 || strings.ContainsAny(stderr, "\x1b\x07\u009b") || !strings.Contains(stderr, `x\x1b]0;owned\x07\u009b2J`) {
		t.Errorf("exit %d, stderr %q; want 2 and the directory's name escaped", code, stderr)
	}
}

// TestSummaryAndProgressEscaped: the run's summary and progress lines
// show control characters in the study name and metric as escapes (a
// resumed study's spec.json may have been edited).
func TestSummaryAndProgressEscaped(t *testing.T) {
	spec := &search.Spec{Name: "s\x1b]0;owned\x07", Metric: "m\x1b[2J", Direction: trial.Maximize}
	best := trial.Result{Number: 1, State: trial.Complete, Model: "knn", Score: 0.5}
	var b bytes.Buffer
	writeRunText(&b, "dir", spec, scheduler.Outcome{Summary: results.Summary{Complete: 1, Best: &best}, Results: []trial.Result{best}}, 5)
	p := &progressReporter{w: &b, spec: spec}
	snap := scheduler.Snapshot{Summary: results.Summary{Best: &best}, Done: 1, Total: 2}
	text := b.String() + p.line(snap) + p.describe(snap)
	if strings.ContainsAny(text, "\x1b\x07") || !strings.Contains(text, `s\x1b]0;owned\x07`) || !strings.Contains(text, `m\x1b[2J`) {
		t.Errorf("summary and progress: %q", text)
	}
}
