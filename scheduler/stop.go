package scheduler

import (
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Reasons for the stop rules of StopRules.
const (
	// StopTarget: a full-budget result reached StopRules.Target.
	StopTarget = "target"
	// StopPatience: StopRules.Patience full-budget results in a row did
	// not improve on the best.
	StopPatience = "patience"
	// StopMaxTime: StopRules.MaxTime passed since Run started.
	StopMaxTime = "max_time"
	// StopMaxCost: the results' summed cost reached StopRules.MaxCost.
	StopMaxCost = "max_cost"
)

// CostKey is the key of trial.Result.Backend under which an executor that
// meters its cost reports the cost of one execution, in US dollars.
const CostKey = "cost_usd"

// StopRules are the study stop rules beyond MaxTrials and MaxFailed. The
// zero value has none. Like those, a rule stops dispatching; trials in
// flight finish and are journaled, then Run writes the stop event with
// the rule's reason.
//
// Rules judge each result when it is queued for the journal, as the
// sampler is told it (see Run): before anything more is dispatched, so at
// Parallel 1 no trial follows the one that met a rule; and in journal
// order, as a resumed study replays them, so they are as reproducible as
// the study. Only full-budget results count for Target and Patience (see
// results.StateOf): under early stopping a low rung's score is not
// comparable with the final ones.
type StopRules struct {
	// Target stops the study once a full-budget result scores at least
	// this well in Config.Direction (>= when maximizing, <= when
	// minimizing). nil: no target.
	Target *float64
	// Patience stops the study after this many full-budget results in a
	// row without a strictly better score than the best before them. 0:
	// no limit.
	Patience int
	// MaxTime stops dispatching once this much time (by Config.Now) has
	// passed since Run started. 0: no limit.
	MaxTime time.Duration
	// MaxCost stops dispatching before the study would exceed this many
	// US dollars: a trial is dispatched only while the finished results'
	// costs (Result.Backend[CostKey]) plus the expected cost of the trials
	// in flight and of the new one (each at the mean cost so far) stay
	// within it. 0: no limit.
	MaxCost float64
}

// stopper applies StopRules to results as they are queued for the journal.
type stopper struct {
	rules    StopRules
	dir      trial.Direction
	best     float64
	haveBest bool
	stale    int // full-budget results since the last improvement
	cost     float64
	costed   int // results that reported a cost
}

// observe takes one result queued for the journal and returns the reason
// to stop, or "" to go on.
func (st *stopper) observe(r trial.Result) string {
	if st.rules.MaxCost > 0 && st.cost >= st.rules.MaxCost {
		return StopMaxCost
	}
	if results.StateOf(r) != trial.Complete {
		return ""
	}
	if t := st.rules.Target; t != nil && !st.dir.Better(*t, r.Score) {
		return StopTarget
	}
	if !st.haveBest || st.dir.Better(r.Score, st.best) {
		st.best, st.haveBest, st.stale = r.Score, true, 0
		return ""
	}
	st.stale++
	if st.rules.Patience > 0 && st.stale >= st.rules.Patience {
		return StopPatience
	}
	return ""
}

// spend counts the cost of a finished execution as soon as it is known,
// journaled or not: money spent is spent.
func (st *stopper) spend(r trial.Result) {
	if c, ok := r.Backend[CostKey]; ok {
		st.cost += c
		st.costed++
	}
}

// overBudget reports whether dispatching one more trial, with inflight
// trials already running, could take the study past MaxCost, each
// unfinished trial expected to cost the mean of those finished.
func (st *stopper) overBudget(inflight int) bool {
	if st.rules.MaxCost <= 0 || st.costed == 0 {
		return false
	}
	mean := st.cost / float64(st.costed)
	return st.cost+float64(inflight+1)*mean > st.rules.MaxCost
}

// timeUp reports whether MaxTime has passed since start.
func (st *stopper) timeUp(start, now time.Time) bool {
	return st.rules.MaxTime > 0 && now.Sub(start) >= st.rules.MaxTime
}

// deadline returns a channel that fires when MaxTime has passed in wall
// time, to wake the loop when no trial finishes; nil without MaxTime.
func (st *stopper) deadline() (<-chan time.Time, func()) {
	if st.rules.MaxTime <= 0 {
		return nil, func() {}
	}
	t := time.NewTimer(st.rules.MaxTime)
	return t.C, func() { t.Stop() }
}
