package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Run runs a study to its end and returns what it did.
//
// Trials are numbered 0, 1, 2, ... in the order they are asked for. At
// most Parallel execute at once. Journal writes are pipelined with
// execution: while one batch of events is being made durable (one write
// and one fsync), trials keep executing and their events gather for the
// next batch, so a study of fast trials pays for one fsync per batch, not
// per trial.
//
// Each trial's dispatch event is written before or in the same batch as
// its result, but execution does not wait for it to be durable: a crash
// can lose only dispatches whose results were not durable either, and
// such trials are simply run again on resume. A trial's result is
// journaled, durably, before the sampler is told, the counts change or
// Progress hears of it. A trial whose executor returned an error or
// panicked is journaled as failed with that error (a panic's message and,
// truncated, its stack) and the study goes on.
//
// When the study stops for MaxTrials, an exhausted sampler or MaxFailed,
// Run stops dispatching, waits for the trials in flight, journals them,
// then journals a stop event and returns a nil error.
//
// When ctx is cancelled Run stops dispatching and waits for the trials in
// flight; their executors see the cancelled context. A trial that still
// completes (or is pruned) is journaled as usual; one that fails or
// returns an error once ctx is cancelled is treated as cut short and not
// journaled at all, so its dispatch event without a result marks it as in
// flight at the interruption, to be run again on resume. Run then
// journals a stop event "interrupted" — the journal is written with a
// context that is not cancelled — and returns an error wrapping
// trial.ErrInterrupted and the context's cause.
//
// If the store fails Run cancels the trials in flight, waits for them and
// returns the store's error; the journal ends wherever the store stopped.
func Run(ctx context.Context, cfg Config) (Outcome, error) {
	if err := cfg.check(); err != nil {
		return Outcome{}, err
	}
	s := &study{cfg: cfg, now: cfg.Now, parallel: max(cfg.Parallel, 1)}
	if s.now == nil {
		s.now = time.Now
	}
	s.resume()
	return s.run(ctx)
}

// dispatchDelay bounds how long dispatch events wait for a result to
// share their journal write.
const dispatchDelay = 5 * time.Millisecond

// study is the state of one Run, touched only by Run's goroutine.
type study struct {
	cfg      Config
	now      func() time.Time
	parallel int
	start    time.Time
	out      Outcome
	next     int // number of the next trial to ask for
	inflight int // trials executing
	// pending holds the events not yet handed to the store, in order;
	// unjournaled counts the results among them and in the batch being
	// written.
	pending        []results.Event
	pendingResults int // result events in pending
	unjournaled    int
	dropped        int // finished trials whose results were not journaled
	failed         int // failed results collected, journaled or not
	stop           stopper
	// rerun holds trials of Config.Prior to run again before asking for
	// new ones; redispatch the numbers among them already counted as
	// dispatched; abandoned those left in flight (see resume.go).
	rerun      []trial.Trial
	redispatch map[int]bool
	abandoned  int
	priorDone  int // trials with a final result in Config.Prior
}

// execution is what a worker hands back.
type execution struct {
	result trial.Result
	// interrupted: the trial failed after its context was cancelled, so
	// it was probably cut short rather than failing on its own.
	interrupted bool
}

// flush is a batch of events the store has finished writing.
type flush struct {
	events []results.Event
	err    error
}

func (s *study) run(ctx context.Context) (Outcome, error) {
	s.start = s.now()
	// Journal writes must happen even after ctx is cancelled: the
	// results of finished trials and the stop event are the point.
	jctx := context.WithoutCancel(ctx)
	execCtx, cancelExec := context.WithCancel(ctx)
	defer cancelExec()

	// Workers send exactly one execution each and at most s.parallel are
	// in flight, so this buffer makes every send succeed at once: the send
	// needs no select, and no result is lost to a race with ctx.Done.
	finished := make(chan execution, s.parallel)
	// At most one flush is in flight; its goroutine sends exactly once.
	flushed := make(chan flush, 1)
	flushing := false
	// flushSoon fires when dispatches alone have waited dispatchDelay for
	// a result to share their write; dispatchDue then writes them.
	var flushSoon <-chan time.Time
	dispatchDue := false
	// The loop below keeps at most s.parallel workers in flight; the
	// WaitGroup only makes sure none outlives Run.
	var workers sync.WaitGroup
	defer workers.Wait()

	var storeErr error
	interrupted := ctx.Done()
	s.stop = stopper{rules: s.cfg.Stop, dir: s.cfg.Direction}
	s.observePrior()
	timeUp, stopTimer := s.stop.deadline()
	defer stopTimer()
	// write appends events for a flush goroutine; on failure it cancels
	// the trials in flight at once, which may run in this goroutine.
	write := func(events []results.Event) flush {
		err := s.cfg.Store.Append(jctx, events...)
		if err != nil {
			cancelExec()
		}
		return flush{events, err}
	}
	for {
		if s.out.StopReason == "" && storeErr == nil {
			if batch := s.ask(ctx); len(batch) > 0 {
				// At Parallel 1 a trial runs in this goroutine when no
				// flush is in flight (see here), saving a goroutine and
				// two hand-offs per trial.
				here := s.parallel == 1 && !flushing
				at := s.now()
				for _, t := range batch {
					s.pending = append(s.pending, results.DispatchEvent(t, at))
					s.inflight++
					if !here {
						workers.Go(func() { finished <- s.execute(execCtx, t) })
					}
				}
				s.report()
				if here {
					var e execution
					flushSoon, dispatchDue = nil, false
					e, flushing = s.executeHere(execCtx, batch[0], flushed, write)
					s.inflight--
					s.collect([]execution{e}, false)
					// Ask again before writing the result: a sampler that
					// does not learn has the next trial run while it is
					// written, as on a worker.
					continue
				}
			}
		}
		// Dispatch events need not be durable on their own (see Run), so
		// a batch of dispatches alone waits up to dispatchDelay to share
		// the write and fsync of a result that follows soon: a study of
		// fast trials pays one fsync per trial, not two, and a slow
		// trial's dispatch is still on disk a moment after it starts.
		if !flushing && len(s.pending) > 0 && storeErr == nil && s.pendingResults == 0 && s.inflight > 0 && !dispatchDue {
			if flushSoon == nil {
				flushSoon = time.After(dispatchDelay)
			}
		} else if !flushing && len(s.pending) > 0 && storeErr == nil {
			flushSoon, dispatchDue = nil, false
			events := s.pending
			s.pending, s.pendingResults = nil, 0
			if s.inflight == 0 {
				// Nothing is executing, so nothing can happen while the
				// batch is written that this goroutine must see at once
				// (cancellation and time-up only stop dispatch, which
				// ask checks anyway): write it here, without a goroutine
				// to start and to be woken by. This is a sequential study
				// of a learning sampler, between a result and the next
				// ask, and the end of every study.
				storeErr = s.flushed(flush{events, s.cfg.Store.Append(jctx, events...)}, cancelExec)
				continue
			}
			flushing = true
			go func() { flushed <- write(events) }()
		}
		if s.inflight == 0 && !flushing {
			break
		}
		select {
		case e := <-finished:
			batch := []execution{e}
		gather: // and every other execution already waiting
			for {
				select {
				case e := <-finished:
					batch = append(batch, e)
				default:
					break gather
				}
			}
			s.inflight -= len(batch)
			s.collect(batch, storeErr != nil)
		case f := <-flushed:
			flushing = false
			storeErr = s.flushed(f, cancelExec)
		case <-interrupted:
			interrupted = nil // stop selecting on it; keep collecting
			s.out.StopReason = StopInterrupted
		case <-flushSoon:
			flushSoon, dispatchDue = nil, true
		case <-timeUp:
			timeUp = nil
			if s.out.StopReason == "" {
				s.out.StopReason = StopMaxTime
			}
		}
	}

	if storeErr == nil {
		storeErr = s.cfg.Store.Append(jctx, results.StopEvent(s.out.StopReason, s.now()))
	} else {
		s.out.StopReason = StopError
	}
	s.out.Wall = s.now().Sub(s.start)
	s.report()
	switch {
	case storeErr != nil:
		return s.out, fmt.Errorf("scheduler: journal: %w", storeErr)
	case s.out.StopReason == StopInterrupted:
		return s.out, fmt.Errorf("scheduler: study interrupted after %d finished trials: %w (%w)",
			s.done(), trial.ErrInterrupted, context.Cause(ctx))
	}
	return s.out, nil
}

// executeHere runs t in Run's goroutine; Run calls it at Parallel 1 when
// no flush is in flight. The events waiting meanwhile go to the store as
// the loop would send them while t ran on a worker: with a result among
// them, at once; dispatches alone, after dispatchDelay if t is still
// running then (a slow trial's dispatch is on disk soon after it starts,
// a fast one's shares its result's fsync). It returns t's execution and
// whether a flush is in flight, whose outcome then arrives on flushed.
func (s *study) executeHere(ctx context.Context, t trial.Trial, flushed chan<- flush, write func([]results.Event) flush) (execution, bool) {
	events := s.pending
	s.pending = nil
	if s.pendingResults > 0 {
		s.pendingResults = 0
		go func() { flushed <- write(events) }()
		return s.execute(ctx, t), true
	}
	late := time.AfterFunc(dispatchDelay, func() { flushed <- write(events) })
	e := s.execute(ctx, t)
	if late.Stop() {
		s.pending = events // nothing was added meanwhile
		return e, false
	}
	return e, true
}

// flushed acts on a batch the store has finished writing: on success it
// records the events; on failure it cancels the trials in flight, counts
// every result not journaled as dropped, and returns the store's error.
func (s *study) flushed(f flush, cancelExec context.CancelFunc) error {
	if f.err != nil {
		cancelExec()
		s.dropped += s.unjournaled
		s.unjournaled = 0
		s.pending = nil
		return f.err
	}
	s.record(f.events)
	return nil
}

// collect queues the results of finished executions for the journal.
// Trials cut short by an interruption, and every trial once the store has
// failed, are dropped.
func (s *study) collect(batch []execution, broken bool) {
	at := s.now()
	for _, e := range batch {
		if e.interrupted || broken {
			s.dropped++
			continue
		}
		s.pending = append(s.pending, results.ResultEvent(e.result, at))
		s.pendingResults++
		s.unjournaled++
		s.stop.spend(e.result)
		if e.result.State == trial.Failed {
			s.failed++
		}
	}
	// Stopping dispatch needs no durability: deciding it as soon as the
	// failures are seen keeps a burst of fast failures from overshooting.
	if s.cfg.MaxFailed > 0 && s.failed >= s.cfg.MaxFailed && s.out.StopReason == "" {
		s.out.StopReason = StopMaxFailed
	}
}

// record acts on a batch of events now durable in the store.
func (s *study) record(events []results.Event) {
	for _, e := range events {
		switch e.Type {
		case results.EventDispatch:
			s.countDispatch(e.Trial.Number)
		case results.EventResult:
			r := *e.Result
			s.unjournaled--
			s.out.Results = append(s.out.Results, r)
			s.cfg.Sampler.Tell(r)
			s.count(r)
			if reason := s.stop.observe(r); reason != "" && s.out.StopReason == "" {
				s.out.StopReason = reason
			}
		}
	}
	if s.cfg.MaxFailed > 0 && s.out.Failed >= s.cfg.MaxFailed && s.out.StopReason == "" {
		s.out.StopReason = StopMaxFailed
	}
	s.report()
}

// ask proposes trials to fill the free slots, or sets StopReason.
func (s *study) ask(ctx context.Context) []trial.Trial {
	var batch []trial.Trial
	for s.inflight+len(batch) < s.parallel {
		if ctx.Err() != nil {
			s.out.StopReason = StopInterrupted
			break
		}
		if t, ok := s.popRerun(); ok {
			batch = append(batch, t)
			continue
		}
		if s.cfg.MaxTrials > 0 && s.next >= s.cfg.MaxTrials {
			s.out.StopReason = StopMaxTrials
			break
		}
		if s.stop.timeUp(s.start, s.now()) {
			s.out.StopReason = StopMaxTime
			break
		}
		if s.stop.overBudget(s.inflight + len(batch)) {
			s.out.StopReason = StopMaxCost
			break
		}
		if s.unjournaled > 0 && learns(s.cfg.Sampler) {
			break // ask once the finished trials' results are told
		}
		t, ok := s.cfg.Sampler.Ask(s.next)
		if !ok {
			s.out.StopReason = StopExhausted
			break
		}
		t.Number = s.next
		t.Seed = s.cfg.Seed(s.next)
		if t.Attempt == 0 {
			t.Attempt = 1
		}
		batch = append(batch, t)
		s.next++
	}
	return batch
}

// learns reports whether the sampler wants every finished result told
// before it is asked again (see Learner).
func learns(smp Sampler) bool {
	l, ok := smp.(Learner)
	return ok && l.Learns()
}

func (s *study) count(r trial.Result) {
	r.State = results.StateOf(r)
	switch r.State {
	case trial.Complete:
		s.out.Complete++
		if b := s.out.Best; b == nil || s.cfg.Direction.Better(r.Score, b.Score) ||
			(r.Score == b.Score && r.Number < b.Number) {
			// A fresh copy: snapshots already handed out keep theirs.
			s.out.Best = &r
		}
	case trial.Pruned:
		s.out.Pruned++
	case trial.Failed:
		s.out.Failed++
	}
}

func (s *study) done() int { return s.out.Complete + s.out.Pruned + s.out.Failed }

// report brings the summary's Running up to date and calls Progress.
func (s *study) report() {
	s.out.Running = s.inflight + s.unjournaled + s.dropped + s.waiting()
	if s.cfg.Progress == nil {
		return
	}
	elapsed := s.now().Sub(s.start)
	snap := Snapshot{Summary: s.out.Summary, Done: s.done(), Executing: s.inflight, Total: s.cfg.MaxTrials, Elapsed: elapsed}
	if elapsed > 0 {
		snap.TrialsPerSecond = float64(snap.Done-s.priorDone) / elapsed.Seconds()
	}
	s.cfg.Progress(snap)
}
