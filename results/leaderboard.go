package results

import (
	"cmp"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// Row is one trial on the leaderboard.
type Row struct {
	// Rank is the 1-based position among complete trials; 0 for pruned
	// and failed trials, which are listed after them unranked.
	Rank   int
	Result trial.Result
}

// Leaderboard ranks trials from their results. Only the last final result
// of each trial number counts (a retried trial is ranked by its last
// attempt). Complete trials come first, best score in direction dir first,
// ties broken by trial number; then pruned trials, those that reached the
// highest rung first, then by score; then failed trials by number. A NaN
// score ranks below every other. The results are not modified.
func Leaderboard(results []trial.Result, dir trial.Direction) []Row {
	last := make(map[int]int, len(results)) // trial number → index in results
	for i, r := range results {
		if r.State.Final() {
			last[r.Number] = i
		}
	}
	rows := make([]Row, 0, len(last))
	for _, i := range last {
		rows = append(rows, Row{Result: results[i]})
	}
	slices.SortFunc(rows, func(a, b Row) int { return compareResults(a.Result, b.Result, dir) })
	for i := range rows {
		if rows[i].Result.State != trial.Complete {
			break
		}
		rows[i].Rank = i + 1
	}
	return rows
}

// compareResults orders results for the leaderboard: negative when a
// ranks above b.
func compareResults(a, b trial.Result, dir trial.Direction) int {
	if c := cmp.Compare(stateOrder(a.State), stateOrder(b.State)); c != 0 {
		return c
	}
	if a.State == trial.Pruned {
		if c := cmp.Compare(b.Budget.Rung, a.Budget.Rung); c != 0 {
			return c
		}
	}
	if a.State != trial.Failed {
		if c := compareScores(a.Score, b.Score, dir); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.Number, b.Number)
}

func stateOrder(s trial.State) int {
	switch s {
	case trial.Complete:
		return 0
	case trial.Pruned:
		return 1
	}
	return 2
}

// compareScores is negative when a is better than b in dir; NaN is worst.
func compareScores(a, b float64, dir trial.Direction) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case dir.Better(a, b):
		return -1
	case dir.Better(b, a):
		return 1
	}
	return 0
}

// Summary counts a study's trials by state.
type Summary struct {
	// Dispatched counts distinct trial numbers dispatched.
	Dispatched int
	// Complete, Pruned and Failed count trials by their last final result.
	Complete, Pruned, Failed int
	// Running counts trials dispatched without a final result: running,
	// or in flight when the study stopped.
	Running int
	// Best is the best complete trial, nil if there is none.
	Best *trial.Result
	// StopReason is the reason of the last stop event; empty if the study
	// has not stopped (or died without saying why).
	StopReason string
}

// Summarize counts the trials of a journal's events; dir says which
// score is best.
func Summarize(events []Event, dir trial.Direction) Summary {
	var (
		s          Summary
		dispatched = map[int]bool{}
		final      = map[int]trial.Result{}
	)
	for _, e := range events {
		switch e.Type {
		case EventDispatch:
			dispatched[e.Trial.Number] = true
		case EventResult:
			final[e.Result.Number] = *e.Result
		case EventStop:
			s.StopReason = e.Reason
		}
	}
	s.Dispatched = len(dispatched)
	for n := range dispatched {
		if _, ok := final[n]; !ok {
			s.Running++
		}
	}
	for _, r := range final {
		switch r.State {
		case trial.Complete:
			s.Complete++
			if s.Best == nil || compareResults(r, *s.Best, dir) < 0 {
				best := r
				s.Best = &best
			}
		case trial.Pruned:
			s.Pruned++
		case trial.Failed:
			s.Failed++
		}
	}
	return s
}
