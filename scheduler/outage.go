package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// The waits between probes of an unavailable backend grow from
// outageBackoffMin, doubling, to outageBackoffMax, and never pass the
// outage timeout.
const (
	outageBackoffMin = 500 * time.Millisecond
	outageBackoffMax = 15 * time.Second
)

// outage is the state of an unavailable backend, kept by Run's goroutine
// from the first execution error wrapping trial.ErrUnavailable until an
// execution returns a result again.
//
// While it lasts nothing is dispatched except, once a wait has passed
// (and the executor's Probe, if it has one, succeeded), the trials the
// outage held, again: that is cleared. Every further unavailable
// execution closes dispatching again and starts the next, longer wait.
type outage struct {
	since    time.Time // the first unavailable error
	seq      int       // executions dispatched before it
	lastErr  error     // the latest reason, from an execution or a probe
	waits    int       // waits begun
	wake     <-chan time.Time
	probing  bool // a probe is running; its answer comes on probed
	cleared  bool // dispatch the held trials again
	probed   chan error
	timedOut bool
}

// noteUnavailable holds the trial of an execution that failed with
// trial.ErrUnavailable: it is not journaled or told, its dispatch stays
// the last word on it in the journal (in flight), and it is queued to run
// again, first, as the next attempt. Dispatching stops until the backend
// answers.
func (s *study) noteUnavailable(t trial.Trial, err error) {
	t.Attempt = max(t.Attempt, 1) + 1
	t.Params = t.Params.Clone()
	i, _ := slices.BinarySearchFunc(s.held(), t.Number, func(h trial.Trial, n int) int { return h.Number - n })
	s.rerun = slices.Insert(s.rerun, i, t)
	s.heldCount++
	o := s.outage
	if o == nil {
		o = &outage{since: s.now(), seq: s.dispatches, probed: make(chan error, 1)}
		s.outage = o
		s.log().Warn("backend unavailable; dispatching paused", "trial", t.Number, "err", err,
			"outage_timeout", s.outageTimeout())
	}
	o.lastErr = err
	if !s.runHeld() {
		return // interrupted: the trial stays in flight
	}
	if o.cleared || o.wake == nil && !o.probing {
		o.cleared = false
		s.wait()
	}
}

// held returns the trials the outage holds: the first heldCount of rerun,
// in trial order.
func (s *study) held() []trial.Trial { return s.rerun[:s.heldCount] }

// noteAnswered ends an outage when the execution numbered seq, which
// returned a result, was dispatched after it began: the backend answers.
// An execution already running then proves nothing about now.
func (s *study) noteAnswered(seq int) {
	if s.outage == nil || s.outage.timedOut || seq <= s.outage.seq {
		return
	}
	s.log().Info("backend available again; dispatching resumed", "after", s.now().Sub(s.outage.since).Round(time.Millisecond))
	s.outage = nil
}

// paused reports whether dispatching waits for the backend.
func (s *study) paused() bool { return s.outage != nil && !s.outage.cleared }

// waitingForBackend reports whether Run must stay in its loop for the
// outage although nothing runs: it is waiting or probing, and not
// interrupted.
func (s *study) waitingForBackend() bool {
	return s.outage != nil && (s.outage.wake != nil || s.outage.probing) && s.out.StopReason != StopInterrupted
}

// runHeld reports whether the trials an outage holds are still to run:
// they were dispatched, so a study that stops for a rule (MaxTrials, a
// target) runs them as it waits for the trials in flight, unless it is
// interrupted (or gave up on the backend).
func (s *study) runHeld() bool {
	return s.heldCount > 0 && s.out.StopReason != StopInterrupted && (s.outage == nil || !s.outage.timedOut)
}

// wait begins the next wait before a probe, or gives up when the outage
// has lasted OutageTimeout.
func (s *study) wait() {
	o := s.outage
	left := o.since.Add(s.outageTimeout()).Sub(s.now())
	if left <= 0 {
		s.giveUp()
		return
	}
	d := min(outageBackoffMin<<min(o.waits, 20), outageBackoffMax, left)
	o.waits++
	after := s.cfg.After
	if after == nil {
		after = time.After
	}
	o.wake = after(d)
}

// woken acts on the end of a wait: probe the backend if the executor
// can, else let the held trials run again as the probe.
func (s *study) woken(ctx context.Context, probes *probeGroup) {
	o := s.outage
	o.wake = nil
	if ctx.Err() != nil {
		s.interrupted()
		return
	}
	p, ok := s.cfg.Executor.(Prober)
	if !ok {
		o.cleared = true
		return
	}
	o.probing = true
	probes.start(ctx, p, o.probed)
}

// interrupted stops the study when the context was cancelled while it
// waited for the backend, as Run's loop does when it sees the
// cancellation: it may see it here first.
func (s *study) interrupted() { s.out.StopReason = StopInterrupted }

// probed acts on a probe's answer.
func (s *study) probed(ctx context.Context, err error) {
	o := s.outage
	o.probing = false
	if ctx.Err() != nil {
		s.interrupted()
		return
	}
	if err == nil {
		s.log().Info("backend answers a probe; running the held trials again", "trials", s.heldCount)
		o.cleared = true
		return
	}
	if !errors.Is(err, trial.ErrUnavailable) {
		err = fmt.Errorf("%w: %w", trial.ErrUnavailable, err)
	}
	o.lastErr = err
	s.log().Warn("backend still unavailable", "err", err, "for", s.now().Sub(o.since).Round(time.Millisecond))
	s.wait()
}

// giveUp stops the study as interrupted: the held trials stay in flight
// in the journal, for resume.
func (s *study) giveUp() {
	o := s.outage
	o.timedOut, o.wake = true, nil
	// Even a study that was stopping for a rule is interrupted now: it
	// has trials left to run.
	s.out.StopReason = StopInterrupted
	s.log().Error("backend unavailable for the whole outage timeout; stopping the study", "timeout", s.outageTimeout(),
		"held_trials", s.heldCount, "err", o.lastErr)
}

// unavailableErr is Run's error when the study stopped because the
// backend did not come back, or nil.
func (s *study) unavailableErr() error {
	if s.outage == nil || !s.outage.timedOut {
		return nil
	}
	return fmt.Errorf("scheduler: study interrupted after %d finished trials: %w: the backend did not answer for %v "+
		"(backend.outage_timeout); trials left in flight for resume to run: %d; last error: %w",
		s.done(), trial.ErrInterrupted, s.outageTimeout(), s.out.Running, s.outage.lastErr)
}

func (s *study) outageTimeout() time.Duration {
	if s.cfg.OutageTimeout > 0 {
		return s.cfg.OutageTimeout
	}
	return DefaultOutageTimeout
}

func (s *study) log() *slog.Logger {
	if s.cfg.Log != nil {
		return s.cfg.Log
	}
	return slog.Default()
}

// probeGroup runs probes in goroutines of their own, so that Run's
// goroutine goes on collecting results meanwhile, and cancels and waits
// for them when Run ends.
type probeGroup struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// start probes p with a context that stop cancels; the answer goes to
// answer, which has room for it.
func (g *probeGroup) start(ctx context.Context, p Prober, answer chan<- error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	g.cancel, g.done = cancel, done
	go func() {
		defer close(done)
		defer cancel()
		answer <- p.Probe(ctx)
	}()
}

// stop cancels the probe running, if any, and waits for it.
func (g *probeGroup) stop() {
	if g.cancel != nil {
		g.cancel()
		<-g.done
	}
}
