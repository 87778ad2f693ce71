package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

func TestStopRules(t *testing.T) {
	target := 7.0
	costly := func(ctx context.Context, tr trial.Trial) (trial.Result, error) {
		r := complete(tr)
		r.Backend = map[string]float64{CostKey: 0.25}
		return r, nil
	}
	tests := []struct {
		name   string
		xs     []float64
		rules  StopRules
		run    func(ctx context.Context, t trial.Trial) (trial.Result, error)
		reason string
		told   int // results journaled before the stop
	}{
		// Maximizing: trial 3 scores 7 >= target.
		{name: "target", xs: []float64{1, 5, 2, 7, 9, 9}, rules: StopRules{Target: &target}, reason: StopTarget, told: 4},
		// Best 5 at trial 1, then three results without improvement.
		{name: "patience", xs: []float64{1, 5, 2, 5, 3, 9, 9}, rules: StopRules{Patience: 3}, reason: StopPatience, told: 5},
		{name: "patience resets", xs: []float64{1, 5, 2, 6, 3, 4, 0, 9}, rules: StopRules{Patience: 3}, reason: StopPatience, told: 7},
		{name: "max_cost", xs: []float64{1, 2, 3, 4, 5, 6}, rules: StopRules{MaxCost: 1}, run: costly, reason: StopMaxCost, told: 4},
		{name: "no rule", xs: []float64{1, 2, 3}, reason: StopMaxTrials, told: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each trial is asked after the results before it are told,
			// so the stop comes right after the deciding one.
			s := &countingSampler{fakeSampler: fakeSampler{xs: tt.xs}}
			ex := &fakeExecutor{run: tt.run}
			cfg := testConfig(&s.fakeSampler, ex)
			cfg.Sampler, cfg.MaxTrials, cfg.Stop = s, len(tt.xs), tt.rules
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			events := journalEvents(t, cfg.Store)
			if _, stop := checkJournal(t, events); stop != tt.reason || out.StopReason != tt.reason {
				t.Errorf("stop reason: journal %q, outcome %q; want %q", stop, out.StopReason, tt.reason)
			}
			if n := len(results.Results(events)); n != tt.told {
				t.Errorf("journaled %d results, want %d", n, tt.told)
			}
			checkSummary(t, out, events, cfg.Direction)
		})
	}
}

func TestStopMaxTime(t *testing.T) {
	clock := &fakeClock{} // one second per reading
	cfg := testConfig(&fakeSampler{}, &fakeExecutor{})
	cfg.Now, cfg.Stop = clock.Now, StopRules{MaxTime: 20 * time.Second}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.StopReason != StopMaxTime || out.Dispatched == 0 || out.Dispatched > 20 {
		t.Errorf("outcome %+v, want a stop for max_time after a few trials", out.Summary)
	}
	// In wall time, with trials that never finish on their own.
	cfg = testConfig(&fakeSampler{}, &fakeExecutor{run: func(ctx context.Context, tr trial.Trial) (trial.Result, error) {
		select {
		case <-ctx.Done():
			return trial.Result{}, ctx.Err()
		case <-time.After(300 * time.Millisecond):
			return complete(tr), nil
		}
	}})
	cfg.Parallel, cfg.Stop = 2, StopRules{MaxTime: 50 * time.Millisecond}
	out, err = Run(context.Background(), cfg)
	if err != nil || out.StopReason != StopMaxTime || out.Dispatched != 2 || out.Complete != 2 {
		t.Errorf("err %v, outcome %+v: want the two trials in flight to finish, then max_time", err, out.Summary)
	}
}

// countingSampler is a fakeSampler that records how many results it had
// been told when each trial was asked, and calls onAsk, if set, first.
type countingSampler struct {
	fakeSampler
	toldAtAsk []int
	onAsk     func(n int)
}

func (s *countingSampler) Ask(n int) (trial.Trial, bool) {
	if s.onAsk != nil {
		s.onAsk(n)
	}
	s.toldAtAsk = append(s.toldAtAsk, len(s.told))
	return s.fakeSampler.Ask(n)
}

// TestSamplerSeesEveryFinishedResult: a sampler is asked for a new trial
// only once every finished trial's result is told, so with Parallel 1
// trial n is asked knowing the n results before it.
func TestSamplerSeesEveryFinishedResult(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		s := &countingSampler{}
		cfg := testConfig(&s.fakeSampler, &fakeExecutor{})
		cfg.Sampler, cfg.Parallel, cfg.MaxTrials = s, parallel, 30
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		for n, told := range s.toldAtAsk {
			if told < n-parallel+1 {
				t.Fatalf("parallel %d: trial %d asked after %d results told, want at least %d", parallel, n, told, n-parallel+1)
			}
		}
	}
}

// max_cost counts the trials in flight: with three at a time, the study
// stops dispatching while the journaled cost plus the expected cost of
// the unfinished trials is within the budget, so it never goes over.
func TestStopMaxCostCountsInFlight(t *testing.T) {
	ex := &fakeExecutor{run: func(ctx context.Context, tr trial.Trial) (trial.Result, error) {
		r := complete(tr)
		r.Backend = map[string]float64{CostKey: 0.25}
		return r, nil
	}}
	cfg := testConfig(&fakeSampler{}, ex)
	cfg.Parallel, cfg.MaxTrials, cfg.Stop = 3, 100, StopRules{MaxCost: 1.1}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var spent float64
	for _, r := range out.Results {
		spent += r.Backend[CostKey]
	}
	if out.StopReason != StopMaxCost || spent > 1.1 || spent < 0.75 {
		t.Errorf("stopped for %q having spent $%.2f; want max_cost within $1.10", out.StopReason, spent)
	}
}

// TestStopRulesDispatchNothingAfterTheDecidingResult: at Parallel 1 a
// result is judged by the stop rules as the sampler is told it, before
// the next ask and before it is durable, so the study dispatches no trial
// after the one that met a rule, however slow the journal.
func TestStopRulesDispatchNothingAfterTheDecidingResult(t *testing.T) {
	target := 7.0
	run := func(ctx context.Context, tr trial.Trial) (trial.Result, error) {
		r := complete(tr)
		if r.Score < 0 {
			return trial.Result{State: trial.Failed, Error: "diverged"}, nil
		}
		r.Backend = map[string]float64{CostKey: 0.25}
		return r, nil
	}
	tests := []struct {
		name      string
		xs        []float64
		maxFailed int
		rules     StopRules
		reason    string
		deciding  int // the trial whose result stops the study
	}{
		{name: "target", xs: []float64{1, 5, 2, 7, 9, 9}, rules: StopRules{Target: &target}, reason: StopTarget, deciding: 3},
		{name: "patience", xs: []float64{1, 5, 2, 5, 3, 9, 9}, rules: StopRules{Patience: 3}, reason: StopPatience, deciding: 4},
		{name: "max_cost", xs: []float64{1, 2, 3, 4, 5, 6}, rules: StopRules{MaxCost: 0.9}, reason: StopMaxCost, deciding: 2},
		{name: "max_failed", xs: []float64{1, -1, 2, -1, 3, 4}, maxFailed: 2, reason: StopMaxFailed, deciding: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &countingSampler{fakeSampler: fakeSampler{xs: tt.xs}}
			ex := &fakeExecutor{run: run}
			cfg := testConfig(&s.fakeSampler, ex)
			cfg.Sampler, cfg.MaxTrials, cfg.MaxFailed, cfg.Stop = s, len(tt.xs), tt.maxFailed, tt.rules
			cfg.Store = &slowStore{Store: results.NewMemory(), delay: 2 * time.Millisecond}
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if out.StopReason != tt.reason {
				t.Errorf("stop reason %q, want %q", out.StopReason, tt.reason)
			}
			if len(s.toldAtAsk) != tt.deciding+1 || len(ex.Calls()) != tt.deciding+1 || out.Dispatched != tt.deciding+1 {
				t.Errorf("asked %d trials, ran %d, dispatched %d; want %d: none after trial %d",
					len(s.toldAtAsk), len(ex.Calls()), out.Dispatched, tt.deciding+1, tt.deciding)
			}
			events := journalEvents(t, cfg.Store)
			checkJournal(t, events)
			checkSummary(t, out, events, cfg.Direction)
		})
	}
}
