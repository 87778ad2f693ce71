package scheduler

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// call is one Execute call as the fake executor saw it. Start and End are
// ticks of the executor's own counter, so they order calls without
// relying on wall-clock time.
type call struct {
	Trial      trial.Trial
	Start, End int64
}

// fakeExecutor records every trial it is given, when, and the most calls
// it saw in flight at once. run decides each trial's fate; nil completes
// it with score x.
type fakeExecutor struct {
	run func(ctx context.Context, t trial.Trial) (trial.Result, error)

	tick        atomic.Int64
	mu          sync.Mutex
	calls       []call
	inflight    int
	maxInflight int
}

var _ Executor = (*fakeExecutor)(nil)

func (f *fakeExecutor) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	f.mu.Lock()
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	i := len(f.calls)
	f.calls = append(f.calls, call{Trial: t, Start: f.tick.Add(1)})
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.calls[i].End = f.tick.Add(1)
		f.mu.Unlock()
	}()
	if f.run != nil {
		return f.run(ctx, t)
	}
	return complete(t), nil
}

// Calls returns the calls made so far.
func (f *fakeExecutor) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// complete is the result of a trial whose score is its parameter x.
func complete(t trial.Trial) trial.Result {
	x, _ := t.Params.Float("x")
	return trial.Result{Number: t.Number, State: trial.Complete, Model: t.Model, Params: t.Params,
		Seed: t.Seed, Score: x, FoldScores: []float64{x, x}, Seconds: 0.001}
}

// fakeSampler proposes trial n with x = n/2 (or x from xs, if set) until
// limit (0: forever), and records what it was asked and told.
type fakeSampler struct {
	limit  int
	xs     []float64
	asked  []int
	told   []trial.Result
	onTell func(trial.Result)
}

var _ Sampler = (*fakeSampler)(nil)

func (s *fakeSampler) Ask(n int) (trial.Trial, bool) {
	if s.limit > 0 && n >= s.limit {
		return trial.Trial{}, false
	}
	s.asked = append(s.asked, n)
	x := float64(n) / 2
	if n < len(s.xs) {
		x = s.xs[n]
	}
	return trial.Trial{Model: "noop", Params: trial.Params{"x": x, "k": float64(n % 3)}}, true
}

func (s *fakeSampler) Tell(r trial.Result) {
	s.told = append(s.told, r)
	if s.onTell != nil {
		s.onTell(r)
	}
}

func testSeed(n int) uint64 { return 0x9e3779b97f4a7c15*uint64(n+1) ^ 42 }

// testConfig returns a Config over a fresh Memory store.
func testConfig(s *fakeSampler, ex *fakeExecutor) Config {
	return Config{Sampler: s, Executor: ex, Store: results.NewMemory(), Parallel: 1,
		Direction: trial.Maximize, Seed: testSeed}
}

// fakeClock advances one second every time it is read.
type fakeClock struct{ ticks atomic.Int64 }

var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func (c *fakeClock) Now() time.Time {
	return epoch.Add(time.Duration(c.ticks.Add(1)) * time.Second)
}

// journalEvents reads every event of a store.
func journalEvents(tb testing.TB, s results.Store) []results.Event {
	tb.Helper()
	evs, err := s.Events(context.Background())
	if err != nil {
		tb.Fatalf("Events: %v", err)
	}
	return evs
}

// checkJournal asserts the journal's invariants: each trial dispatched
// once, each result after its dispatch and at most one per trial, one
// stop event, last. It returns the trials dispatched without a result and
// the stop reason.
func checkJournal(tb testing.TB, events []results.Event) (inFlight map[int]bool, stop string) {
	tb.Helper()
	inFlight = map[int]bool{}
	dispatched := map[int]bool{}
	for i, e := range events {
		if stop != "" {
			tb.Fatalf("event %d (%s) after the stop event", i, e.Type)
		}
		switch e.Type {
		case results.EventDispatch:
			n := e.Trial.Number
			if dispatched[n] {
				tb.Fatalf("trial %d dispatched twice", n)
			}
			dispatched[n], inFlight[n] = true, true
		case results.EventResult:
			n := e.Result.Number
			if !inFlight[n] {
				tb.Fatalf("result of trial %d without a dispatch before it, or twice", n)
			}
			delete(inFlight, n)
		case results.EventStop:
			stop = e.Reason
		}
	}
	if stop == "" {
		tb.Fatalf("journal has no stop event")
	}
	return inFlight, stop
}

// checkSummary asserts that the outcome agrees with the journal.
func checkSummary(tb testing.TB, out Outcome, events []results.Event, dir trial.Direction) {
	tb.Helper()
	want := results.Summarize(events, dir)
	got := out.Summary
	if (got.Best == nil) != (want.Best == nil) || got.Best != nil && got.Best.Number != want.Best.Number {
		tb.Errorf("Outcome.Best = %v, journal's best = %v", got.Best, want.Best)
	}
	got.Best, want.Best = nil, nil
	if got != want {
		tb.Errorf("Outcome.Summary = %+v, journal's = %+v", got, want)
	}
	if len(out.Results) != len(results.Results(events)) {
		tb.Errorf("Outcome.Results has %d results, journal %d", len(out.Results), len(results.Results(events)))
	}
}
