package results

import (
	"math"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func res(n int, s trial.State, score float64) trial.Result {
	return trial.Result{Number: n, State: s, Model: "knn", Score: score, Params: trial.Params{"k": float64(n)}}
}

func numbers(rows []Row) []int {
	var ns []int
	for _, r := range rows {
		ns = append(ns, r.Result.Number)
	}
	return ns
}

func ranks(rows []Row) []int {
	var rs []int
	for _, r := range rows {
		rs = append(rs, r.Rank)
	}
	return rs
}

func TestLeaderboard(t *testing.T) {
	pruned := func(n, rung int, score float64) trial.Result {
		r := res(n, trial.Pruned, score)
		r.Budget.Rung = rung
		return r
	}
	for _, tc := range []struct {
		name    string
		results []trial.Result
		dir     trial.Direction
		order   []int
		ranks   []int
	}{
		{"maximize", []trial.Result{res(0, trial.Complete, 0.8), res(1, trial.Complete, 0.9), res(2, trial.Complete, 0.7)},
			trial.Maximize, []int{1, 0, 2}, []int{1, 2, 3}},
		{"minimize", []trial.Result{res(0, trial.Complete, 0.8), res(1, trial.Complete, 0.9), res(2, trial.Complete, 0.7)},
			trial.Minimize, []int{2, 0, 1}, []int{1, 2, 3}},
		{"ties by number", []trial.Result{res(3, trial.Complete, 0.5), res(1, trial.Complete, 0.5), res(2, trial.Complete, 0.5)},
			trial.Maximize, []int{1, 2, 3}, []int{1, 2, 3}},
		{"complete then pruned then failed", []trial.Result{
			res(0, trial.Failed, 0), pruned(1, 0, 0.99), res(2, trial.Complete, 0.1), pruned(3, 1, 0.5), pruned(4, 1, 0.6), res(5, trial.Failed, 0)},
			trial.Maximize, []int{2, 4, 3, 1, 0, 5}, []int{1, 0, 0, 0, 0, 0}},
		{"last result wins", []trial.Result{res(0, trial.Failed, 0), res(1, trial.Complete, 0.5), res(0, trial.Complete, 0.9), res(1, trial.Failed, 0)},
			trial.Maximize, []int{0, 1}, []int{1, 0}},
		{"non-final ignored", []trial.Result{res(0, trial.Running, 0), res(1, trial.Complete, 0.5)},
			trial.Maximize, []int{1}, []int{1}},
		{"NaN last", []trial.Result{res(0, trial.Complete, math.NaN()), res(1, trial.Complete, -5)},
			trial.Maximize, []int{1, 0}, []int{1, 2}},
		{"NaN last minimizing", []trial.Result{res(0, trial.Complete, math.NaN()), res(1, trial.Complete, 5)},
			trial.Minimize, []int{1, 0}, []int{1, 2}},
		{"empty", nil, trial.Maximize, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := Leaderboard(tc.results, tc.dir)
			if got := numbers(rows); !slices.Equal(got, tc.order) {
				t.Errorf("order = %v, want %v", got, tc.order)
			}
			if got := ranks(rows); !slices.Equal(got, tc.ranks) {
				t.Errorf("ranks = %v, want %v", got, tc.ranks)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	events := []Event{
		StudyEvent("s", t0),
		DispatchEvent(trial.Trial{Number: 0}, t0),
		DispatchEvent(trial.Trial{Number: 1}, t0),
		DispatchEvent(trial.Trial{Number: 2}, t0),
		DispatchEvent(trial.Trial{Number: 3}, t0),
		DispatchEvent(trial.Trial{Number: 4}, t0),
		ResultEvent(res(1, trial.Complete, 0.3), t0),
		ResultEvent(res(0, trial.Complete, 0.2), t0),
		ResultEvent(res(2, trial.Failed, 0), t0),
		ResultEvent(res(3, trial.Pruned, 0.1), t0),
		DispatchEvent(trial.Trial{Number: 2, Attempt: 2}, t0),
		ResultEvent(res(2, trial.Complete, 0.25), t0),
		StopEvent("interrupted", t0),
	}
	for _, tc := range []struct {
		dir  trial.Direction
		best int
	}{{trial.Maximize, 1}, {trial.Minimize, 0}} {
		s := Summarize(events, tc.dir)
		want := Summary{Dispatched: 5, Complete: 3, Pruned: 1, Failed: 0, Running: 1, StopReason: "interrupted"}
		best := s.Best
		s.Best = nil
		if s != want {
			t.Errorf("%s: Summarize = %+v, want %+v", tc.dir, s, want)
		}
		if best == nil || best.Number != tc.best {
			t.Errorf("%s: best = %+v, want trial %d", tc.dir, best, tc.best)
		}
	}
	if s := Summarize(nil, trial.Maximize); s != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v", s)
	}
}

func TestFoldStatsArePopulationMeanAndStd(t *testing.T) {
	for _, tt := range []struct {
		folds     []float64
		mean, std float64
	}{
		{[]float64{1}, 1, 0},
		{[]float64{0.8, 1}, 0.9, 0.1},
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, 2}, // ddof=0, as std_test_score
	} {
		mean, std := FoldStats(tt.folds)
		if math.Abs(mean-tt.mean) > 1e-12 || math.Abs(std-tt.std) > 1e-12 {
			t.Errorf("FoldStats(%v) = %g, %g; want %g, %g", tt.folds, mean, std, tt.mean, tt.std)
		}
	}
	if mean, std := FoldStats(nil); !math.IsNaN(mean) || !math.IsNaN(std) {
		t.Errorf("FoldStats(nil) = %g, %g; want NaN, NaN", mean, std)
	}
}
