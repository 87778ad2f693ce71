package results

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// rung is a complete result of configuration config at a rung of the
// budgets 1, 3, 9.
func rung(n, config, r int, score float64) trial.Result {
	x := res(n, trial.Complete, score)
	x.Budget = trial.Budget{Name: "n_estimators", Value: []float64{1, 3, 9}[r], Rung: r, Config: config, Max: 9}
	return x
}

func TestLeaderboardEarlyStopping(t *testing.T) {
	failed := rung(6, 2, 1, 0)
	failed.State, failed.Error = trial.Failed, "boom"
	rs := []trial.Result{
		rung(0, 0, 0, 0.5), rung(1, 1, 0, 0.9), rung(2, 2, 0, 0.7),
		rung(3, 1, 1, 0.92), rung(4, 1, 2, 0.91), // config 1 reaches the full budget
		rung(5, 5, 0, 0.99), // a lucky low rung
		failed,              // config 2's promotion failed: its rung 0 stands
	}
	rows := Leaderboard(rs, trial.Maximize)
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join([]string{string(r.Result.State), trial.FormatValue(r.Result.Number)}, " "))
	}
	want := []string{"complete 4", "pruned 5", "pruned 2", "pruned 0"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows %v, want %v", got, want)
	}
	if rows[0].Rank != 1 || rows[1].Rank != 0 {
		t.Errorf("ranks %d %d", rows[0].Rank, rows[1].Rank)
	}
	if StateOf(rs[3]) != trial.Pruned || StateOf(rs[4]) != trial.Complete || StateOf(res(9, trial.Complete, 1)) != trial.Complete {
		t.Errorf("StateOf")
	}
	var events []Event
	for _, r := range rs {
		tr := trial.Trial{Number: r.Number}
		events = append(events, DispatchEvent(tr, t0), ResultEvent(r, t0))
	}
	s := Summarize(events, trial.Maximize)
	if s.Complete != 1 || s.Pruned != 5 || s.Failed != 1 || s.Best == nil || s.Best.Number != 4 {
		t.Errorf("summary %+v", s)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rows, 0, "accuracy"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "RUNG  BUDGET") || !strings.Contains(b.String(), "2     n_estimators=9") {
		t.Errorf("table:\n%s", b.String())
	}
}
