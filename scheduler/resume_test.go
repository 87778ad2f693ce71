package scheduler

import (
	"context"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// scoreOf gives trial n a score that does not grow with n, so the best
// trial is somewhere in the middle.
func scoreOf(t trial.Trial) trial.Result {
	r := complete(t)
	r.Score = rand.New(rand.NewPCG(t.Seed, 1)).Float64()
	return r
}

// interruptAt returns an executor that completes trials below k and
// cancels the study on reaching trial k, whose executions are then cut
// short; and the context to run the study with.
func interruptAt(k int) (*fakeExecutor, context.Context) {
	ctx, cancel := context.WithCancel(context.Background())
	ex := &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
		if t.Number < k {
			return scoreOf(t), nil
		}
		cancel()
		<-ctx.Done()
		return trial.Result{}, ctx.Err()
	}}
	return ex, ctx
}

// TestRunResumeContinuesAsUninterrupted: a study interrupted several
// times and resumed from its journal each time runs every trial to a
// final result exactly once, never runs again a trial whose result was
// journaled, runs the trials in flight again with Attempt+1, and ends
// with the uninterrupted study's results.
func TestRunResumeContinuesAsUninterrupted(t *testing.T) {
	const total = 60
	want, err := Run(context.Background(), Config{Sampler: &fakeSampler{}, Executor: &fakeExecutor{run: func(_ context.Context, t trial.Trial) (trial.Result, error) {
		return scoreOf(t), nil
	}}, Store: results.NewMemory(), Parallel: 3, MaxTrials: total, Direction: trial.Maximize, Seed: testSeed})
	if err != nil {
		t.Fatal(err)
	}

	store := results.NewMemory()
	store.Append(context.Background(), results.StudyEvent("s", epoch))
	var out Outcome
	reruns := 0
	for round, k := range []int{7, 8, 20, 41, total} {
		prior := journalEvents(t, store)
		plan := PlanResume(prior, trial.Maximize)
		reruns += len(plan.Rerun)
		ex, ctx := interruptAt(k)
		s := &fakeSampler{}
		cfg := Config{Sampler: s, Executor: ex, Store: store, Parallel: 3, MaxTrials: total,
			Direction: trial.Maximize, Seed: testSeed, Prior: prior}
		out, err = Run(ctx, cfg)
		if k < total && !errors.Is(err, trial.ErrInterrupted) || k == total && err != nil {
			t.Fatalf("round %d: Run = %v", round, err)
		}
		// The sampler was rebuilt from the journal: asked for each trial
		// once, in order, and told the journal's results first.
		for i, n := range s.asked {
			if n != i {
				t.Fatalf("round %d: sampler asked %v", round, s.asked)
			}
		}
		if len(s.told) < len(results.Results(prior)) {
			t.Fatalf("round %d: told %d results, journal had %d", round, len(s.told), len(results.Results(prior)))
		}
		for i, r := range results.Results(prior) {
			if s.told[i].Number != r.Number {
				t.Fatalf("round %d: tell %d was trial %d, journal order says %d", round, i, s.told[i].Number, r.Number)
			}
		}
		// Nothing final was run again; what was in flight ran first.
		final := map[int]bool{}
		for _, r := range results.Results(prior) {
			final[r.Number] = true
		}
		for _, c := range ex.Calls() {
			if final[c.Trial.Number] {
				t.Errorf("round %d: trial %d ran again after its result was journaled", round, c.Trial.Number)
			}
		}
		var dispatched []trial.Trial
		for _, e := range journalEvents(t, store)[len(prior):] {
			if e.Type == results.EventDispatch {
				dispatched = append(dispatched, *e.Trial)
			}
		}
		for i, rr := range plan.Rerun {
			if i >= len(dispatched) || dispatched[i].Number != rr.Number || dispatched[i].Attempt != rr.Attempt || rr.Attempt < 2 {
				t.Errorf("round %d: dispatch %d is %+v, want the rerun of trial %d, attempt %d", round, i, dispatched[i], rr.Number, rr.Attempt)
			}
		}
		checkSummary(t, out, journalEvents(t, store), trial.Maximize)
	}

	if reruns == 0 {
		t.Error("no trial was in flight at any interruption; the test tests nothing")
	}
	events := journalEvents(t, store)
	counts := map[int]int{}
	for _, r := range results.Results(events) {
		counts[r.Number]++
	}
	for n := range total {
		if counts[n] != 1 {
			t.Errorf("trial %d has %d results, want 1", n, counts[n])
		}
	}
	if len(counts) != total {
		t.Errorf("%d trials have results, want %d", len(counts), total)
	}
	if out.Complete != total || out.Best == nil || out.Best.Number != want.Best.Number || out.Best.Score != want.Best.Score {
		t.Errorf("resumed study: %d complete, best %+v; uninterrupted best %+v", out.Complete, out.Best, want.Best)
	}
	if out.StopReason != StopMaxTrials {
		t.Errorf("stop reason %q", out.StopReason)
	}
}

func TestPlanResume(t *testing.T) {
	tr := func(n, attempt int) *trial.Trial {
		return &trial.Trial{Number: n, Model: "noop", Params: trial.Params{"x": float64(n)}, Attempt: attempt}
	}
	res := func(n int, s trial.State) *trial.Result {
		return &trial.Result{Number: n, State: s, Model: "noop", Score: float64(n)}
	}
	events := []results.Event{
		{Type: results.EventStudy, Study: "s"},
		{Type: results.EventDispatch, Trial: tr(0, 1)},
		{Type: results.EventDispatch, Trial: tr(1, 1)},
		{Type: results.EventDispatch, Trial: tr(2, 1)},
		{Type: results.EventResult, Result: res(1, trial.Complete)},
		{Type: results.EventDispatch, Trial: tr(3, 0)}, // an old journal without attempts
		{Type: results.EventResult, Result: res(2, trial.Failed)},
		{Type: results.EventStop, Reason: StopInterrupted},
		{Type: results.EventDispatch, Trial: tr(0, 2)},
	}
	p := PlanResume(events, trial.Maximize)
	if p.Next != 4 || p.Complete != 1 || p.Failed != 1 || p.Dispatched != 4 || p.Running != 2 {
		t.Errorf("plan = %+v", p)
	}
	var got []string
	for _, r := range p.Rerun {
		got = append(got, strings.Join([]string{trial.FormatValue(r.Number), trial.FormatValue(r.Attempt)}, "@"))
	}
	if want := []string{"0@3", "3@2"}; !slices.Equal(got, want) {
		t.Errorf("reruns (number@attempt) = %v, want %v", got, want)
	}
	if _, done := p.Finished(10, 0); done {
		t.Error("finished with trials to run again")
	}

	for _, tc := range []struct {
		name                string
		plan                Plan
		maxTrials, maxFails int
		reason              string
	}{
		{"max trials", Plan{Next: 10}, 10, 0, StopMaxTrials},
		{"max trials raised", Plan{Next: 10}, 20, 0, ""},
		{"exhausted", Plan{Next: 6, Summary: results.Summary{StopReason: StopExhausted}}, 10, 0, StopExhausted},
		{"max failed", Plan{Next: 3, Summary: results.Summary{Failed: 3}}, 10, 3, StopMaxFailed},
		{"interrupted", Plan{Next: 3, Summary: results.Summary{StopReason: StopInterrupted}}, 10, 0, ""},
		{"rerun beyond a lowered max", Plan{Next: 9, Rerun: []trial.Trial{*tr(8, 2)}}, 5, 0, StopMaxTrials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason, done := tc.plan.Finished(tc.maxTrials, tc.maxFails)
			if reason != tc.reason || done != (tc.reason != "") {
				t.Errorf("Finished = %q, %v; want %q", reason, done, tc.reason)
			}
		})
	}
}

// TestRunResumeFinishedStudyRunsNothing: resuming a study with nothing
// left dispatches nothing and reports the journal's trials.
func TestRunResumeFinishedStudyRunsNothing(t *testing.T) {
	cfg := testConfig(&fakeSampler{}, &fakeExecutor{})
	cfg.MaxTrials = 5
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	ex := &fakeExecutor{}
	again := testConfig(&fakeSampler{}, ex)
	again.Store, again.MaxTrials, again.Prior = cfg.Store, 5, journalEvents(t, cfg.Store)
	out, err := Run(context.Background(), again)
	if err != nil || len(ex.Calls()) != 0 || out.Complete != 5 || out.StopReason != StopMaxTrials {
		t.Errorf("Run = %v, %d calls, %+v", err, len(ex.Calls()), out.Summary)
	}
}

// TestRunResumeMaxFailedCountsPriorFailures: failures before the
// interruption count towards MaxFailed.
func TestRunResumeMaxFailedCountsPriorFailures(t *testing.T) {
	fail := func(_ context.Context, t trial.Trial) (trial.Result, error) {
		return trial.Result{State: trial.Failed, Error: "boom"}, nil
	}
	cfg := testConfig(&fakeSampler{}, &fakeExecutor{run: fail})
	cfg.MaxTrials = 2
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	ex := &fakeExecutor{run: fail}
	again := testConfig(&fakeSampler{}, ex)
	again.Store, again.MaxTrials, again.MaxFailed, again.Prior = cfg.Store, 10, 3, journalEvents(t, cfg.Store)
	out, err := Run(context.Background(), again)
	if err != nil || len(ex.Calls()) != 1 || out.Failed != 3 || out.StopReason != StopMaxFailed {
		t.Errorf("Run = %v, %d calls, %+v", err, len(ex.Calls()), out.Summary)
	}
}

func TestFaulty(t *testing.T) {
	faults := Faults{DelayRate: 0.3, MaxDelay: time.Millisecond, PanicRate: 0.2, ErrorRate: 0.2, Seed: 7}
	run := func() []trial.Result {
		cfg := testConfig(&fakeSampler{}, nil)
		cfg.Executor = &Faulty{Executor: &fakeExecutor{}, Faults: faults}
		cfg.Parallel, cfg.MaxTrials = 4, 200
		out, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		rs := slices.Clone(out.Results)
		slices.SortFunc(rs, func(a, b trial.Result) int { return a.Number - b.Number })
		return rs
	}
	a, b := run(), run()
	var panics, errs int
	for i := range a {
		if a[i].State != b[i].State {
			t.Errorf("trial %d: %s then %s; faults should depend on the seed and trial only", i, a[i].State, b[i].State)
		}
		switch {
		case strings.Contains(a[i].Error, "injected panic"):
			panics++
		case strings.Contains(a[i].Error, ErrInjected.Error()):
			errs++
		}
	}
	// 200 draws at 0.2: well within 20..60 unless the rates are ignored.
	if panics < 20 || panics > 60 || errs < 15 || errs > 60 {
		t.Errorf("%d panics and %d errors in 200 trials at rates 0.2 and 0.2×0.8", panics, errs)
	}

	// A delay gives way to cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &Faulty{Executor: &fakeExecutor{}, Faults: Faults{DelayRate: 1, MaxDelay: time.Hour}}
	if _, err := f.Execute(ctx, trial.Trial{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled delay: %v", err)
	}
}

// TestRunResumeStopRulesSeeTheJournal: the stop rules judge the results
// from before the interruption too; one they already meet stops the study
// before it dispatches anything.
func TestRunResumeStopRulesSeeTheJournal(t *testing.T) {
	cfg := testConfig(&fakeSampler{xs: []float64{0.2, 0.9, 0.1}}, &fakeExecutor{})
	cfg.MaxTrials = 3
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target float64
		stop   string
		calls  int
	}{{0.8, StopTarget, 0}, {0.95, StopMaxTrials, 2}} {
		ex := &fakeExecutor{}
		again := testConfig(&fakeSampler{xs: []float64{0.2, 0.9, 0.1, 0.3, 0.4}}, ex)
		again.Store, again.MaxTrials, again.Prior = results.NewMemory(), 5, journalEvents(t, cfg.Store)
		again.Stop.Target = &tc.target
		out, err := Run(context.Background(), again)
		if err != nil || out.StopReason != tc.stop || len(ex.Calls()) != tc.calls {
			t.Errorf("target %g: Run = %v, stop %q after %d more trials; want %q after %d",
				tc.target, err, out.StopReason, len(ex.Calls()), tc.stop, tc.calls)
		}
	}
}

// Resuming a study that a stop rule stopped, under the same rule, runs
// nothing and writes nothing: the journal already ends with that stop.
// Under a different rule the new reason is recorded.
func TestRunResumeStoppedStudyWritesNoSecondStop(t *testing.T) {
	target := 0.8
	cfg := testConfig(&fakeSampler{xs: []float64{0.2, 0.9, 0.1}}, &fakeExecutor{})
	cfg.MaxTrials, cfg.Stop.Target = 5, &target
	if out, err := Run(context.Background(), cfg); err != nil || out.StopReason != StopTarget {
		t.Fatalf("first run: %v, stop %q; want %q", err, out.StopReason, StopTarget)
	}
	prior := journalEvents(t, cfg.Store)
	for _, tc := range []struct {
		target float64
		stop   string
		writes int // events the resumed Run appends
	}{{0.8, StopTarget, 0}, {0.5, StopTarget, 0}, {0.95, StopMaxTrials, 7}} {
		ex := &fakeExecutor{}
		again := testConfig(&fakeSampler{xs: []float64{0.2, 0.9, 0.1, 0.3, 0.4}}, ex)
		again.Store, again.MaxTrials, again.Prior = results.NewMemory(), 5, prior
		again.Stop.Target = &tc.target
		out, err := Run(context.Background(), again)
		if err != nil || out.StopReason != tc.stop {
			t.Fatalf("target %g: Run = %v, stop %q; want %q", tc.target, err, out.StopReason, tc.stop)
		}
		if got := len(journalEvents(t, again.Store)); got != tc.writes {
			t.Errorf("target %g: %d events written, want %d", tc.target, got, tc.writes)
		}
	}
}

// A journal whose last stop event is followed by more trials (a resume
// that died before its own stop record) does not count as stopped: a
// Run that stops at once for the same reason still writes its stop.
func TestRunResumeAfterDeathWritesTheStop(t *testing.T) {
	target := 0.8
	cfg := testConfig(&fakeSampler{xs: []float64{0.2, 0.9, 0.1, 0.3, 0.4}}, &fakeExecutor{})
	cfg.MaxTrials, cfg.Stop.Target = 5, &target
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	prior := journalEvents(t, cfg.Store)
	// A second run went on under a higher target, met it with trial 2,
	// and died before writing its stop event.
	at := time.Unix(0, 0)
	tr := trial.Trial{Number: 2, Model: "m", Seed: testSeed(2), Attempt: 1, Params: trial.Params{"x": 0.95}}
	r := complete(tr)
	r.Score = 0.95
	prior = append(prior, results.DispatchEvent(tr, at), results.ResultEvent(r, at))

	again := testConfig(&fakeSampler{xs: []float64{0.2, 0.9, 0.95, 0.3, 0.4}}, &fakeExecutor{})
	again.Store, again.MaxTrials, again.Prior = results.NewMemory(), 5, prior
	again.Stop.Target = &target
	out, err := Run(context.Background(), again)
	if err != nil || out.StopReason != StopTarget {
		t.Fatalf("Run = %v, stop %q; want %q", err, out.StopReason, StopTarget)
	}
	evs := journalEvents(t, again.Store)
	if len(evs) != 1 || evs[0].Type != results.EventStop || evs[0].Reason != StopTarget {
		t.Errorf("wrote %v, want one stop event %q", evs, StopTarget)
	}
}

// A trial recovered after an interruption is appended to the journal
// after trials numbered above it; resuming again must not take its
// number for a gap and run it again.
func TestResumeRecoveredOutOfOrder(t *testing.T) {
	s := &fakeSampler{}
	ex := &fakeExecutor{}
	cfg := testConfig(s, ex)
	at := time.Unix(0, 0)
	tr := func(n int) trial.Trial { return trial.Trial{Number: n, Model: "m", Seed: testSeed(n), Attempt: 1} }
	res := func(n int) trial.Result { return complete(tr(n)) }
	cfg.Prior = []results.Event{
		results.StudyEvent("s", at),
		results.DispatchEvent(tr(0), at), results.ResultEvent(res(0), at),
		results.DispatchEvent(tr(2), at), results.ResultEvent(res(2), at),
		// Trial 1 ran, but only its stored result was found on resume.
		results.DispatchEvent(tr(1), at), results.ResultEvent(res(1), at),
	}
	cfg.MaxTrials = 5
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	for _, c := range ex.Calls() {
		if c.Trial.Number < 3 {
			t.Errorf("trial %d ran again although the journal has its result", c.Trial.Number)
		}
	}
	if n := len(ex.Calls()); n != 2 {
		t.Errorf("ran %d trials, want 2 (3 and 4)", n)
	}
}

// feedbackSampler proposes for trial n an x drawn from every result told
// before it, in order, so a study's trials depend on each tell and on
// the order of tells and asks.
type feedbackSampler struct {
	mu   sync.Mutex // the test reads told while Run writes
	told []trial.Result
}

func (s *feedbackSampler) Ask(n int) (trial.Trial, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := uint64(n) + 1
	for _, r := range s.told {
		h = h*0x100000001b3 ^ math.Float64bits(r.Score) ^ uint64(r.Number)
	}
	x := float64(rand.New(rand.NewPCG(h, 7)).IntN(1000)) / 1000
	return trial.Trial{Model: "noop", Params: trial.Params{"x": x}}, true
}

func (s *feedbackSampler) Tell(r trial.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.told = append(s.told, r)
}

func (s *feedbackSampler) toldNumbers() map[int]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[int]bool{}
	for _, r := range s.told {
		m[r.Number] = true
	}
	return m
}

// crashStore is a Memory store whose process "dies" once limit events
// are recorded: the Append that would go past it records only the events
// up to it, as a torn write would, and fails, and so does every call after
// it.
type crashStore struct {
	*results.Memory
	limit  int
	onDie  func(lost []results.Event)
	mu     sync.Mutex
	n      int // events recorded
	after  int // calls after the crash
	killed bool
}

func (c *crashStore) Append(ctx context.Context, events ...results.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.killed:
		c.after++
		return errDisk
	case c.n+len(events) > c.limit:
		c.killed = true
		k := c.limit - c.n
		if err := c.Memory.Append(ctx, events[:k]...); err != nil {
			return err
		}
		c.onDie(events[k:])
		return errDisk
	}
	c.n += len(events)
	return c.Memory.Append(ctx, events...)
}

// TestRunResumeAfterCrashBeforeDurable: the sampler is told a result
// before the result is durable, yet a crash at any write, tearing the
// batch anywhere, leaves a journal from which the study resumes to
// exactly the trials of an uninterrupted run, because whatever followed a
// tell in the sampler's history follows the result in the journal.
func TestRunResumeAfterCrashBeforeDurable(t *testing.T) {
	const total = 12
	run := func(s Sampler, store results.Store, prior []results.Event) (Outcome, error) {
		return Run(context.Background(), Config{Sampler: s, Executor: &fakeExecutor{}, Store: store,
			Parallel: 1, MaxTrials: total, Direction: trial.Maximize, Seed: testSeed, Prior: prior})
	}
	want, err := run(&feedbackSampler{}, results.NewMemory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	xs := func(rs []trial.Result) map[int]float64 {
		m := map[int]float64{}
		for _, r := range rs {
			m[r.Number] = r.Score
		}
		return m
	}
	toldEarly, crashPoints := 0, 0
	for limit := 0; ; limit++ {
		s := &feedbackSampler{}
		store := &crashStore{Memory: results.NewMemory(), limit: limit}
		store.onDie = func(lost []results.Event) {
			told := s.toldNumbers()
			for _, e := range lost {
				if e.Type == results.EventResult && told[e.Result.Number] {
					toldEarly++
				}
			}
		}
		_, err := run(s, store, nil)
		if !store.killed {
			if err != nil {
				t.Fatalf("no crash, but Run = %v", err)
			}
			break
		}
		crashPoints++
		if !errors.Is(err, errDisk) {
			t.Fatalf("crash after %d events: Run = %v, want the store's error", limit, err)
		}
		if store.after > 0 {
			t.Errorf("crash after %d events: %d appends after the failed one", limit, store.after)
		}
		prior := journalEvents(t, store.Memory)
		again := results.NewMemory()
		if err := again.Append(context.Background(), prior...); err != nil {
			t.Fatal(err)
		}
		got, err := run(&feedbackSampler{}, again, prior)
		if err != nil {
			t.Fatalf("crash after %d events: resume: %v", limit, err)
		}
		events := journalEvents(t, again)
		checkSummary(t, got, events, trial.Maximize)
		if g, w := xs(got.Results), xs(want.Results); !maps.Equal(g, w) || len(got.Results) != total {
			t.Errorf("crash after %d events: resumed study's trials (number: x) %v, uninterrupted %v", limit, g, w)
		}
	}
	t.Logf("crash points %d, results told before the failed write: %d", crashPoints, toldEarly)
	if toldEarly == 0 {
		t.Error("no crash found the sampler told of a result the store was failing to write; the test tests nothing")
	}
}
