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
// execution and with the sampler: while one batch of events is being made
// durable (one write and one fsync), trials keep executing, the sampler
// keeps proposing, and their events gather for the next batch, so a study
// of fast trials pays for one fsync per batch, not per trial, and a
// sequential study about the longer of an ask and an fsync per trial, not
// their sum. Above Parallel 1 batches go to the store at least commitGap
// (25 ms) apart, so that a study whose results arrive all the time, as at
// concurrency 1,000, pays for at most forty fsyncs a second, not one for
// every few results.
//
// Events reach the journal in the order Run queues them — a trial's
// dispatch when it is asked for, its result when its execution returns —
// one batch at a time, each after the one before it has returned, so a
// crash leaves a prefix of that order. Execution does not wait for a
// dispatch to be durable: a crash can lose only dispatches whose results
// were not durable either, and such trials are simply run again on resume.
// Nor does Run wait for a result to be durable before the sampler is told
// it and the stop rules (MaxFailed, StopRules) judge it: both happen when
// it is queued, before anything else is asked or dispatched. Whatever Run
// does because of a result (the next dispatch, a promotion, a stop) is
// therefore queued after it, a crash leaves a journal an uninterrupted
// study could have written up to that point, and resuming from it replays
// to a new sampler the asks and tells the old one had seen (see Sampler),
// so it proposes the same trials. The counts, Outcome.Results, Best and
// Progress follow the journal: a result counts once it is durable, so
// Snapshot.Running includes finished trials whose results are still being
// written. A trial whose executor returned an error or panicked is
// journaled as failed with that error (a panic's message and, truncated,
// its stack) and the study goes on — unless the error wraps
// trial.ErrUnavailable.
//
// An error wrapping trial.ErrUnavailable says the backend failed, not the
// trial: such a trial is neither journaled nor told, nor counted against
// MaxFailed or the stop rules; its dispatch stays in the journal without
// a result, so it is in flight. Run then holds it and stops dispatching:
// it waits (from half a second, doubling, up to 15s, by Config.After),
// then calls the executor's Probe if it implements Prober, and waits
// again while the probe fails. Once a probe succeeds, or after each wait
// for an executor without Probe, the held trials are dispatched again
// first, in number order — same number, parameters and seed, Attempt one
// higher, each with a dispatch event of its own — and then new trials;
// one that meets the outage again is held again and starts the next
// wait. The outage ends when an execution dispatched after it began
// returns a result (of any state): the backend answered. Trials already
// running when it began go on meanwhile and are journaled as usual. A
// study that stops for a rule (MaxTrials, a target, ...) during an
// outage dispatches nothing new but still runs its held trials, as it
// waits for its trials in flight. If the outage lasts
// Config.OutageTimeout by Config.Now, from its first unavailable error,
// Run stops as for a cancellation: it waits for the trials still
// running, journals a stop event "interrupted" and returns an error
// wrapping trial.ErrInterrupted and the last unavailable error (so
// trial.ErrUnavailable), with the held trials in flight in the journal,
// which resume runs again. Counts follow the journal throughout: a trial
// dispatched several times counts once in Dispatched, and a held trial
// counts as Running.
//
// When the study stops for MaxTrials, an exhausted sampler, MaxFailed or a
// stop rule, Run stops dispatching, waits for the trials in flight,
// journals them, then journals a stop event and returns a nil error. At
// Parallel 1 no trial is dispatched after the result that stopped the
// study.
//
// When ctx is cancelled (also during an outage) Run stops dispatching,
// stops probing, and waits for the trials in flight; their executors see
// the cancelled context. A trial that still completes (or is pruned) is
// journaled as usual; one that fails or returns an error once ctx is
// cancelled is treated as cut short and not journaled or told at all, so
// its dispatch event without a result marks it as in flight at the
// interruption, to be run again on resume, as do held trials. Run then
// journals a stop event "interrupted" — the journal is written with a
// context that is not cancelled — and returns an error wrapping
// trial.ErrInterrupted and the context's cause.
//
// If the store fails Run cancels the trials in flight, waits for them and
// returns the store's error; nothing is written after the failed batch,
// so the journal ends wherever the store stopped, and the sampler may have
// been told results that never reached it.
func Run(ctx context.Context, cfg Config) (Outcome, error) {
	if err := cfg.check(); err != nil {
		return Outcome{}, err
	}
	s := &study{cfg: cfg, now: cfg.Now, parallel: max(cfg.Parallel, 1), lastNew: -1}
	if s.parallel > 1 {
		s.pace.gap = commitGap
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.resume(); err != nil {
		return Outcome{}, err
	}
	return s.run(ctx)
}

// maxUnjournaled bounds the results told but not yet durable: Run asks
// for no trial while that many wait for the store, so that the events
// waiting, and the batch being written, stay a few megabytes however fast
// trials finish.
const maxUnjournaled = 4096

// study is the state of one Run, touched only by Run's goroutine.
type study struct {
	cfg      Config
	now      func() time.Time
	parallel int
	start    time.Time
	out      Outcome
	next     int // number of the next trial to ask for
	inflight int // trials executing
	// pending holds the events not yet handed to the writer, in order;
	// unjournaled counts the results told but not yet durable, among them
	// and in the writer's batches.
	pending        []results.Event
	pendingResults int // result events in pending
	unjournaled    int
	dropped        int   // finished trials whose results were not journaled
	failed         int   // failed results told, journaled or not
	storeErr       error // the first write that failed
	stop           stopper
	// rerun holds trials to run again before asking for new ones: its
	// first heldCount are held by an outage (see outage.go), in number
	// order; the rest are those of Config.Prior (see resume.go), whose
	// abandoned count those left in flight.
	rerun     []trial.Trial
	heldCount int
	abandoned int
	// Dispatches are counted once per number (countDispatch): numbers
	// from firstNew on are this Run's, lastNew the highest counted;
	// priorCounted says which of the trials of Config.Prior to run again
	// have been.
	firstNew, lastNew int
	priorCounted      map[int]bool
	outage            *outage // nil while the backend answers
	dispatches        int     // executions begun
	priorDone         int     // trials with a final result in Config.Prior
	// priorStop is the reason of the stop event that ends Config.Prior,
	// if one does; queued counts the events this Run has queued for the
	// journal.
	priorStop string
	queued    int
	// pace decides when the queued events go to the writer.
	pace pacer
}

// job is a trial for a worker to execute, and its dispatch's seq.
type job struct {
	trial trial.Trial
	seq   int
}

// execution is what a worker hands back.
type execution struct {
	trial  trial.Trial
	result trial.Result
	// interrupted: the trial failed after its context was cancelled, so
	// it was probably cut short rather than failing on its own.
	interrupted bool
	// unavailable: the executor's error wrapping trial.ErrUnavailable;
	// the trial did not fail, the backend did.
	unavailable error
	// seq numbers the executions in the order they were dispatched,
	// from 1.
	seq int
}

func (s *study) run(ctx context.Context) (Outcome, error) {
	s.start = s.now()
	execCtx, cancelExec := context.WithCancel(ctx)
	defer cancelExec()
	// Journal writes must happen even after ctx is cancelled: the
	// results of finished trials and the stop event are the point.
	w := newWriter(context.WithoutCancel(ctx), s.cfg.Store, cancelExec)

	// Workers send exactly one execution each and at most s.parallel are
	// in flight, so this buffer makes every send succeed at once: the send
	// needs no select, and no result is lost to a race with ctx.Done.
	finished := make(chan execution, s.parallel)
	// writeSoon fires at writeAt, when the queued events are due to go
	// to the writer (see pacer); nil when it is not armed.
	writeTimer := time.NewTimer(time.Hour)
	writeTimer.Stop()
	defer writeTimer.Stop()
	var writeSoon <-chan time.Time
	var writeAt time.Time
	// The loop below keeps at most s.parallel executions in flight; the
	// WaitGroup only makes sure no worker outlives Run.
	var workers sync.WaitGroup
	defer workers.Wait()
	// A worker that finished an execution waits on jobs for the next, so
	// that a study runs on a pool of goroutines rather than one per
	// trial: a trial on Lambda runs the SDK's deep call chain, and a new
	// goroutine grows its stack for it (copying it several times) every
	// time, a tenth of the scheduler's CPU at concurrency 1,000. A
	// dispatch that finds no worker waiting starts one, so there are
	// never many more workers than executions in flight. Closing jobs
	// ends the idle ones.
	jobs := make(chan job)
	defer close(jobs) // before workers.Wait: deferred calls run last first
	work := func(j job) {
		for ok := true; ok; j, ok = <-jobs {
			e := s.execute(execCtx, j.trial)
			e.seq = j.seq
			finished <- e
		}
	}

	interrupted := ctx.Done()
	// Probes of an unavailable backend run beside the loop; they end
	// before Run returns.
	var probes probeGroup
	defer probes.stop()
	timeUp, stopTimer := s.stop.deadline()
	defer stopTimer()
	for {
		s.receiveFlushed(w)
		// The sampler was told the results queued since the last write
		// when they were queued: hand them to the writer before asking, so
		// their fsync overlaps the sampler's work on the next trial. At
		// Parallel 1 they join the batch waiting behind one being written,
		// if any; above, they gather for the next write until the writer
		// is idle and commitGap has passed since the last.
		if s.pendingResults > 0 && s.out.StopReason == "" && s.storeErr == nil {
			if s.parallel == 1 {
				w.add(s.takePending())
			} else if now := time.Now(); w.idle() && !s.pace.due(now, true).After(now) {
				w.add(s.takePending())
				s.pace.handedOver(now)
			}
		}
		// w.failed: a write has failed, and Run will hear of it on
		// w.flushed; ask for nothing meanwhile.
		// Nor while maxUnjournaled results wait for the store: trials
		// faster than its fsyncs would otherwise pile up in ever larger
		// batches, a study's worth of them at 100,000 no-op trials.
		if (s.out.StopReason == "" || s.runHeld()) && s.storeErr == nil && !w.failed.Load() && s.unjournaled < maxUnjournaled {
			if batch := s.ask(ctx); len(batch) > 0 {
				// At Parallel 1 the trial runs in this goroutine, saving a
				// goroutine and two hand-offs per trial.
				here := s.parallel == 1
				at := s.now()
				for _, t := range batch {
					s.pending = append(s.pending, results.DispatchEvent(t, at))
					s.queued++
					s.inflight++
					s.dispatches++
					if !here {
						j := job{trial: t, seq: s.dispatches}
						select {
						case jobs <- j:
						default:
							workers.Go(func() { work(j) })
						}
					}
				}
				s.report()
				if here {
					writeSoon = nil
					e := s.executeHere(execCtx, batch[0], w)
					e.seq = s.dispatches
					s.inflight--
					s.collect([]execution{e})
					continue
				}
			}
		}
		// Dispatch events need not be durable on their own (see Run), so
		// a batch of dispatches alone waits up to dispatchDelay to share
		// the write and fsync of a result that follows soon: a study of
		// fast trials pays one fsync per trial, not two, and a slow
		// trial's dispatch is still on disk a moment after it starts.
		// Above Parallel 1 writes are also commitGap apart (see pacer).
		idle := w.idle()
		if idle && len(s.pending) > 0 && s.storeErr == nil {
			if s.inflight == 0 {
				// Nothing is executing and nothing more will be asked
				// for (the study is stopping), so nothing can happen while
				// the batch is written that this goroutine must see at
				// once: write it here, without a goroutine to start and to
				// be woken by.
				writeSoon = nil
				s.flushed(w.append(s.takePending()))
				continue
			}
			now := time.Now()
			if at := s.pace.due(now, s.pendingResults > 0); at.After(now) {
				if writeSoon == nil || at.Before(writeAt) {
					writeTimer.Reset(at.Sub(now))
					writeSoon, writeAt = writeTimer.C, at
				}
			} else {
				writeSoon = nil
				w.add(s.takePending())
				s.pace.handedOver(now)
			}
		}
		// An outage keeps the loop waiting for the backend although
		// nothing runs, unless the study is stopping anyway.
		var wake <-chan time.Time
		var probed <-chan error
		waitForBackend := s.storeErr == nil && s.waitingForBackend()
		if waitForBackend {
			wake, probed = s.outage.wake, s.outage.probed
		}
		if s.inflight == 0 && idle && !waitForBackend {
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
			s.collect(batch)
		case f := <-w.flushed:
			w.received()
			s.flushed(f)
		case <-interrupted:
			interrupted = nil // stop selecting on it; keep collecting
			s.out.StopReason = StopInterrupted
		case <-writeSoon:
			writeSoon = nil // the loop hands the events over if still due
		case <-wake:
			s.woken(execCtx, &probes)
			s.report()
		case err := <-probed:
			s.probed(execCtx, err)
			s.report()
		case <-timeUp:
			timeUp = nil
			if s.out.StopReason == "" {
				s.out.StopReason = StopMaxTime
			}
		}
	}

	probes.stop()
	storeErr := s.storeErr
	// A resumed study that stops again for the reason it last stopped,
	// having run nothing (a target or patience its journal already
	// meets), has that stop event already.
	restopped := s.cfg.resuming() && s.queued == 0 && s.out.StopReason == s.priorStop
	if storeErr == nil && !restopped {
		storeErr = s.cfg.Store.Append(w.ctx, results.StopEvent(s.out.StopReason, s.now()))
	} else if storeErr != nil {
		s.out.StopReason = StopError
	}
	s.out.Wall = s.now().Sub(s.start)
	s.report()
	switch {
	case storeErr != nil:
		return s.out, fmt.Errorf("scheduler: journal: %w", storeErr)
	case s.unavailableErr() != nil:
		return s.out, s.unavailableErr()
	case s.out.StopReason == StopInterrupted:
		return s.out, fmt.Errorf("scheduler: study interrupted after %d finished trials: %w (%w)",
			s.done(), trial.ErrInterrupted, context.Cause(ctx))
	}
	return s.out, nil
}

// executeHere runs t in Run's goroutine; Run calls it at Parallel 1, when
// the results before t have gone to the writer and only dispatches are
// pending. Those go to the writer as the loop would send them while t ran
// on a worker: after dispatchDelay if t is still running then. A slow
// trial's dispatch is on disk soon after it starts; a fast one's shares
// its result's fsync.
func (s *study) executeHere(ctx context.Context, t trial.Trial, w *writer) execution {
	events := s.takePending()
	fired := make(chan struct{})
	late := time.AfterFunc(dispatchDelay, func() {
		w.add(events)
		close(fired)
	})
	e := s.execute(ctx, t)
	if late.Stop() {
		s.pending = events // nothing was added meanwhile
	} else {
		<-fired // so that what Run adds next comes after these events
	}
	return e
}

// takePending returns the pending events and empties the queue.
func (s *study) takePending() []results.Event {
	events := s.pending
	s.pending, s.pendingResults = nil, 0
	s.pace.alone = time.Time{}
	return events
}

// receiveFlushed acts on the batches the writer has finished with,
// without waiting.
func (s *study) receiveFlushed(w *writer) {
	for {
		select {
		case f := <-w.flushed:
			w.received()
			s.flushed(f)
		default:
			return
		}
	}
}

// flushed acts on a batch the writer has finished with: on success it
// records the events; on the first failure it keeps the store's error,
// counts every result not journaled as dropped and forgets the pending
// events (the writer has cancelled the trials in flight). A batch skipped
// after a failure was counted then.
func (s *study) flushed(f flush) {
	switch {
	case s.storeErr != nil || f.skipped:
	case f.err != nil:
		s.storeErr = f.err
		s.dropped += s.unjournaled
		s.unjournaled = 0
		s.pending, s.pendingResults = nil, 0
	default:
		s.record(f.events)
	}
}

// collect queues the results of finished executions for the journal and
// tells the sampler and the stop rules of each, in that order. Trials cut
// short by an interruption, and every trial once the store has failed,
// are dropped.
//
// Telling before the result is durable is safe because the journal is
// written in the order of this queue: whatever Run does because of a
// result (the next dispatch, a promotion, a stop) is journaled after it,
// so a crash leaves a journal whose replay (see resume) tells the sampler
// the same results in the same order before the same asks.
func (s *study) collect(batch []execution) {
	at := s.now()
	for _, e := range batch {
		if e.interrupted || s.storeErr != nil {
			s.dropped++
			continue
		}
		if e.unavailable != nil {
			s.noteUnavailable(e.trial, e.unavailable)
			continue
		}
		s.noteAnswered(e.seq)
		r := e.result
		s.pending = append(s.pending, results.ResultEvent(r, at))
		s.pendingResults++
		s.queued++
		s.unjournaled++
		s.cfg.Sampler.Tell(r)
		s.stop.spend(r)
		if reason := s.stop.observe(r); reason != "" && s.out.StopReason == "" {
			s.out.StopReason = reason
		}
		if r.State == trial.Failed {
			s.failed++
		}
	}
	if s.cfg.MaxFailed > 0 && s.failed >= s.cfg.MaxFailed && s.out.StopReason == "" {
		s.out.StopReason = StopMaxFailed
	}
}

// record acts on a batch of events now durable in the store: the counts,
// Outcome.Results and Progress follow the journal.
func (s *study) record(events []results.Event) {
	for _, e := range events {
		switch e.Type {
		case results.EventDispatch:
			s.countDispatch(e.Trial.Number)
		case results.EventResult:
			r := *e.Result
			s.unjournaled--
			s.keep(r)
			s.count(r)
		}
	}
	s.report()
}

// ask proposes trials to fill the free slots, or sets StopReason.
func (s *study) ask(ctx context.Context) []trial.Trial {
	var batch []trial.Trial
	if s.paused() {
		return nil // until the backend answers; see outage.go
	}
	if s.out.StopReason != "" {
		// Stopping: only the trials an outage held, which were
		// dispatched before the study stopped, still run.
		for s.heldCount > 0 && s.inflight+len(batch) < s.parallel && ctx.Err() == nil {
			t, _ := s.popRerun()
			batch = append(batch, t)
		}
		return batch
	}
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

// keep hands a journaled result to Config.OnResult, or else keeps it in
// Outcome.Results.
func (s *study) keep(r trial.Result) {
	if s.cfg.OnResult != nil {
		s.cfg.OnResult(r)
		return
	}
	s.out.Results = append(s.out.Results, r)
}

func (s *study) count(r trial.Result) {
	r.State = results.StateOf(r)
	switch r.State {
	case trial.Complete:
		s.out.Complete++
		if b := s.out.Best; b == nil || s.cfg.Direction.Better(r.Score, b.Score) ||
			(r.Score == b.Score && r.Number < b.Number) {
			// A fresh copy: snapshots already handed out keep theirs.
			// Copied here, not by taking r's address, which would move r
			// to the heap on every call, best or not.
			best := r
			s.out.Best = &best
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
	if s.outage != nil {
		snap.Outage = s.now().Sub(s.outage.since)
	}
	if elapsed > 0 {
		snap.TrialsPerSecond = float64(snap.Done-s.priorDone) / elapsed.Seconds()
	}
	s.cfg.Progress(snap)
}
