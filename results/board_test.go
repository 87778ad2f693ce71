package results_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestBoardIsLeaderboardsTop: a Board fed results one at a time returns
// the first top rows of Leaderboard over the same results, whatever top,
// for studies with ties, NaN scores, failures and early stopping.
func TestBoardIsLeaderboardsTop(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		budgeted := seed%3 == 0
		var rs []trial.Result
		for n := range 1 + rng.IntN(300) {
			r := trial.Result{Number: n, State: trial.Complete, Model: "m", Score: float64(rng.IntN(50)) / 10}
			switch rng.IntN(10) {
			case 0:
				r.State, r.Score = trial.Failed, 0
			case 1:
				r.State = trial.Pruned
			case 2:
				r.Score = math.NaN()
			}
			if budgeted {
				rung := rng.IntN(3)
				r.Budget = trial.Budget{Name: "max_iter", Value: []float64{3, 9, 27}[rung], Rung: rung, Config: rng.IntN(n + 1), Max: 27}
			}
			rs = append(rs, r)
		}
		for _, dir := range []trial.Direction{trial.Minimize, trial.Maximize} {
			want := results.Leaderboard(rs, dir)
			for _, top := range []int{0, 1, 5, 20, len(rs) + 3} {
				t.Run(fmt.Sprintf("seed%d/%s/top%d", seed, dir, top), func(t *testing.T) {
					b := results.NewBoard(dir, top)
					for _, r := range rs {
						b.Add(r)
					}
					w := want
					if top > 0 && len(w) > top {
						w = w[:top]
					}
					got := b.Rows()
					if len(got) != len(w) {
						t.Fatalf("%d rows, want %d", len(got), len(w))
					}
					for i := range w {
						if got[i].Rank != w[i].Rank || got[i].Result.Number != w[i].Result.Number || got[i].Result.State != w[i].Result.State ||
							!reflect.DeepEqual(got[i].Result.Budget, w[i].Result.Budget) {
							t.Fatalf("row %d: rank %d trial %d %s, want rank %d trial %d %s", i,
								got[i].Rank, got[i].Result.Number, got[i].Result.State, w[i].Rank, w[i].Result.Number, w[i].Result.State)
						}
					}
				})
			}
		}
	}
}
