package scheduler

import (
	"fmt"
	"slices"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Plan is what a study's journal says is left to do when the study is
// resumed. PlanResume computes it; Run follows it when Config.Prior or
// Config.PriorScan is set.
type Plan struct {
	// Next is the number of the first trial never dispatched: one more
	// than the highest trial number in the journal.
	Next int
	// Rerun holds the trials dispatched without a final result — in
	// flight when the study stopped — by number, each as last dispatched
	// but with Attempt one higher. They are run again.
	Rerun []trial.Trial
	// Summary counts the journal's trials; its StopReason is that of the
	// last stop event, empty when the study died without one.
	results.Summary
	// Stopped says the journal ends with that stop event: the study died
	// after writing it, not while running again after it.
	Stopped bool
}

// PlanResume reads the events of an interrupted study's journal, in
// order. dir says which score is best, for Summary.Best.
func PlanResume(events []results.Event, dir trial.Direction) Plan {
	p := Plan{Summary: results.Summarize(events, dir)}
	last := map[int]*trial.Trial{} // into events: no copies
	final := map[int]bool{}
	for _, e := range events {
		switch e.Type {
		case results.EventDispatch:
			last[e.Trial.Number] = e.Trial
			p.Next = max(p.Next, e.Trial.Number+1)
		case results.EventResult:
			final[e.Result.Number] = true
			p.Next = max(p.Next, e.Result.Number+1)
		}
	}
	for n, tp := range last {
		if !final[n] {
			t := *tp
			t.Attempt = max(t.Attempt, 1) + 1
			t.Params = t.Params.Clone()
			p.Rerun = append(p.Rerun, t)
		}
	}
	slices.SortFunc(p.Rerun, func(a, b trial.Trial) int { return a.Number - b.Number })
	p.Stopped = len(events) > 0 && events[len(events)-1].Type == results.EventStop
	return p
}

// Planner computes PlanResume one event at a time, keeping the trials
// dispatched without a result and a few bytes for every other trial
// rather than the journal's events: a caller that streams a journal can
// plan a resume of any size in bounded memory. It is not safe for
// concurrent use.
type Planner struct {
	sum   *results.Summarizer
	p     Plan
	final map[int]struct{}
	open  map[int]trial.Trial // dispatched, no result yet: as last dispatched
	last  results.EventType
}

// NewPlanner returns a Planner of a study in direction dir.
func NewPlanner(dir trial.Direction) *Planner {
	return &Planner{sum: results.NewSummarizer(dir), final: map[int]struct{}{}, open: map[int]trial.Trial{}}
}

// Add reads the journal's next event.
func (pl *Planner) Add(e results.Event) {
	pl.sum.Add(e)
	pl.last = e.Type
	switch e.Type {
	case results.EventDispatch:
		n := e.Trial.Number
		pl.p.Next = max(pl.p.Next, n+1)
		if _, done := pl.final[n]; !done {
			pl.open[n] = *e.Trial
		}
	case results.EventResult:
		n := e.Result.Number
		pl.p.Next = max(pl.p.Next, n+1)
		pl.final[n] = struct{}{}
		delete(pl.open, n)
	}
}

// knows reports whether the events added dispatched trial n or gave it
// a result.
func (pl *Planner) knows(n int) bool {
	if _, ok := pl.final[n]; ok {
		return true
	}
	_, ok := pl.open[n]
	return ok
}

// Plan returns PlanResume of the events added.
func (pl *Planner) Plan() Plan {
	p := pl.p
	p.Summary = pl.sum.Summary()
	p.Rerun = nil
	for _, t := range pl.open {
		t.Attempt = max(t.Attempt, 1) + 1
		t.Params = t.Params.Clone()
		p.Rerun = append(p.Rerun, t)
	}
	slices.SortFunc(p.Rerun, func(a, b trial.Trial) int { return a.Number - b.Number })
	p.Stopped = pl.last == results.EventStop
	return p
}

// Finished reports whether resuming the study under these limits has
// nothing to run, and why (a stop reason): no trial is left to run again,
// and maxTrials trials were dispatched, or maxFailed trials failed, or
// the sampler was exhausted when the study last stopped. Zero limits mean
// none, as in Config.
func (p Plan) Finished(maxTrials, maxFailed int) (reason string, finished bool) {
	for _, t := range p.Rerun {
		if maxTrials == 0 || t.Number < maxTrials {
			return "", false
		}
	}
	switch {
	case maxFailed > 0 && p.Failed >= maxFailed:
		return StopMaxFailed, true
	case maxTrials > 0 && p.Next >= maxTrials:
		return StopMaxTrials, true
	case p.StopReason == StopExhausted:
		return StopExhausted, true
	}
	return "", false
}

// Replayer is a Sampler that a resume brings up to date without asking
// it again. Replay(t) must leave the sampler as Ask(t.Number) would have,
// had that Ask proposed t (t is the trial as the journal recorded its
// first dispatch, Number set; its Params have been through JSON, so
// integers may be float64). A sampler whose Ask is costly, such as TPE,
// implements it so that resuming a study of n trials costs n cheap
// replays, not n asks.
type Replayer interface {
	Sampler
	Replay(t trial.Trial)
}

// resume prepares the study to continue Config.Prior (or the events
// Config.PriorScan streams), and sets up the stop rules. It reads the
// events twice, holding none of them: once into a Planner, for what is
// left to run and which trial numbers the journal knows, then again in
// journal order to rebuild the sampler — at the first dispatch of trial
// n, Replay of the dispatched trial when the sampler is a Replayer, or
// else Ask(n) (the proposal is discarded: the journal holds what was
// run); and Tell at every result — to hand each result to keep, and to
// give the stop rules every result, so that Target, Patience and MaxCost
// judge the whole study, as an uninterrupted run would have (MaxTime
// counts from this Run's start); a rule the journal already meets stops
// the study before it dispatches anything. The counts start from the
// journal's, numbering continues at Plan.Next, and the trials in flight
// at the interruption are queued to run again, before any new trial,
// with the same number and Attempt+1. An error from PriorScan is
// returned.
func (s *study) resume() error {
	s.stop = stopper{rules: s.cfg.Stop, dir: s.cfg.Direction}
	scan := s.cfg.priorScan()
	if scan == nil {
		return nil
	}
	planner := NewPlanner(s.cfg.Direction)
	if err := scan(func(e results.Event) error { planner.Add(e); return nil }); err != nil {
		return fmt.Errorf("scheduler: resume: read the journal: %w", err)
	}
	plan := planner.Plan()
	s.rerun = plan.Rerun
	replayer, _ := s.cfg.Sampler.(Replayer)
	var ruled string // the first stop rule the journal meets
	err := scan(func(e results.Event) error {
		switch e.Type {
		case results.EventDispatch:
			// A number missing from the journal altogether would be a
			// trial never run: ask for it now and run it as new. Numbers
			// the journal knows, wherever they stand in it (a trial
			// recovered after an interruption, from results a Lambda
			// worker stored, is appended after trials numbered above
			// it), are not.
			for ; s.next <= e.Trial.Number; s.next++ {
				if replayer != nil && s.next == e.Trial.Number {
					replayer.Replay(*e.Trial)
					continue
				}
				t, ok := s.cfg.Sampler.Ask(s.next)
				if s.next < e.Trial.Number && ok && !planner.knows(s.next) {
					t.Number, t.Seed, t.Attempt = s.next, s.cfg.Seed(s.next), max(t.Attempt, 1)
					s.rerun = append(s.rerun, t)
				}
			}
		case results.EventResult:
			r := *e.Result
			s.cfg.Sampler.Tell(r)
			s.keep(r)
			s.stop.spend(r)
			if reason := s.stop.observe(r); reason != "" && ruled == "" {
				ruled = reason
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scheduler: resume: read the journal again: %w", err)
	}
	s.next = max(s.next, plan.Next)
	s.firstNew, s.lastNew = s.next, s.next-1
	s.priorCounted = make(map[int]bool, len(s.rerun))
	for _, t := range s.rerun {
		s.priorCounted[t.Number] = planner.knows(t.Number)
	}
	s.out.Summary = plan.Summary
	if plan.Stopped {
		s.priorStop = plan.StopReason
	}
	s.out.StopReason = ""
	s.failed = s.out.Failed
	s.priorDone = s.out.Complete + s.out.Pruned + s.out.Failed
	if s.cfg.MaxFailed > 0 && s.failed >= s.cfg.MaxFailed {
		s.out.StopReason = StopMaxFailed
	}
	if s.out.StopReason == "" {
		s.out.StopReason = ruled
	}
	return nil
}

// popRerun returns the next trial to run again, if any. Trials numbered
// beyond MaxTrials (lowered since the interruption) are left in flight.
func (s *study) popRerun() (trial.Trial, bool) {
	for len(s.rerun) > 0 {
		t := s.rerun[0]
		s.rerun = s.rerun[1:]
		if s.heldCount > 0 {
			s.heldCount--
		}
		if s.cfg.MaxTrials > 0 && t.Number >= s.cfg.MaxTrials {
			s.abandoned++
			continue
		}
		return t, true
	}
	return trial.Trial{}, false
}

// countDispatch counts a journaled dispatch of trial n, once per number,
// as results.Summarize does: a trial run again after a resume, or after
// an outage, was counted at its first dispatch. Trials new to this Run
// are first dispatched in number order, so a number at or below the
// highest counted is a second dispatch; the trials of Config.Prior to run
// again were counted from the journal, unless the journal lacked them.
func (s *study) countDispatch(n int) {
	if n >= s.firstNew {
		if n <= s.lastNew {
			return
		}
		s.lastNew = n
	} else {
		if s.priorCounted[n] {
			return
		}
		s.priorCounted[n] = true
	}
	s.out.Dispatched++
}

// waiting counts the trials in flight at the interruption, or held by an
// outage, that have not been dispatched again.
func (s *study) waiting() int { return len(s.rerun) + s.abandoned }
