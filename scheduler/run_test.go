package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

func TestRunCompletesStudy(t *testing.T) {
	for _, dir := range []trial.Direction{trial.Maximize, trial.Minimize} {
		t.Run(string(dir), func(t *testing.T) {
			s := &fakeSampler{xs: []float64{3, 9, 1, 7, 5, 2, 8, 0, 6, 4}}
			ex := &fakeExecutor{}
			cfg := testConfig(s, ex)
			cfg.Parallel, cfg.MaxTrials, cfg.Direction = 3, 10, dir
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if out.StopReason != StopMaxTrials || out.Complete != 10 || out.Dispatched != 10 || len(out.Results) != 10 {
				t.Errorf("outcome = %+v", out.Summary)
			}
			wantBest := map[trial.Direction]int{trial.Maximize: 1, trial.Minimize: 7}[dir]
			if out.Best == nil || out.Best.Number != wantBest {
				t.Errorf("best = %v, want trial %d", out.Best, wantBest)
			}
			events := journalEvents(t, cfg.Store)
			if inFlight, stop := checkJournal(t, events); len(inFlight) != 0 || stop != StopMaxTrials {
				t.Errorf("journal: in flight %v, stop %q", inFlight, stop)
			}
			checkSummary(t, out, events, dir)
			if !slices.Equal(s.asked, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
				t.Errorf("asked %v", s.asked)
			}
			journaled := results.Results(events)
			for i, r := range s.told {
				if r.Number != journaled[i].Number {
					t.Fatalf("told %d-th trial %d, journal has %d", i, r.Number, journaled[i].Number)
				}
			}
		})
	}
}

func TestRunNeverExceedsParallel(t *testing.T) {
	for _, parallel := range []int{1, 2, 4, 8} {
		t.Run(fmt.Sprint("parallel=", parallel), func(t *testing.T) {
			ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
				time.Sleep(time.Millisecond)
				return complete(t), nil
			}}
			cfg := testConfig(&fakeSampler{}, ex)
			cfg.Parallel, cfg.MaxTrials = parallel, 6*parallel
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatal(err)
			}
			if ex.maxInflight > parallel {
				t.Errorf("saw %d trials in flight, Parallel is %d", ex.maxInflight, parallel)
			}
			if ex.maxInflight < parallel {
				t.Errorf("saw at most %d trials in flight; Parallel %d was not used", ex.maxInflight, parallel)
			}
			if len(ex.Calls()) != 6*parallel {
				t.Errorf("executed %d trials, want %d", len(ex.Calls()), 6*parallel)
			}
		})
	}
}

func TestRunRecordsFailuresAndPanics(t *testing.T) {
	ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
		switch t.Number % 3 {
		case 1:
			return trial.Result{}, errors.New("backend unreachable")
		case 2:
			panic(fmt.Sprintf("boom %d", t.Number))
		}
		return complete(t), nil
	}}
	cfg := testConfig(&fakeSampler{}, ex)
	cfg.Parallel, cfg.MaxTrials = 2, 9
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if out.Complete != 3 || out.Failed != 6 || out.StopReason != StopMaxTrials {
		t.Errorf("outcome = %+v", out.Summary)
	}
	events := journalEvents(t, cfg.Store)
	checkJournal(t, events)
	checkSummary(t, out, events, trial.Maximize)
	for _, r := range results.Results(events) {
		switch r.Number % 3 {
		case 1:
			if r.State != trial.Failed || r.Error != "backend unreachable" {
				t.Errorf("trial %d: %s %q, want failed with the executor's error", r.Number, r.State, r.Error)
			}
		case 2:
			want := fmt.Sprintf("executor panicked: boom %d\n", r.Number)
			if r.State != trial.Failed || !strings.HasPrefix(r.Error, want) || !strings.Contains(r.Error, "goroutine") {
				t.Errorf("trial %d: %s %.80q, want failed with the panic and its stack", r.Number, r.State, r.Error)
			}
			if len(r.Error) > maxStack+200 {
				t.Errorf("trial %d: error of %d bytes, stack not truncated", r.Number, len(r.Error))
			}
		}
		if r.Seed != testSeed(r.Number) || r.Model != "noop" || r.Started.IsZero() || r.Finished.Before(r.Started) {
			t.Errorf("trial %d: identity or times not set: %+v", r.Number, r)
		}
	}
}

func TestRunStopsAtMaxFailed(t *testing.T) {
	for _, parallel := range []int{1, 4} {
		t.Run(fmt.Sprint("parallel=", parallel), func(t *testing.T) {
			ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
				if t.Number%2 == 0 {
					return complete(t), nil
				}
				return trial.Result{State: trial.Failed, Error: "diverged"}, nil
			}}
			cfg := testConfig(&fakeSampler{}, ex)
			cfg.Parallel, cfg.MaxTrials, cfg.MaxFailed = parallel, 100, 3
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if out.StopReason != StopMaxFailed || out.Failed < 3 {
				t.Errorf("outcome = %+v, want stopped at 3 failures", out.Summary)
			}
			events := journalEvents(t, cfg.Store)
			failed := 0
			for _, e := range events {
				switch {
				case e.Type == results.EventResult && e.Result.State == trial.Failed:
					failed++
				case e.Type == results.EventDispatch && failed >= 3:
					t.Errorf("trial %d dispatched after the third failure", e.Trial.Number)
				}
			}
			if parallel == 1 && out.Dispatched != 6 {
				t.Errorf("dispatched %d trials, want 6 (the third failure is trial 5)", out.Dispatched)
			}
			if inFlight, _ := checkJournal(t, events); len(inFlight) != 0 {
				t.Errorf("trials in flight %v were not waited for", inFlight)
			}
			checkSummary(t, out, events, trial.Maximize)
		})
	}
}

func TestRunStopsWhenSamplerIsExhausted(t *testing.T) {
	s := &fakeSampler{limit: 5}
	ex := &fakeExecutor{}
	cfg := testConfig(s, ex)
	cfg.Parallel = 3 // MaxTrials 0: no limit
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if out.StopReason != StopExhausted || out.Complete != 5 || len(ex.Calls()) != 5 {
		t.Errorf("outcome = %+v after %d calls", out.Summary, len(ex.Calls()))
	}
	events := journalEvents(t, cfg.Store)
	checkJournal(t, events)
	checkSummary(t, out, events, trial.Maximize)
}

// TestRunInterrupted cancels the study while trials 4, 5 and 6 are
// running: 4 and 6 return the context's error, 5 completes regardless.
func TestRunInterrupted(t *testing.T) {
	for _, store := range []string{"memory", "journal"} {
		t.Run(store, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var blocked atomic.Int32
			ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
				if t.Number < 4 {
					return complete(t), nil
				}
				if blocked.Add(1) == 3 {
					cancel() // all three slots hold a blocked trial
				}
				<-ctx.Done()
				if t.Number == 5 {
					return complete(t), nil
				}
				return trial.Result{}, ctx.Err()
			}}
			s := &fakeSampler{}
			cfg := testConfig(s, ex)
			cfg.Parallel, cfg.MaxTrials = 3, 100
			var studyDir string
			if store == "journal" {
				j, err := results.Create(t.TempDir(), "study", nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				studyDir = j.Dir()
				cfg.Store = j
			}
			out, err := Run(ctx, cfg)
			if !errors.Is(err, trial.ErrInterrupted) || !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want ErrInterrupted wrapping context.Canceled", err)
			}
			if err := cfg.Store.Close(); err != nil {
				t.Fatal(err)
			}
			var events []results.Event
			if store == "journal" { // read it back from disk
				j, err := results.Open(studyDir)
				if err != nil {
					t.Fatal(err)
				}
				rep, err := j.Replay(context.Background())
				if err != nil || len(rep.Warnings) > 0 {
					t.Fatalf("Replay: %v, warnings %q", err, rep.Warnings)
				}
				events = rep.Events
			} else {
				events = journalEvents(t, cfg.Store)
			}
			inFlight, stop := checkJournal(t, events)
			if stop != StopInterrupted || out.StopReason != StopInterrupted {
				t.Errorf("stop reason %q in journal, %q in outcome", stop, out.StopReason)
			}
			if len(inFlight) != 2 || !inFlight[4] || !inFlight[6] {
				t.Errorf("trials dispatched without a result: %v, want 4 and 6", inFlight)
			}
			if out.Running != 2 || out.Complete != 5 || out.Dispatched != 7 {
				t.Errorf("outcome = %+v", out.Summary)
			}
			checkSummary(t, out, events, trial.Maximize)
			var told []int
			for _, r := range s.told {
				told = append(told, r.Number)
			}
			if slices.Sort(told); !slices.Equal(told, []int{0, 1, 2, 3, 5}) {
				t.Errorf("sampler told %v", told)
			}
		})
	}
}

func TestRunCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ex := &fakeExecutor{}
	cfg := testConfig(&fakeSampler{}, ex)
	out, err := Run(ctx, cfg)
	if !errors.Is(err, trial.ErrInterrupted) {
		t.Fatalf("Run = %v, want ErrInterrupted", err)
	}
	if len(ex.Calls()) != 0 || out.Dispatched != 0 {
		t.Errorf("dispatched %d trials after cancellation", out.Dispatched)
	}
	if _, stop := checkJournal(t, journalEvents(t, cfg.Store)); stop != StopInterrupted {
		t.Errorf("stop reason %q", stop)
	}
}

// TestRunSameTrialsWhateverParallel: trials depend on the seed and their
// number only, whatever order they finish in.
func TestRunSameTrialsWhateverParallel(t *testing.T) {
	run := func(parallel int) []trial.Result {
		ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
			// Finish in a scrambled but reproducible order.
			r := rand.New(rand.NewPCG(t.Seed, 0))
			time.Sleep(time.Duration(r.IntN(300)) * time.Microsecond)
			res := complete(t)
			res.Score = r.Float64()
			return res, nil
		}}
		cfg := testConfig(&fakeSampler{}, ex)
		cfg.Parallel, cfg.MaxTrials = parallel, 24
		out, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		rs := slices.Clone(out.Results)
		slices.SortFunc(rs, func(a, b trial.Result) int { return a.Number - b.Number })
		return rs
	}
	one, four := run(1), run(4)
	if len(one) != 24 || len(four) != 24 {
		t.Fatalf("got %d and %d results", len(one), len(four))
	}
	for i := range one {
		a, b := one[i], four[i]
		if a.Number != b.Number || a.Seed != b.Seed || a.Score != b.Score || a.Params.Format() != b.Params.Format() {
			t.Errorf("trial %d differs: parallel 1 %+v, parallel 4 %+v", i, a, b)
		}
		if a.Seed != testSeed(i) {
			t.Errorf("trial %d: seed %d, want %d", i, a.Seed, testSeed(i))
		}
	}
}

// TestRunTellsInJournalOrder: the sampler is told every result in journal
// order, each before the next trial is asked; the counts, Progress and
// Outcome.Results follow the journal, counting a result only once it is
// in the store.
func TestRunTellsInJournalOrder(t *testing.T) {
	for _, parallel := range []int{1, 4} {
		t.Run(fmt.Sprint("parallel=", parallel), func(t *testing.T) {
			s := &countingSampler{}
			cfg := testConfig(&s.fakeSampler, &fakeExecutor{})
			cfg.Sampler = s
			cfg.Store = &slowStore{Store: results.NewMemory(), delay: 100 * time.Microsecond}
			cfg.Parallel, cfg.MaxTrials = parallel, 40
			journaled := func() int { return len(results.Results(journalEvents(t, cfg.Store))) }
			dispatched := func() int {
				n := 0
				for _, e := range journalEvents(t, cfg.Store) {
					if e.Type == results.EventDispatch {
						n++
					}
				}
				return n
			}
			cfg.Progress = func(sn Snapshot) {
				if j := journaled(); sn.Done > j {
					t.Errorf("progress reports %d done, journal has %d", sn.Done, j)
				}
				if d := dispatched(); sn.Dispatched > d {
					t.Errorf("progress reports %d dispatched, journal has %d", sn.Dispatched, d)
				}
			}
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			events := journalEvents(t, cfg.Store)
			checkJournal(t, events)
			checkSummary(t, out, events, trial.Maximize)
			journal := results.Results(events)
			if len(s.told) != 40 || len(journal) != 40 {
				t.Fatalf("told %d results, journaled %d", len(s.told), len(journal))
			}
			for i, r := range s.told {
				if r.Number != journal[i].Number || out.Results[i].Number != r.Number {
					t.Fatalf("tell %d was trial %d; journal has %d, Outcome.Results %d", i, r.Number, journal[i].Number, out.Results[i].Number)
				}
			}
			// Each dispatch follows, in the journal, exactly the results
			// told before its trial was asked.
			before := 0
			for _, e := range events {
				switch e.Type {
				case results.EventResult:
					before++
				case results.EventDispatch:
					if n := e.Trial.Number; before != s.toldAtAsk[n] {
						t.Errorf("trial %d: dispatch after %d results in the journal, asked after %d tells", n, before, s.toldAtAsk[n])
					}
				}
			}
		})
	}
}

// TestRunAsksWhileResultIsWritten: at Parallel 1 the sampler is told a
// result and asked for the next trial while the result is still being
// written, not after; Progress meanwhile does not count it.
func TestRunAsksWhileResultIsWritten(t *testing.T) {
	store := &gateStore{Store: results.NewMemory(), held: make(chan struct{}, 1), release: make(chan struct{})}
	asked := make(chan int, 10)
	s := &countingSampler{onAsk: func(n int) { asked <- n }}
	var released atomic.Bool
	cfg := testConfig(&s.fakeSampler, &fakeExecutor{})
	cfg.Sampler, cfg.Store, cfg.MaxTrials = s, store, 3
	cfg.Progress = func(sn Snapshot) {
		if !released.Load() && sn.Done > 0 {
			t.Errorf("progress reports %d done while the first result is not written", sn.Done)
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), cfg)
		done <- err
	}()
	<-store.held // trial 0's result is being written
	deadline := time.After(10 * time.Second)
	for n := -1; n != 1; {
		select {
		case n = <-asked:
		case <-deadline:
			close(store.release)
			t.Fatal("trial 1 was not asked while trial 0's result was being written")
		}
	}
	released.Store(true)
	close(store.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.toldAtAsk, []int{0, 1, 2}) {
		t.Errorf("results told when each trial was asked: %v, want [0 1 2]", s.toldAtAsk)
	}
	checkJournal(t, journalEvents(t, store))
}

// gateStore holds every Append that carries a result until release is
// closed, and signals held (without blocking) when it does.
type gateStore struct {
	results.Store
	held    chan struct{}
	release chan struct{}
}

func (g *gateStore) Append(ctx context.Context, events ...results.Event) error {
	for _, e := range events {
		if e.Type == results.EventResult {
			select {
			case g.held <- struct{}{}:
			default:
			}
			<-g.release
			break
		}
	}
	return g.Store.Append(ctx, events...)
}

// TestRunBatchesJournalWrites: with fast trials, many events share one
// durable write, so a study of N trials makes far fewer than N appends.
func TestRunBatchesJournalWrites(t *testing.T) {
	ex := &fakeExecutor{run: func(ctx context.Context, tr trial.Trial) (trial.Result, error) {
		return complete(tr), nil
	}}
	store := &slowStore{Store: results.NewMemory()}
	cfg := testConfig(&fakeSampler{}, ex)
	cfg.Store, cfg.Parallel, cfg.MaxTrials = store, 2, 400
	out, err := Run(context.Background(), cfg)
	if err != nil || out.Complete != 400 {
		t.Fatalf("Run: %v, %+v", err, out.Summary)
	}
	if n := store.calls.Load(); n > 100 {
		t.Errorf("%d appends for 400 trials at parallel 2; want them batched", n)
	}
}

// slowStore takes delay (a millisecond if 0) per Append, like an fsync.
type slowStore struct {
	results.Store
	delay time.Duration
	calls atomic.Int32
}

func (s *slowStore) Append(ctx context.Context, events ...results.Event) error {
	s.calls.Add(1)
	time.Sleep(cmp.Or(s.delay, time.Millisecond))
	return s.Store.Append(ctx, events...)
}

func TestRunProgressAndClock(t *testing.T) {
	clock := &fakeClock{}
	var snaps []Snapshot
	cfg := testConfig(&fakeSampler{}, &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
		r := complete(t)
		r.Seconds = 0 // let the scheduler time it
		return r, nil
	}})
	cfg.MaxTrials, cfg.Now = 3, clock.Now
	cfg.Progress = func(s Snapshot) { snaps = append(snaps, s) }
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Results {
		if d := r.Finished.Sub(r.Started); d < time.Second || r.Seconds != d.Seconds() {
			t.Errorf("trial %d: %v to %v, %gs; want the clock's reading", r.Number, r.Started, r.Finished, r.Seconds)
		}
	}
	if out.Wall <= 0 {
		t.Errorf("Wall = %v", out.Wall)
	}
	if len(snaps) == 0 {
		t.Fatal("no progress reported")
	}
	for i := 1; i < len(snaps); i++ {
		if snaps[i].Done < snaps[i-1].Done || snaps[i].Elapsed <= snaps[i-1].Elapsed {
			t.Errorf("snapshot %d went backwards: %+v after %+v", i, snaps[i], snaps[i-1])
		}
	}
	last := snaps[len(snaps)-1]
	if last.Done != 3 || last.Total != 3 || last.Running != 0 || last.StopReason != StopMaxTrials ||
		last.Best == nil || last.Best.Number != 2 || last.TrialsPerSecond <= 0 {
		t.Errorf("last snapshot = %+v", last)
	}
}

// failingStore fails every Append after the first ok ones.
type failingStore struct {
	results.Store
	ok    atomic.Int32
	calls atomic.Int32
}

var errDisk = errors.New("disk full")

func (s *failingStore) Append(ctx context.Context, events ...results.Event) error {
	if s.calls.Add(1) > s.ok.Load() {
		return errDisk
	}
	return s.Store.Append(ctx, events...)
}

func TestRunStoreFailure(t *testing.T) {
	// At Parallel 1 trial 1 runs in Run's own goroutine while trial 0's
	// result is written; the failed write must still cancel it.
	for _, parallel := range []int{1, 2} {
		t.Run(fmt.Sprintf("parallel=%d", parallel), func(t *testing.T) {
			// Trial 0 completes at once; 1 blocks until cancelled, which
			// only a store failure (on trial 0's result) can do.
			ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
				if t.Number == 0 {
					return complete(t), nil
				}
				<-ctx.Done()
				return trial.Result{}, ctx.Err()
			}}
			store := &failingStore{Store: results.NewMemory()}
			store.ok.Store(0) // the first write: the dispatch of trials 0 and 1 with trial 0's result
			cfg := testConfig(&fakeSampler{}, ex)
			cfg.Store, cfg.Parallel, cfg.MaxTrials = store, parallel, 10
			done := make(chan struct{})
			var out Outcome
			var err error
			go func() {
				defer close(done)
				out, err = Run(context.Background(), cfg)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after the store failed")
			}
			if !errors.Is(err, errDisk) || errors.Is(err, trial.ErrInterrupted) {
				t.Errorf("Run = %v, want the store's error", err)
			}
			// Trials 0 and 1, and perhaps one more dispatched while trial
			// 0's result was being written, never got a result journaled.
			if out.StopReason != StopError || out.Running < 2 {
				t.Errorf("outcome = %+v", out.Summary)
			}
		})
	}
}

// TestRunSlowTrialDispatchDurable: a dispatch waits at most about
// dispatchDelay for a result to share its write, so a slow trial's
// dispatch is in the journal while it runs — also at Parallel 1, where
// the trial runs in Run's own goroutine, and behind a write slower than
// dispatchDelay, still in progress when the dispatch is handed over.
func TestRunSlowTrialDispatchDurable(t *testing.T) {
	for _, delay := range []time.Duration{0, 2 * dispatchDelay} {
		for _, parallel := range []int{1, 2} {
			t.Run(fmt.Sprintf("append=%v/parallel=%d", delay, parallel), func(t *testing.T) {
				var store results.Store = results.NewMemory()
				if delay > 0 {
					store = &slowStore{Store: store, delay: delay}
				}
				ex := &fakeExecutor{run: func(ctx context.Context, tr trial.Trial) (trial.Result, error) {
					deadline := time.Now().Add(2 * time.Second)
					for time.Now().Before(deadline) {
						for _, e := range journalEvents(t, store) {
							if e.Type == results.EventDispatch && e.Trial.Number == tr.Number {
								return complete(tr), nil
							}
						}
						time.Sleep(time.Millisecond)
					}
					return trial.Result{}, fmt.Errorf("trial %d: its dispatch is not in the journal after 2s", tr.Number)
				}}
				cfg := Config{Sampler: &fakeSampler{}, Executor: ex, Store: store, Parallel: parallel, MaxTrials: 6,
					Direction: trial.Maximize, Seed: testSeed}
				out, err := Run(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range out.Results {
					if r.State != trial.Complete {
						t.Error(r.Error)
					}
				}
			})
		}
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	good := testConfig(&fakeSampler{}, &fakeExecutor{})
	for name, mutate := range map[string]func(*Config){
		"Sampler":   func(c *Config) { c.Sampler = nil },
		"Executor":  func(c *Config) { c.Executor = nil },
		"Store":     func(c *Config) { c.Store = nil },
		"Seed":      func(c *Config) { c.Seed = nil },
		"Direction": func(c *Config) { c.Direction = "" },
		"negative":  func(c *Config) { c.Parallel = -1 },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: Run = %v, want an error naming it", name, err)
		}
	}
}

func TestStudyDirectoryEndToEnd(t *testing.T) {
	j, err := results.Create(t.TempDir(), "e2e", []byte("name: e2e\n"), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(&fakeSampler{}, &fakeExecutor{})
	cfg.Store, cfg.Parallel, cfg.MaxTrials = j, 4, 50
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	r, err := results.Open(filepath.Join(filepath.Dir(j.Dir()), "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	events, err := r.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if events[0].Type != results.EventStudy {
		t.Errorf("first event is %s", events[0].Type)
	}
	checkJournal(t, events)
	checkSummary(t, out, events, trial.Maximize)
	rows := results.Leaderboard(results.Results(events), trial.Maximize)
	if len(rows) != 50 || rows[0].Result.Number != 49 {
		t.Errorf("leaderboard has %d rows, top %+v", len(rows), rows[0])
	}
}
