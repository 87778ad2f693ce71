package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// asks counts a sampler's asks, and its replays when it is a Replayer.
type asks struct {
	Sampler
	asked, replayed int
}

func (a *asks) Ask(n int) (trial.Trial, bool) { a.asked++; return a.Sampler.Ask(n) }

// replayingAsks is asks over a Replayer, itself a Replayer.
type replayingAsks struct{ *asks }

func (a replayingAsks) Replay(t trial.Trial) { a.replayed++; a.Sampler.(Replayer).Replay(t) }

func counted(s Sampler) (Sampler, *asks) {
	a := &asks{Sampler: s}
	if _, ok := s.(Replayer); ok {
		return replayingAsks{a}, a
	}
	return a, a
}

// TestResumeProposesTheUninterruptedTrials: a study interrupted twice and
// resumed from its journal with a new sampler each time runs, trial by
// trial, the configurations of the same study run without interruption,
// for every search method. TPE is rebuilt by replaying the journal's
// dispatches (Replayer), not by asking again for each trial the journal
// holds; the other samplers' trial n depends on n alone.
func TestResumeProposesTheUninterruptedTrials(t *testing.T) {
	const total = 60
	for _, method := range []string{"grid", "random", "sobol", "tpe", "tpe, multivariate: false", "tpe, startup: sobol"} {
		for _, streamed := range []bool{false, true} {
			name := method
			if streamed {
				name += "/PriorScan"
			}
			t.Run(name, func(t *testing.T) { testResumeProposes(t, method, streamed) })
		}
	}
}

// scanOf streams events as Config.PriorScan, counting the scans.
func scanOf(events []results.Event, scans *int) func(func(results.Event) error) error {
	return func(fn func(results.Event) error) error {
		*scans++
		for _, e := range events {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
}

// testResumeProposes is TestResumeProposesTheUninterruptedTrials of one
// method, the journal given as Config.Prior or, streamed, as
// Config.PriorScan (read twice at most).
func testResumeProposes(t *testing.T, method string, streamed bool) {
	const total = 60
	{
		{
			spec, err := search.Parse(strings.NewReader(fmt.Sprintf(
				"name: d\nmodel: noop\nsearch: {method: %s, seed: 9, max_trials: %d}\nparameters:\n  a: {min: 1, max: 40}\n  x: {min: -1.0, max: 1.0, step: 0.25}\n  b: [x, y, z]\n",
				method, total)), "spec.yaml", freeCatalog{})
			if err != nil {
				t.Fatal(err)
			}
			newSampler := func() Sampler {
				smp, err := search.NewSampler(spec)
				if err != nil {
					t.Fatal(err)
				}
				return smp
			}
			_, replays := newSampler().(Replayer)
			if strings.HasPrefix(method, "tpe") && !replays {
				t.Fatal("the tpe sampler is not a Replayer: a resume would ask again for every trial")
			}
			scans := 0
			cfg := func(store results.Store, smp Sampler, ex Executor, prior []results.Event) Config {
				c := Config{Sampler: smp, Executor: ex, Store: store, Parallel: 1, MaxTrials: total,
					Direction: trial.Minimize, Seed: testSeed, Prior: prior}
				if streamed && prior != nil {
					c.Prior, c.PriorScan = nil, scanOf(prior, &scans)
				}
				return c
			}
			configs := func(store results.Store) []string {
				out := make([]string, total)
				for _, r := range results.Results(journalEvents(t, store)) {
					out[r.Number] = r.Model + " " + r.Params.Format()
				}
				return out
			}
			run := func(_ context.Context, t trial.Trial) (trial.Result, error) { return scoreOf(t), nil }

			store := results.NewMemory()
			if _, err := Run(context.Background(), cfg(store, newSampler(), &fakeExecutor{run: run}, nil)); err != nil {
				t.Fatal(err)
			}
			want := configs(store)

			resumed := results.NewMemory()
			resumed.Append(context.Background(), results.StudyEvent("d", epoch))
			for _, k := range []int{13, 37, total} {
				prior := journalEvents(t, resumed)
				smp, count := counted(newSampler())
				ex, ctx := interruptAt(k)
				if _, err := Run(ctx, cfg(resumed, smp, ex, prior)); k < total && !errors.Is(err, trial.ErrInterrupted) || k == total && err != nil {
					t.Fatalf("interrupted at %d: %v", k, err)
				}
				numbers := map[int]bool{}
				for _, e := range prior {
					if e.Type == results.EventDispatch {
						numbers[e.Trial.Number] = true
					}
				}
				dispatched := len(numbers)
				if replays && (count.replayed != dispatched || count.asked > total-dispatched+1) {
					t.Errorf("resume with %d trials dispatched in the journal: %d replays, %d asks", dispatched, count.replayed, count.asked)
				}
			}
			if got := configs(resumed); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("resumed study ran\n%s\nuninterrupted\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if streamed && scans > 2*3 {
				t.Errorf("3 resumes scanned the journal %d times, want 2 each at most", scans)
			}
		}
	}
}

// TestPriorScanErrorStopsRun: a PriorScan that fails, on its first or
// second read, stops Run with its error before anything is run or
// written; Prior and PriorScan together are refused.
func TestPriorScanErrorStopsRun(t *testing.T) {
	broken := errors.New("the disk went away")
	prior := []results.Event{results.StudyEvent("s", epoch)}
	for failAt := 1; failAt <= 2; failAt++ {
		calls := 0
		store := results.NewMemory()
		ex := &fakeExecutor{}
		_, err := Run(context.Background(), Config{Sampler: &fakeSampler{}, Executor: ex, Store: store, MaxTrials: 3,
			Direction: trial.Maximize, Seed: testSeed, PriorScan: func(fn func(results.Event) error) error {
				if calls++; calls == failAt {
					return broken
				}
				return scanOf(prior, new(int))(fn)
			}})
		if !errors.Is(err, broken) {
			t.Errorf("scan failing at read %d: Run = %v, want its error", failAt, err)
		}
		if evs := journalEvents(t, store); len(evs) != 0 || len(ex.Calls()) != 0 {
			t.Errorf("scan failing at read %d: %d events written, %d trials run", failAt, len(evs), len(ex.Calls()))
		}
	}
	_, err := Run(context.Background(), Config{Sampler: &fakeSampler{}, Executor: &fakeExecutor{}, Store: results.NewMemory(),
		Direction: trial.Maximize, Seed: testSeed, Prior: prior, PriorScan: scanOf(prior, new(int))})
	if err == nil || !strings.Contains(err.Error(), "PriorScan") {
		t.Errorf("Prior and PriorScan: Run = %v", err)
	}
}
