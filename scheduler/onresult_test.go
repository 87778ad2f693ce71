package scheduler

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestOnResultGetsTheJournalsResults: with Config.OnResult set, Run hands
// it every journaled result in journal order, those of Config.Prior
// first, and keeps no Outcome.Results; the counts and Best are as
// without it.
func TestOnResultGetsTheJournalsResults(t *testing.T) {
	const total = 40
	store := results.NewMemory()
	store.Append(context.Background(), results.StudyEvent("s", epoch))
	for round, k := range []int{13, total} {
		prior := journalEvents(t, store)
		ex, ctx := interruptAt(k)
		var got []trial.Result
		cfg := Config{Sampler: &fakeSampler{}, Executor: ex, Store: store, Parallel: 3, MaxTrials: total,
			Direction: trial.Maximize, Seed: testSeed, Prior: prior, OnResult: func(r trial.Result) { got = append(got, r) }}
		out, err := Run(ctx, cfg)
		if k < total && !errors.Is(err, trial.ErrInterrupted) || k == total && err != nil {
			t.Fatalf("round %d: Run = %v", round, err)
		}
		if out.Results != nil {
			t.Errorf("round %d: Outcome.Results has %d results, want none", round, len(out.Results))
		}
		events := journalEvents(t, store)
		want := results.Results(events)
		if !slices.EqualFunc(got, want, func(a, b trial.Result) bool { return a.Number == b.Number && a.Score == b.Score }) {
			t.Fatalf("round %d: OnResult got %d results, journal has %d (or in another order)", round, len(got), len(want))
		}
		out.Results = got
		checkSummary(t, out, events, trial.Maximize)
	}
}

// heldStore is a Memory store whose Appends wait until release is
// closed.
type heldStore struct {
	*results.Memory
	release chan struct{}
}

func (s *heldStore) Append(ctx context.Context, events ...results.Event) error {
	<-s.release
	return s.Memory.Append(ctx, events...)
}

// TestRunAsksForNothingWhileManyResultsWaitForTheStore: while the store
// writes nothing, Run executes at most maxUnjournaled trials beyond those
// in flight, then waits for the store instead of piling up results; once
// the store writes again the study runs to the end.
func TestRunAsksForNothingWhileManyResultsWaitForTheStore(t *testing.T) {
	const parallel = 2
	total := 3 * maxUnjournaled
	store := &heldStore{Memory: results.NewMemory(), release: make(chan struct{})}
	var once sync.Once
	release := func() { once.Do(func() { close(store.release) }) }
	var calls, beforeRelease atomic.Int64
	ex := &fakeExecutor{run: func(_ context.Context, tr trial.Trial) (trial.Result, error) {
		if n := calls.Add(1); n >= 2*maxUnjournaled {
			release() // the bound did not hold: let the study end
		}
		select {
		case <-store.release:
		default:
			beforeRelease.Add(1)
		}
		return complete(tr), nil
	}}
	// Run waits for the store, and nothing tells this test when it
	// does: the store is released after a while in any case.
	guard := time.AfterFunc(time.Second, release)
	defer guard.Stop()
	cfg := testConfig(&fakeSampler{}, ex)
	cfg.Store, cfg.Parallel, cfg.MaxTrials = store, parallel, total
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.Complete != total {
		t.Errorf("%d complete, want %d", out.Complete, total)
	}
	if n := beforeRelease.Load(); n > maxUnjournaled+parallel {
		t.Errorf("%d trials executed while the store wrote nothing, want at most %d", n, maxUnjournaled+parallel)
	}
}
