package results_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestTallySummarisesAsTheWholeList: a Tally fed a study's results one at
// a time gives the top rows of Leaderboard, its number of rows, and
// Failures, as computed from the whole list, with or without early
// stopping; with keep it holds the list itself.
func TestTallySummarisesAsTheWholeList(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 11))
		budgeted := seed%2 == 1
		var rs []trial.Result
		for n := range 1 + rng.IntN(200) {
			r := trial.Result{Number: n, State: trial.Complete, Model: "m", Score: float64(rng.IntN(40))}
			switch rng.IntN(6) {
			case 0:
				r.State, r.Error = trial.Failed, fmt.Sprintf("fold %d: %d rows", rng.IntN(5), rng.IntN(100))
			case 1:
				r.State, r.Error = trial.Failed, "out of memory"
			case 2:
				r.State = trial.Pruned
			}
			if budgeted {
				rung := rng.IntN(3)
				r.Budget = trial.Budget{Name: "max_iter", Value: []float64{3, 9, 27}[rung], Rung: rung, Config: rng.IntN(n + 1), Max: 27}
			}
			rs = append(rs, r)
		}
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			const top = 5
			tl := results.NewTally(trial.Minimize, top, seed%4 == 0)
			for _, r := range rs {
				tl.Add(r)
			}
			want := results.Leaderboard(rs, trial.Minimize)
			if tl.Total() != len(want) {
				t.Errorf("Total %d, leaderboard has %d rows", tl.Total(), len(want))
			}
			got := tl.Rows()
			if len(want) > top {
				want = want[:top]
			}
			if len(got) != len(want) {
				t.Fatalf("%d rows, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i].Rank != want[i].Rank || got[i].Result.Number != want[i].Result.Number {
					t.Errorf("row %d: rank %d trial %d, want rank %d trial %d", i, got[i].Rank, got[i].Result.Number, want[i].Rank, want[i].Result.Number)
				}
			}
			if g, w := tl.Failures(), results.Failures(rs); !reflect.DeepEqual(g, w) {
				t.Errorf("Failures\n got %+v\nwant %+v", g, w)
			}
			if seed%4 == 0 && !reflect.DeepEqual(tl.Kept(), rs) {
				t.Errorf("keep: Kept has %d results, want the %d added", len(tl.Kept()), len(rs))
			}
			if seed%4 != 0 && tl.Kept() != nil {
				t.Errorf("without keep Kept has %d results", len(tl.Kept()))
			}
		})
	}
}

// TestTallyKeepsEveryResultInOrder: with keep, Kept returns every
// result added, in order, however many (here several chunks' worth),
// and an empty list, not nil, before any; each call returns a slice of
// its own.
func TestTallyKeepsEveryResultInOrder(t *testing.T) {
	tl := results.NewTally(trial.Maximize, 3, true)
	if k := tl.Kept(); k == nil || len(k) != 0 {
		t.Fatalf("Kept before any result = %v, want empty and not nil", k)
	}
	var rs []trial.Result
	for n := range 2500 {
		r := trial.Result{Number: n, State: trial.Complete, Model: "m", Score: float64(n % 7), Backend: map[string]float64{"billed_ms": float64(n)}}
		rs = append(rs, r)
		tl.Add(r)
	}
	got := tl.Kept()
	if !reflect.DeepEqual(got, rs) {
		t.Fatalf("Kept has %d results, want the %d added in order", len(got), len(rs))
	}
	got[0].Number = -1
	if tl.Kept()[0].Number != 0 {
		t.Error("changing the slice Kept returned changed the tally")
	}
}

// TestTallyForgetsAFailureARetryReplaced: a trial that failed and then
// completed (a retry recorded after it) is not among the failures, as
// Failures counts it.
func TestTallyForgetsAFailureARetryReplaced(t *testing.T) {
	tl := results.NewTally(trial.Maximize, 10, false)
	tl.Add(trial.Result{Number: 3, State: trial.Failed, Error: "boom"})
	tl.Add(trial.Result{Number: 3, State: trial.Complete, Score: 1})
	if f := tl.Failures(); len(f) != 0 {
		t.Errorf("failures %+v, want none", f)
	}
}
