package studycharts

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Trials is a study's trials as the charts, the report and the
// dashboard's trial table need them, gathered from its journal one event
// at a time (Add): each trial number's result, or its first dispatch while
// it has none, the order the results came in, the journal's first and
// last times and its results.Summary. It keeps no events, so a study is
// held in the size of its results (a 100,000-trial study's dispatch
// events and the results' copies are not kept), and reading a journal into
// it streams (results.Journal.Scan).
//
// A journal holds at most one result a trial number, and only final ones
// (results.Checker, results.Event.Validate); of a hand-made list of events
// with more, Add keeps the last, as the leaderboard ranks it.
//
// Add must not be called concurrently with anything else; once the
// events are added, the methods only read, and what they return is shared
// with the Trials: callers must not change it.
type Trials struct {
	dir trial.Direction
	// recs holds one entry a trial number, in the order of its first
	// event: its result when hasResult, else its first dispatch as a
	// running result (NaN score), as the trial table shows it.
	recs      []trial.Result
	hasResult []bool
	// dispatched says a trial was dispatched (a hand-made journal may
	// have a result without its dispatch, which Summary does not count).
	dispatched []bool
	stopReason string
	// pos finds the entry in recs of a trial number n that is not at
	// index n: the scheduler numbers trials as it dispatches them, so
	// most are where their number says and need no entry (a map entry a
	// trial is a few megabytes of a 100,000-trial study).
	pos map[int]int32
	// order holds the indexes in recs of the results, in journal order.
	order []int32
	// inOrder says recs are in trial number order (the scheduler numbers
	// trials as it dispatches them); results says how many have a result.
	inOrder bool
	results int
	// budgeted says some result's results.StateOf differs from its
	// State (a rung below the full budget), so views that show StateOf
	// need a copy.
	budgeted    bool
	start, last time.Time
}

// NewTrials returns an empty Trials of a study in direction dir (which
// its Summary's best trial depends on).
func NewTrials(dir trial.Direction) *Trials {
	return &Trials{dir: dir, pos: map[int]int32{}, inOrder: true}
}

// TrialsOf gathers the trials of events, a journal read whole.
func TrialsOf(events []results.Event, dir trial.Direction) *Trials {
	t := NewTrials(dir)
	t.Grow(len(events) / 2)
	for _, e := range events {
		t.Add(e)
	}
	return t
}

// Grow makes room for about n more trials, for a reader that knows the
// journal's size.
func (t *Trials) Grow(n int) {
	if n > 0 {
		t.recs = slices.Grow(t.recs, n)
		t.hasResult = slices.Grow(t.hasResult, n)
		t.dispatched = slices.Grow(t.dispatched, n)
		t.order = slices.Grow(t.order, n)
	}
}

// Add adds one event of the journal, in journal order.
func (t *Trials) Add(e results.Event) {
	if !e.Time.IsZero() {
		if t.start.IsZero() || e.Time.Before(t.start) {
			t.start = e.Time
		}
		if e.Time.After(t.last) {
			t.last = e.Time
		}
	}
	switch {
	case e.Type == results.EventStop:
		t.stopReason = e.Reason
	case e.Type == results.EventDispatch && e.Trial != nil:
		tr := e.Trial
		i, ok := t.index(tr.Number)
		if !ok {
			i = t.insert(trial.Result{Number: tr.Number, State: trial.Running, Model: tr.Model, Params: tr.Params, Score: math.NaN()}, false)
		}
		t.dispatched[i] = true
	case e.Type == results.EventResult && e.Result != nil:
		r := *e.Result
		if results.StateOf(r) != r.State {
			t.budgeted = true
		}
		i, ok := t.index(r.Number)
		if !ok {
			i = t.insert(r, true)
		} else {
			if !t.hasResult[i] {
				t.results++
			}
			t.recs[i], t.hasResult[i] = r, true
		}
		t.order = append(t.order, i)
	}
}

// index returns the index in recs of trial n's entry, if it has one.
func (t *Trials) index(n int) (int32, bool) {
	if n >= 0 && n < len(t.recs) && t.recs[n].Number == n {
		return int32(n), true
	}
	i, ok := t.pos[n]
	return i, ok
}

// insert appends r as trial r.Number's entry and returns its index.
func (t *Trials) insert(r trial.Result, result bool) int32 {
	i := int32(len(t.recs))
	if n := len(t.recs); n > 0 && t.recs[n-1].Number > r.Number {
		t.inOrder = false
	}
	if int(i) != r.Number {
		t.pos[r.Number] = i
	}
	t.recs = append(t.recs, r)
	t.hasResult = append(t.hasResult, result)
	t.dispatched = append(t.dispatched, false)
	if result {
		t.results++
	}
	return i
}

// Summary counts the trials by state, as results.Summarize counts the
// events, from the results kept rather than maps of its own.
func (t *Trials) Summary() results.Summary {
	s := results.Summary{StopReason: t.stopReason}
	var best *trial.Result
	for i := range t.recs {
		if t.dispatched[i] {
			s.Dispatched++
			if !t.hasResult[i] {
				s.Running++
			}
		}
		if !t.hasResult[i] {
			continue
		}
		r := &t.recs[i]
		switch results.StateOf(*r) {
		case trial.Complete:
			s.Complete++
			if best == nil || ranksAbove(r, best, t.dir) {
				best = r
			}
		case trial.Pruned:
			s.Pruned++
		case trial.Failed:
			s.Failed++
		}
	}
	if best != nil {
		b := *best
		b.State = results.StateOf(b)
		s.Best = &b
	}
	return s
}

// ranksAbove reports whether complete result a ranks above complete
// result b on the leaderboard: a better score in dir (NaN is worst),
// then the lower number.
func ranksAbove(a, b *trial.Result, dir trial.Direction) bool {
	switch an, bn := math.IsNaN(a.Score), math.IsNaN(b.Score); {
	case an && !bn:
		return false
	case bn && !an:
		return true
	case !an && dir.Better(a.Score, b.Score):
		return true
	case !an && dir.Better(b.Score, a.Score):
		return false
	}
	return a.Number < b.Number
}

// Span returns the journal's first and last event times (zero when no
// event has one).
func (t *Trials) Span() (start, last time.Time) { return t.start, t.last }

// Kept counts the results kept: one a trial number with a result,
// whatever the number of events the journal holds.
func (t *Trials) Kept() int { return t.results }

// Finals returns each trial's final result, as the journal holds it (its
// State, not results.StateOf), in trial number order. When every trial
// has its result and the trials were numbered in order, it is the
// Trials' own slice, not a copy.
func (t *Trials) Finals() []trial.Result {
	if t.inOrder && t.results == len(t.recs) {
		return t.recs[:len(t.recs):len(t.recs)]
	}
	rs := make([]trial.Result, 0, t.results)
	for i, r := range t.recs {
		if t.hasResult[i] {
			rs = append(rs, r)
		}
	}
	if !t.inOrder {
		slices.SortFunc(rs, func(a, b trial.Result) int { return cmp.Compare(a.Number, b.Number) })
	}
	return rs
}

// finalsOf returns t's finals with each state its results.StateOf, as
// the charts show them, copied only when some state differs.
func finalsOf(t *Trials) []trial.Result {
	rs := t.Finals()
	if !t.budgeted {
		return rs
	}
	out := slices.Clone(rs)
	for i := range out {
		out[i].State = results.StateOf(out[i])
	}
	return out
}

// Table returns a row for each trial in the order of its first event:
// its result, or while it has none its first dispatch, as a running
// result with a NaN score. It is the Trials' own slice, not a copy,
// whatever the study, so each state is as the journal holds it: a table
// shows results.StateOf of each row (a running row's is running).
func (t *Trials) Table() []trial.Result {
	return t.recs[:len(t.recs):len(t.recs)]
}

// Results yields each result, in journal order.
func (t *Trials) Results() iter.Seq[*trial.Result] {
	return func(yield func(*trial.Result) bool) {
		for _, i := range t.order {
			if !yield(&t.recs[i]) {
				return
			}
		}
	}
}

// Trial returns trial n's result as the journal holds it; dispatched
// says the journal has trial n at all, hasResult that r is its result.
func (t *Trials) Trial(n int) (r trial.Result, dispatched, hasResult bool) {
	i, ok := t.index(n)
	if !ok {
		return trial.Result{}, false, false
	}
	return t.recs[i], true, t.hasResult[i]
}
