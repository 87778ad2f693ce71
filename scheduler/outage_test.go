package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// manualClock is a clock that moves only when Run waits: After advances
// it by the wait and fires at once, so an outage of minutes takes no
// time and no test races the wall clock.
type manualClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
	// onWait, if set, is called with the number of waits so far.
	onWait func(n int)
}

func newManualClock() *manualClock { return &manualClock{t: epoch} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.waits = append(c.waits, d)
	n, now, onWait := len(c.waits), c.t, c.onWait
	c.mu.Unlock()
	if onWait != nil {
		onWait(n)
	}
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

func (c *manualClock) waited() (total time.Duration, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.waits {
		total += d
	}
	return total, len(c.waits)
}

// flakyBackend is an executor whose backend goes down when trial downAt
// first runs and comes back once upAfter has passed on the clock (never
// when 0). While it is down every execution fails with an error wrapping
// trial.ErrUnavailable, as a refused connection does.
type flakyBackend struct {
	clock   *manualClock
	downAt  int
	upAfter time.Duration

	mu         sync.Mutex
	wentDown   bool
	since      time.Time
	calls      []trial.Trial
	downCalls  int // executions that met the outage
	probes     int
	downProbes int
}

func (b *flakyBackend) isDown(t *trial.Trial) bool {
	if t != nil && !b.wentDown && t.Number == b.downAt {
		b.wentDown, b.since = true, b.clock.Now()
	}
	return b.wentDown && (b.upAfter == 0 || b.clock.Now().Before(b.since.Add(b.upAfter)))
}

func (b *flakyBackend) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	b.mu.Lock()
	b.calls = append(b.calls, t)
	down := b.isDown(&t)
	if down {
		b.downCalls++
	}
	b.mu.Unlock()
	if down {
		return trial.Result{}, fmt.Errorf("fake: invoke: dial tcp: connection refused: %w", trial.ErrUnavailable)
	}
	return complete(t), nil
}

// probingBackend is a flakyBackend that implements Prober.
type probingBackend struct{ *flakyBackend }

var _ Prober = probingBackend{}

func (b probingBackend) Probe(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probes++
	if b.isDown(nil) {
		b.downProbes++
		return errors.New("fake: get function: connection refused")
	}
	return nil
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// outageConfig is a study of n trials over a fresh Memory store, on the
// manual clock.
func outageConfig(n, parallel int, ex Executor, clock *manualClock) (Config, *fakeSampler) {
	s := &fakeSampler{}
	return Config{Sampler: s, Executor: ex, Store: results.NewMemory(), Parallel: parallel, MaxTrials: n,
		MaxFailed: 1, Direction: trial.Maximize, Seed: testSeed, Now: clock.Now, After: clock.After,
		OutageTimeout: time.Minute, Log: quietLog()}, s
}

// finalOnce asserts that each of trials 0..n-1 has exactly one result in
// the journal, complete, after a dispatch, and that each dispatch of a
// trial after the first is the next attempt with the same parameters and
// seed. It returns how many trials were dispatched more than once.
func finalOnce(tb testing.TB, events []results.Event, n int) (redispatched int) {
	tb.Helper()
	dispatches := map[int][]trial.Trial{}
	final := map[int]int{}
	for _, e := range events {
		switch e.Type {
		case results.EventDispatch:
			n := e.Trial.Number
			if final[n] > 0 {
				tb.Errorf("trial %d dispatched after its result", n)
			}
			if prev := dispatches[n]; len(prev) > 0 {
				last := prev[len(prev)-1]
				if e.Trial.Attempt != last.Attempt+1 || e.Trial.Seed != last.Seed || e.Trial.Params.Format() != last.Params.Format() {
					tb.Errorf("trial %d dispatched again as %+v after %+v", n, *e.Trial, last)
				}
			}
			dispatches[n] = append(dispatches[n], *e.Trial)
		case results.EventResult:
			r := e.Result
			if len(dispatches[r.Number]) == 0 {
				tb.Errorf("result of trial %d without a dispatch", r.Number)
			}
			final[r.Number]++
			if r.State != trial.Complete {
				tb.Errorf("trial %d: %s %q", r.Number, r.State, r.Error)
			}
		}
	}
	for i := range n {
		if final[i] != 1 {
			tb.Errorf("trial %d has %d results, want 1", i, final[i])
		}
		if len(dispatches[i]) > 1 {
			redispatched++
		}
	}
	if len(final) != n {
		tb.Errorf("%d trials have results, want %d", len(final), n)
	}
	return redispatched
}

// TestRunOutageBackendReturns: the backend goes down mid-study and comes
// back. No trial fails because of it (MaxFailed 1 would stop the study),
// every trial has one complete result, the trials that met the outage ran
// again as their next attempt, nothing was dispatched while the backend
// was known to be down except to probe it, and the counts agree with the
// journal.
func TestRunOutageBackendReturns(t *testing.T) {
	for _, tt := range []struct {
		name     string
		parallel int
		probe    bool
	}{
		{"sequential, probed", 1, true},
		{"sequential, the trial is the probe", 1, false},
		{"parallel, probed", 4, true},
		{"parallel, the trial is the probe", 4, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := newManualClock()
			backend := &flakyBackend{clock: clock, downAt: 8, upAfter: 20 * time.Second}
			var ex Executor = backend
			if tt.probe {
				ex = probingBackend{backend}
			}
			cfg, sampler := outageConfig(30, tt.parallel, ex, clock)
			var outages []time.Duration
			cfg.Progress = func(s Snapshot) {
				if s.Outage > 0 {
					outages = append(outages, s.Outage)
				}
			}
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if out.StopReason != StopMaxTrials || out.Complete != 30 || out.Failed != 0 || out.Dispatched != 30 || out.Running != 0 {
				t.Errorf("outcome %+v, want 30 complete (max_trials)", out.Summary)
			}
			events := journalEvents(t, cfg.Store)
			if finalOnce(t, events, 30) == 0 {
				t.Error("no trial was dispatched again: the outage was not met")
			}
			checkSummary(t, out, events, cfg.Direction)
			if len(sampler.told) != 30 {
				t.Errorf("sampler told %d results, want 30", len(sampler.told))
			}
			for _, r := range sampler.told {
				if r.State != trial.Complete {
					t.Errorf("sampler told trial %d %s", r.Number, r.State)
				}
			}
			total, waits := clock.waited()
			if total < 20*time.Second || waits < 2 {
				t.Errorf("waited %v in %d waits, want at least the 20s outage", total, waits)
			}
			if len(outages) == 0 {
				t.Error("no progress snapshot showed the outage")
			}
			backend.mu.Lock()
			defer backend.mu.Unlock()
			switch {
			case tt.probe && backend.downProbes == 0:
				t.Error("the backend was never probed while down")
			case tt.probe && backend.downCalls > tt.parallel:
				// Only the executions already running when the backend
				// went down may meet it: the rest wait for a probe.
				t.Errorf("%d executions met the outage, want at most %d", backend.downCalls, tt.parallel)
			case !tt.probe && backend.downCalls > tt.parallel*(waits+1):
				t.Errorf("%d executions met the outage in %d waits: dispatching did not pause", backend.downCalls, waits)
			}
		})
	}
}

// TestRunOutageTimesOut: a backend that never comes back stops the study
// after OutageTimeout as interrupted, with an error wrapping both
// trial.ErrInterrupted and trial.ErrUnavailable, no failed result, and
// the trials that met the outage in flight in the journal; resuming once
// the backend is back runs exactly those and finishes the study with one
// complete result per trial.
func TestRunOutageTimesOut(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		t.Run(fmt.Sprintf("parallel %d", parallel), func(t *testing.T) {
			clock := newManualClock()
			backend := &flakyBackend{clock: clock, downAt: 5}
			cfg, _ := outageConfig(20, parallel, probingBackend{backend}, clock)
			out, err := Run(context.Background(), cfg)
			if !errors.Is(err, trial.ErrInterrupted) || !errors.Is(err, trial.ErrUnavailable) {
				t.Fatalf("Run: %v, want an error wrapping ErrInterrupted and ErrUnavailable", err)
			}
			if total, _ := clock.waited(); total != time.Minute {
				t.Errorf("waited %v, want the outage timeout, 1m", total)
			}
			events := journalEvents(t, cfg.Store)
			checkSummary(t, out, events, cfg.Direction)
			if out.StopReason != StopInterrupted || out.Failed != 0 || out.Running == 0 {
				t.Errorf("outcome %+v, want interrupted with trials in flight and none failed", out.Summary)
			}
			if last := events[len(events)-1]; last.Type != results.EventStop || last.Reason != StopInterrupted {
				t.Errorf("journal ends with %+v, want the stop event %q", last, StopInterrupted)
			}
			plan := PlanResume(events, cfg.Direction)
			backend.mu.Lock()
			met := map[int]int{} // trial: attempt that met the outage
			for _, c := range backend.calls[len(backend.calls)-backend.downCalls:] {
				met[c.Number] = c.Attempt
			}
			backend.mu.Unlock()
			if len(plan.Rerun) != out.Running || len(plan.Rerun) != len(met) {
				t.Errorf("resume would run %d trials again; %d in flight, %d met the outage", len(plan.Rerun), out.Running, len(met))
			}
			for _, tr := range plan.Rerun {
				if a, ok := met[tr.Number]; !ok || tr.Attempt != a+1 {
					t.Errorf("resume runs trial %d attempt %d; the outage met attempt %d", tr.Number, tr.Attempt, a)
				}
			}
			if _, finished := plan.Finished(cfg.MaxTrials, cfg.MaxFailed); finished {
				t.Error("the plan says the study is finished")
			}

			// The backend is back: resume.
			resumed := cfg
			resumed.Sampler = &fakeSampler{}
			resumed.Executor = &fakeExecutor{}
			resumed.Prior = events
			out, err = Run(context.Background(), resumed)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			events = journalEvents(t, cfg.Store)
			finalOnce(t, events, 20)
			checkSummary(t, out, events, cfg.Direction)
			if out.Complete != 20 || out.StopReason != StopMaxTrials {
				t.Errorf("resumed outcome %+v, want 20 complete", out.Summary)
			}
		})
	}
}

// blockedProber is down for good, and its probe blocks until cancelled.
type blockedProber struct{ probing chan struct{} }

func (b blockedProber) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	if t.Number < 2 {
		return complete(t), nil
	}
	return trial.Result{}, fmt.Errorf("fake: %w", trial.ErrUnavailable)
}

func (b blockedProber) Probe(ctx context.Context) error {
	close(b.probing)
	<-ctx.Done()
	return ctx.Err()
}

// TestRunOutageCancelled: cancelling a study while it waits for its
// backend stops it at once as an ordinary interruption (not an outage
// that timed out), with the probe cancelled and the held trial in flight.
func TestRunOutageCancelled(t *testing.T) {
	clock := newManualClock()
	ex := blockedProber{probing: make(chan struct{})}
	cfg, _ := outageConfig(10, 1, ex, clock)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-ex.probing
		cancel()
	}()
	out, err := Run(ctx, cfg)
	if !errors.Is(err, trial.ErrInterrupted) || !errors.Is(err, context.Canceled) || errors.Is(err, trial.ErrUnavailable) {
		t.Fatalf("Run: %v, want an interruption by the context", err)
	}
	events := journalEvents(t, cfg.Store)
	checkSummary(t, out, events, cfg.Direction)
	if out.Complete != 2 || out.Failed != 0 || out.Running != 1 || out.StopReason != StopInterrupted {
		t.Errorf("outcome %+v, want 2 complete and trial 2 in flight", out.Summary)
	}
}

// TestRunOtherErrorsStillFail: an executor error that does not wrap
// trial.ErrUnavailable is the trial's failure, journaled at once.
func TestRunOtherErrorsStillFail(t *testing.T) {
	clock := newManualClock()
	ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
		if t.Number == 3 {
			return trial.Result{}, errors.New("payload too large")
		}
		return complete(t), nil
	}}
	cfg, _ := outageConfig(10, 1, ex, clock)
	cfg.MaxFailed = 0
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.Failed != 1 || out.Complete != 9 {
		t.Errorf("outcome %+v, want trial 3 failed", out.Summary)
	}
	if _, n := clock.waited(); n != 0 {
		t.Errorf("Run waited %d times for a backend that never failed", n)
	}
}

// gatedBackend fails trial 0's first execution as unavailable and holds
// trial 1 until Run has begun waiting for the backend; its probe always
// succeeds.
type gatedBackend struct {
	waiting chan struct{} // closed when Run waits for the backend
	mu      sync.Mutex
	calls   []trial.Trial
}

func (b *gatedBackend) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	b.mu.Lock()
	b.calls = append(b.calls, t)
	b.mu.Unlock()
	switch {
	case t.Number == 0 && t.Attempt == 1:
		return trial.Result{}, fmt.Errorf("fake: %w", trial.ErrUnavailable)
	case t.Number == 1:
		<-b.waiting
	}
	return complete(t), nil
}

func (b *gatedBackend) Probe(context.Context) error { return nil }

// TestRunOutageHeldTrialsRunBeforeAStop: a stop rule met while a trial is
// held for an outage stops new dispatches, but the held trial, already
// dispatched, still runs once the backend answers, as a trial in flight
// would finish: the study stops with nothing in flight.
func TestRunOutageHeldTrialsRunBeforeAStop(t *testing.T) {
	b := &gatedBackend{waiting: make(chan struct{})}
	target := 0.5 // trial 1 scores 0.5
	cfg, smp := outageConfig(10, 2, b, newManualClock())
	cfg.Stop.Target = &target
	// Run tells the sampler trial 1's result and judges the stop rules in
	// one step, so a wait that ends once the sampler was told cannot be
	// seen by Run before the target is met (trial 1 returning is not
	// enough: its result may still be on its way to Run).
	told := make(chan struct{})
	smp.onTell = func(r trial.Result) {
		if r.Number == 1 {
			close(told)
		}
	}
	var once sync.Once
	cfg.After = func(time.Duration) <-chan time.Time {
		once.Do(func() { close(b.waiting) })
		ch := make(chan time.Time, 1)
		go func() {
			<-told // the wait ends after the target was met
			ch <- epoch
		}()
		return ch
	}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := journalEvents(t, cfg.Store)
	checkSummary(t, out, events, cfg.Direction)
	if out.StopReason != StopTarget || out.Complete != 2 || out.Running != 0 || out.Dispatched != 2 {
		t.Errorf("outcome %+v, want trials 0 and 1 complete, stopped at the target", out.Summary)
	}
	if finalOnce(t, events, 2) != 1 {
		t.Error("trial 0 was not dispatched again")
	}
}
