package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// behaviour is what one execution of a straggler test does: wait until
// the execution afterStart has started and afterEnd has returned (when
// set), then take d, or until cancelled when d is negative, then return the
// result (failed with fail as its reason when set). The gates order the
// executions whatever the machine's speed: durations only make a trial
// slow enough to be duplicated, never decide which execution ends first.
type behaviour struct {
	d                    time.Duration
	fail                 string
	afterStart, afterEnd [2]int // (number, attempt); attempts start at 1, so the zero value is no gate
}

// gates holds a channel per (number, attempt) and event, closed when the
// event happens.
type gates struct {
	mu sync.Mutex
	ch map[[3]int]chan struct{}
}

func (g *gates) get(key [2]int, event int) chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := [3]int{key[0], key[1], event}
	c, ok := g.ch[k]
	if !ok {
		c = make(chan struct{})
		g.ch[k] = c
	}
	return c
}

// stragglerExecutor runs trials as script says for (number, attempt);
// executions not in script take 2ms and complete.
func stragglerExecutor(script map[[2]int]behaviour) *fakeExecutor {
	const started, ended = 0, 1
	g := &gates{ch: map[[3]int]chan struct{}{}}
	return &fakeExecutor{run: func(ctx context.Context, t trial.Trial) (trial.Result, error) {
		key := [2]int{t.Number, t.Attempt}
		close(g.get(key, started))
		defer close(g.get(key, ended))
		b, ok := script[key]
		if !ok {
			b = behaviour{d: 2 * time.Millisecond}
		}
		for _, gate := range []struct {
			key   [2]int
			event int
		}{{b.afterStart, started}, {b.afterEnd, ended}} {
			if gate.key[1] == 0 {
				continue
			}
			select {
			case <-g.get(gate.key, gate.event):
			case <-ctx.Done():
				return trial.Result{}, ctx.Err()
			}
		}
		var done <-chan time.Time
		if b.d >= 0 {
			done = time.After(b.d)
		}
		select {
		case <-done:
		case <-ctx.Done():
			return trial.Result{}, ctx.Err()
		}
		if b.fail != "" {
			return trial.Result{Number: t.Number, State: trial.Failed, Error: b.fail}, nil
		}
		r := complete(t)
		r.Backend = map[string]float64{"attempt": float64(t.Attempt)}
		return r, nil
	}}
}

func TestSpeculative(t *testing.T) {
	const slow = 10 // the trial that straggles
	tests := []struct {
		name        string
		script      map[[2]int]behaviour
		minSamples  int
		wantState   trial.State
		wantError   string
		wantAttempt float64 // of the result returned
		wantWon     float64 // Backend speculative_won; -1: no race
	}{
		{"the duplicate wins", map[[2]int]behaviour{{slow, 1}: {d: -1}}, 5, trial.Complete, "", 2, 1},
		{"the first execution wins", map[[2]int]behaviour{{slow, 1}: {d: 50 * time.Millisecond, afterStart: [2]int{slow, 2}}, {slow, 2}: {d: -1}}, 5, trial.Complete, "", 1, 0},
		{"a failure waits for the other", map[[2]int]behaviour{{slow, 1}: {d: 50 * time.Millisecond, fail: "crashed", afterStart: [2]int{slow, 2}}, {slow, 2}: {afterEnd: [2]int{slow, 1}}}, 5, trial.Complete, "", 2, 1},
		{"both fail: the first's reason", map[[2]int]behaviour{{slow, 1}: {d: 50 * time.Millisecond, fail: "first", afterEnd: [2]int{slow, 2}}, {slow, 2}: {fail: "second"}}, 5, trial.Failed, "first", 0, 0},
		{"too few peers: no duplicate", map[[2]int]behaviour{{slow, 1}: {d: 150 * time.Millisecond}, {slow, 2}: {d: -1}}, 50, trial.Complete, "", 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := stragglerExecutor(tt.script)
			s := &Speculative{Executor: ex, K: 3, MinSamples: tt.minSamples, MinWait: 20 * time.Millisecond}
			ctx := context.Background()
			for n := range slow {
				if _, err := s.Execute(ctx, trial.Trial{Number: n, Attempt: 1, Model: "noop"}); err != nil {
					t.Fatal(err)
				}
			}
			r, err := s.Execute(ctx, trial.Trial{Number: slow, Attempt: 1, Model: "noop"})
			if err != nil {
				t.Fatal(err)
			}
			if r.State != tt.wantState || r.Error != tt.wantError {
				t.Errorf("got %s %q, want %s %q", r.State, r.Error, tt.wantState, tt.wantError)
			}
			if tt.wantState == trial.Complete && r.Backend["attempt"] != tt.wantAttempt {
				t.Errorf("result of attempt %v, want %v", r.Backend["attempt"], tt.wantAttempt)
			}
			won, raced := r.Backend["speculative_won"]
			switch {
			case tt.wantWon < 0 && raced:
				t.Errorf("Backend %v notes a race, want none", r.Backend)
			case tt.wantWon >= 0 && (!raced || won != tt.wantWon || r.Backend["speculative"] != 1):
				t.Errorf("Backend %v, want speculative 1, speculative_won %v", r.Backend, tt.wantWon)
			}
			var attempts []int
			for _, c := range ex.Calls() {
				if c.Trial.Number == slow {
					attempts = append(attempts, c.Trial.Attempt)
					if c.End == 0 {
						t.Errorf("attempt %d still running after Execute returned", c.Trial.Attempt)
					}
				}
			}
			wantCalls := 2
			if tt.minSamples > slow {
				wantCalls = 1
			}
			if len(attempts) != wantCalls {
				t.Errorf("trial %d executed as attempts %v, want %d executions", slow, attempts, wantCalls)
			}
		})
	}
}

func TestSpeculativeCancelled(t *testing.T) {
	ex := stragglerExecutor(map[[2]int]behaviour{{0, 1}: {d: -1}})
	s := &Speculative{Executor: ex}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Execute(ctx, trial.Trial{Number: 0, Attempt: 1}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's", err)
	}
}

// TestSpeculativeStudy runs a study whose every tenth trial straggles: the
// journal has one result per trial, each complete.
func TestSpeculativeStudy(t *testing.T) {
	script := map[[2]int]behaviour{}
	for n := 20; n < 60; n += 10 {
		script[[2]int{n, 1}] = behaviour{d: -1}
	}
	ex := stragglerExecutor(script)
	smp := &fakeSampler{limit: 60}
	cfg := testConfig(smp, ex)
	cfg.Executor = &Speculative{Executor: ex, MinWait: 20 * time.Millisecond}
	cfg.Parallel = 4
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := journalEvents(t, cfg.Store)
	checkJournal(t, events)
	checkSummary(t, out, events, cfg.Direction)
	seen := map[int]int{}
	raced := 0
	for _, r := range results.Results(events) {
		seen[r.Number]++
		if r.State != trial.Complete {
			t.Errorf("trial %d: %s %q", r.Number, r.State, r.Error)
		}
		_, straggled := script[[2]int{r.Number, 1}]
		if straggled && r.Backend["speculative"] == 1 && r.Backend["speculative_won"] == 1 {
			raced++
		}
	}
	if len(seen) != 60 || out.Complete != 60 {
		t.Errorf("%d trials with results, %d complete; want 60", len(seen), out.Complete)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("trial %d has %d results", n, c)
		}
	}
	if raced != len(script) {
		t.Errorf("%d stragglers were won by their duplicates, want %d", raced, len(script))
	}
}
