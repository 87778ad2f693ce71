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

// StateOf is the state a result is counted and ranked in: its own, except
// that a complete result below its study's full budget (Budget.Value <
// Budget.Max, an intermediate rung of early stopping) is pruned, whether
// or not its configuration went on to a higher rung.
func StateOf(r trial.Result) trial.State {
	if r.State == trial.Complete && r.Budget.Max > 0 && r.Budget.Value < r.Budget.Max {
		return trial.Pruned
	}
	return r.State
}

// Leaderboard ranks trials from their results. Only the last final result
// of each trial number counts (a retried trial is ranked by its last
// attempt). Under early stopping a configuration runs as several trials,
// one per rung, sharing Budget.Config: it gets one row, its highest-budget
// result that did not fail (its lower rungs are superseded), or its last
// failure if all failed; the row's state is StateOf that result, so a
// configuration stopped below the full budget shows as pruned.
//
// Complete trials come first, best score in direction dir first, ties
// broken by trial number; then pruned trials, those that reached the
// highest budget first, then by score; then failed trials by number. A
// NaN score ranks below every other. Row.Result holds the result with its
// State set to the row's state; the results are not modified.
func Leaderboard(results []trial.Result, dir trial.Direction) []Row {
	last := make(map[int]int, len(results)) // trial number → index in results
	for i, r := range results {
		if r.State.Final() {
			last[r.Number] = i
		}
	}
	// One row per configuration: trials without a budget are their own.
	type key struct {
		budgeted bool
		n        int
	}
	pick := make(map[key]int, len(last))
	for n, i := range last {
		r := results[i]
		k := key{n: n}
		if r.Budget.Name != "" {
			k = key{budgeted: true, n: r.Budget.Config}
		}
		j, seen := pick[k]
		if !seen || supersedes(r, results[j]) {
			pick[k] = i
		}
	}
	// Sort the picks by index, not the rows: a Result is a few hundred
	// bytes to move, and a study may have 100,000 of them.
	type picked struct {
		i     int
		state trial.State
	}
	order := make([]picked, 0, len(pick))
	for _, i := range pick {
		order = append(order, picked{i, StateOf(results[i])})
	}
	slices.SortFunc(order, func(a, b picked) int {
		return compareStated(&results[a.i], a.state, &results[b.i], b.state, dir)
	})
	rows := make([]Row, len(order))
	for k, p := range order {
		rows[k].Result = results[p.i]
		rows[k].Result.State = p.state
	}
	for i := range rows {
		if rows[i].Result.State != trial.Complete {
			break
		}
		rows[i].Rank = i + 1
	}
	return rows
}

// supersedes reports whether r, a result of the same configuration as
// old, stands for it on the leaderboard instead: a result that did not
// fail beats one that did, then the higher budget, then the later trial.
func supersedes(r, old trial.Result) bool {
	if rf, of := r.State == trial.Failed, old.State == trial.Failed; rf != of {
		return of
	}
	if r.Budget.Value != old.Budget.Value {
		return r.Budget.Value > old.Budget.Value
	}
	return r.Number > old.Number
}

// compareResults orders results for the leaderboard: negative when a
// ranks above b. a and b are in their StateOf states.
func compareResults(a, b trial.Result, dir trial.Direction) int {
	return compareStated(&a, a.State, &b, b.State, dir)
}

// compareStated is compareResults of a in state as and b in state bs.
func compareStated(a *trial.Result, as trial.State, b *trial.Result, bs trial.State, dir trial.Direction) int {
	if c := cmp.Compare(stateOrder(as), stateOrder(bs)); c != 0 {
		return c
	}
	if as == trial.Pruned {
		if c := cmp.Compare(b.Budget.Value, a.Budget.Value); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Budget.Rung, a.Budget.Rung); c != 0 {
			return c
		}
	}
	if as != trial.Failed {
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
	// Complete, Pruned and Failed count trials by the StateOf their last
	// final result: under early stopping every rung below the full budget
	// counts as pruned.
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
		final      = map[int]*trial.Result{} // into events: no copies
	)
	for _, e := range events {
		switch e.Type {
		case EventDispatch:
			dispatched[e.Trial.Number] = true
		case EventResult:
			final[e.Result.Number] = e.Result
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
	for _, rp := range final {
		r := *rp
		r.State = StateOf(r)
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

// FoldStats returns the mean and the population standard deviation
// (ddof=0, as scikit-learn's mean_test_score and std_test_score) of a
// trial's fold scores; both are NaN when there are none.
func FoldStats(folds []float64) (mean, std float64) {
	if len(folds) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, f := range folds {
		mean += f
	}
	mean /= float64(len(folds))
	for _, f := range folds {
		std += (f - mean) * (f - mean)
	}
	return mean, math.Sqrt(std / float64(len(folds)))
}

// Summarizer counts a journal's trials one event at a time, as Summarize
// counts them all at once, keeping a few bytes a trial rather than the
// events. Each trial's final result should appear once, as a journal
// holds it (see Checker): a result that replaces an earlier one of the
// same trial is counted by its state, but Best then only ever improves.
// A Summarizer is not safe for concurrent use.
type Summarizer struct {
	dir        trial.Direction
	s          Summary
	dispatched map[int]struct{}
	state      map[int]trial.State // the state of each final result
}

// NewSummarizer returns a Summarizer of a study in direction dir.
func NewSummarizer(dir trial.Direction) *Summarizer {
	return &Summarizer{dir: dir, dispatched: map[int]struct{}{}, state: map[int]trial.State{}}
}

// Add counts e.
func (z *Summarizer) Add(e Event) {
	switch e.Type {
	case EventDispatch:
		if _, ok := z.dispatched[e.Trial.Number]; !ok {
			z.dispatched[e.Trial.Number] = struct{}{}
			z.s.Dispatched++
		}
	case EventResult:
		n := e.Result.Number
		if old, ok := z.state[n]; ok {
			z.count(old, -1)
		}
		r := *e.Result
		r.State = StateOf(r)
		z.state[n] = r.State
		z.count(r.State, 1)
		if r.State == trial.Complete && (z.s.Best == nil || compareResults(r, *z.s.Best, z.dir) < 0) {
			z.s.Best = &r
		}
	case EventStop:
		z.s.StopReason = e.Reason
	}
}

func (z *Summarizer) count(s trial.State, d int) {
	switch s {
	case trial.Complete:
		z.s.Complete += d
	case trial.Pruned:
		z.s.Pruned += d
	case trial.Failed:
		z.s.Failed += d
	}
}

// Summary returns the counts of the events added, as Summarize would.
func (z *Summarizer) Summary() Summary {
	s := z.s
	s.Running = 0
	for n := range z.dispatched {
		if _, final := z.state[n]; !final {
			s.Running++
		}
	}
	return s
}
