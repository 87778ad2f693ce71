package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func sampleRows() []Row {
	ok := res(3, trial.Complete, 0.9666666666666667)
	ok.Params = trial.Params{"n_neighbors": float64(7), "weights": "distance"}
	ok.FoldScores = []float64{1, 0.9333333333333333}
	ok.Seconds = 0.125
	failed := res(5, trial.Failed, math.NaN())
	failed.Error = "fit: singular matrix"
	failed.Params = trial.Params{"n_neighbors": float64(500), "p": 1.5}
	return Leaderboard([]trial.Result{failed, ok}, trial.Maximize)
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, sampleRows(), 0, "accuracy"); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"RANK  TRIAL  STATE     MODEL  ACCURACY  SECONDS  MEAN ± STD       ERROR                 PARAMS\n" +
		"1     3      complete  knn    0.966667  0.12     0.9667 ± 0.0333  -                     n_neighbors=7 weights=distance\n" +
		"-     5      failed    knn    -         0.00     -                fit: singular matrix  n_neighbors=500 p=1.5\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteTable(&b, sampleRows(), 1, "")
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 3 ||
		!strings.Contains(lines[0], "SCORE") || lines[2] != "... 1 more trials" {
		t.Errorf("top 1 table:\n%s", b.String())
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sampleRows()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"rank", "trial", "state", "model", "score", "seconds", "error", "fold_scores", "fold_mean", "fold_std", "params_n_neighbors", "params_p", "params_weights"},
		{"1", "3", "complete", "knn", "0.9666666666666667", "0.125", "", "1;0.9333333333333333", "0.9666666666666667", "0.033333333333333326", "7", "", "distance"},
		{"", "5", "failed", "knn", "", "0", "fit: singular matrix", "", "", "", "500", "1.5", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if strings.Join(recs[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleRows()); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b.String())
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows", len(got))
	}
	best, failed := got[0], got[1]
	if best["trial"] != 3.0 || best["state"] != "complete" || best["model"] != "knn" || best["rank"] != 1.0 ||
		math.Abs(best["score"].(float64)-0.9666666666666667) > 1e-12 || best["seconds"] != 0.125 {
		t.Errorf("best row = %v", best)
	}
	if p := best["params"].(map[string]any); p["n_neighbors"] != 7.0 || p["weights"] != "distance" {
		t.Errorf("best params = %v", p)
	}
	if fs := best["fold_scores"].([]any); len(fs) != 2 {
		t.Errorf("fold_scores = %v", fs)
	}
	if m, sd := best["fold_mean"].(float64), best["fold_std"].(float64); math.Abs(m-0.9666666666666667) > 1e-12 || math.Abs(sd-1/30.0) > 1e-12 {
		t.Errorf("fold_mean, fold_std = %v, %v; want 0.96667 and the population std 0.03333", m, sd)
	}
	if _, ok := failed["fold_mean"]; ok {
		t.Errorf("failed row has a fold_mean")
	}
	if _, ok := best["error"]; ok {
		t.Errorf("complete row has an error field")
	}
	if failed["score"] != nil || failed["error"] != "fit: singular matrix" {
		t.Errorf("failed row = %v", failed)
	}
	if _, ok := failed["rank"]; ok {
		t.Errorf("failed row has a rank")
	}
}

func TestFoldCellLinesUpMeanAndStd(t *testing.T) {
	for _, c := range []struct {
		folds []float64
		want  string
	}{
		{[]float64{0.97, 0.98}, "0.9750 ± 0.0050"},
		{[]float64{-2000, -3000}, "-2500 ± 500"},
		{[]float64{0.012, 0.014}, "0.01300 ± 0.00100"},
		{[]float64{0, 0}, "0.000 ± 0.000"},
	} {
		if got := foldCell(trial.Result{State: trial.Complete, FoldScores: c.folds}); got != c.want {
			t.Errorf("foldCell(%v) = %q, want %q", c.folds, got, c.want)
		}
	}
}
