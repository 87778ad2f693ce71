package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// writeMixedStudy writes a study directory whose journal has every kind
// of trial a report shows: failed trials, a command objective's steps
// (one pruned), ASHA rungs below and at the full budget, a retried trial,
// results out of number order, and a trial still running.
func writeMixedStudy(tb testing.TB) string {
	tb.Helper()
	spec := search.Spec{Name: "mixed", Metric: "accuracy", Direction: trial.Maximize,
		EarlyStopping: &search.EarlyStopping{Type: "asha", Budget: "epochs"},
		Search:        search.SearchSettings{Method: "random", MaxTrials: 40, Seed: 1},
		Models: []search.ModelSpace{{Model: "svc", Params: []search.Dimension{
			{Name: "c", Kind: trial.Float, Min: 1e-3, Max: 1e3, Log: true},
			{Name: "kernel", Kind: trial.Categorical, Values: []any{"rbf", "linear"}}}}}}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	j, err := results.Create(dir, "mixed", []byte("name: mixed\n"), specJSON)
	if err != nil {
		tb.Fatal(err)
	}
	defer j.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var events []results.Event
	params := func(i int) trial.Params {
		return trial.Params{"c": math.Pow(10, float64(i%7)-3), "kernel": []string{"rbf", "linear"}[i%2]}
	}
	dispatch := func(n int, b trial.Budget, attempt, s int) {
		events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: "svc", Params: params(n), Seed: uint64(n), Budget: b, Attempt: attempt}, at(s)))
	}
	result := func(r trial.Result, s int) {
		r.Model, r.Params, r.Seed = "svc", params(r.Number), uint64(r.Number)
		r.Started, r.Finished = at(s-1), at(s)
		events = append(events, results.ResultEvent(r, at(s)))
	}
	n := 0
	for i := range 20 {
		dispatch(n, trial.Budget{}, 1, n)
		r := trial.Result{Number: n, State: trial.Complete, Score: 0.5 + 0.01*float64((i*37)%41), Seconds: 1}
		if i%7 == 3 {
			r.State, r.Score, r.Error = trial.Failed, 0, fmt.Sprintf("boom %d", i)
		}
		result(r, n+1)
		n++
	}
	dispatch(n, trial.Budget{}, 1, 30)
	dispatch(n+1, trial.Budget{}, 1, 30)
	result(trial.Result{Number: n + 1, State: trial.Complete, Score: 0.93, Seconds: 1}, 31)
	dispatch(n, trial.Budget{}, 2, 32)
	result(trial.Result{Number: n, State: trial.Complete, Score: 0.97, Seconds: 1}, 33)
	n += 2
	for i := range 3 {
		dispatch(n, trial.Budget{}, 1, 40+i)
		r := trial.Result{Number: n, State: trial.Complete, Seconds: 2}
		for s := range 4 + i {
			r.Steps = append(r.Steps, trial.Step{Step: int64(s), Value: 0.1*float64(s) + 0.05*float64(i)})
		}
		r.Score = r.Steps[len(r.Steps)-1].Value
		if i == 1 {
			r.State = trial.Pruned
		}
		result(r, 44+i)
		n++
	}
	first := n
	rung := func(config, rung int, value, score float64, s int) {
		b := trial.Budget{Name: "epochs", Value: value, Rung: rung, Config: config, Max: 9}
		dispatch(n, b, 1, s)
		result(trial.Result{Number: n, State: trial.Complete, Budget: b, Score: score, Seconds: value}, s+1)
		n++
	}
	for c := range 3 {
		rung(first+c, 0, 1, 0.6+0.05*float64(c), 50+c)
	}
	rung(first+2, 1, 3, 0.8, 60)
	rung(first+2, 2, 9, 0.91, 70)
	dispatch(n, trial.Budget{}, 1, 80)
	if err := j.Append(context.Background(), events...); err != nil {
		tb.Fatal(err)
	}
	return j.Dir()
}

// TestLoadTrialsReportsAsLoad: a report of a study streamed (LoadTrials,
// which keeps a result a trial) is the report of the study read whole
// (Load, every event), byte for byte, with the leaderboard cut to its
// top rows and whole.
func TestLoadTrialsReportsAsLoad(t *testing.T) {
	dir := writeMixedStudy(t)
	ctx := context.Background()
	for _, top := range []int{0, 5} {
		t.Run(fmt.Sprintf("top %d", top), func(t *testing.T) {
			whole, err := report.Load(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			streamed, err := report.LoadTrials(ctx, dir)
			if err != nil {
				t.Fatal(err)
			}
			if streamed.Events != nil {
				t.Errorf("LoadTrials kept %d events, want none", len(streamed.Events))
			}
			if got := streamed.Trials().Kept(); got != 30 {
				t.Errorf("LoadTrials kept %d results, want 30 (one a trial with a result)", got)
			}
			var a, b bytes.Buffer
			if err := report.WriteHTML(&a, whole, report.Options{Top: top}); err != nil {
				t.Fatal(err)
			}
			if err := report.WriteHTML(&b, streamed, report.Options{Top: top}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("the reports differ: %d bytes read whole, %d streamed", a.Len(), b.Len())
			}
			rows, total := streamed.Top(top)
			all := whole.Rows()
			if total != len(all) || top > 0 && len(rows) != top || top == 0 && len(rows) != len(all) {
				t.Errorf("Top(%d): %d rows of %d, want the leaderboard's first of %d", top, len(rows), total, len(all))
			}
			for i := range rows {
				if rows[i].Result.Number != all[i].Result.Number || rows[i].Rank != all[i].Rank {
					t.Errorf("row %d: trial %d rank %d, want trial %d rank %d", i, rows[i].Result.Number, rows[i].Rank, all[i].Result.Number, all[i].Rank)
				}
			}
		})
	}
}

func TestLoadTrialsOfADirectoryThatIsNoStudyIsBadInput(t *testing.T) {
	_, err := report.LoadTrials(context.Background(), t.TempDir())
	if !errors.Is(err, trial.ErrBadInput) {
		t.Fatalf("LoadTrials of an empty directory: %v, want trial.ErrBadInput", err)
	}
}
