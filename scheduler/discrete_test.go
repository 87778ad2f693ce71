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

// freeCatalog knows one free-form objective model, for specs in tests.
type freeCatalog struct{}

func (freeCatalog) Model(name string) (trial.ModelInfo, bool) {
	return trial.ModelInfo{Name: "noop", FreeForm: true, Objective: true, DefaultMetric: "value"}, name == "noop"
}

func (c freeCatalog) Models() []trial.ModelInfo {
	m, _ := c.Model("noop")
	return []trial.ModelInfo{m}
}

// TestRunFiniteSpaceExhaustedAndResumed: random search over a 40-point
// space with max_trials 100 runs each configuration once and stops as
// exhausted, and the same study interrupted twice and resumed from its
// journal with a new sampler each time runs the same trials.
func TestRunFiniteSpaceExhaustedAndResumed(t *testing.T) {
	for _, method := range []string{"random", "sobol"} {
		t.Run(method, func(t *testing.T) {
			spec, err := search.Parse(strings.NewReader(fmt.Sprintf(
				"name: d\nmodel: noop\nsearch: {method: %s, seed: 9, max_trials: 100}\nparameters:\n  a: {min: 1, max: 20}\n  b: [x, y]\n", method)),
				"spec.yaml", freeCatalog{})
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
			cfg := func(store results.Store, ex Executor, prior []results.Event) Config {
				return Config{Sampler: newSampler(), Executor: ex, Store: store, Parallel: 3, MaxTrials: 100,
					Direction: trial.Minimize, Seed: testSeed, Prior: prior}
			}
			configs := func(store results.Store) []string {
				byNumber := map[int]string{}
				for _, r := range results.Results(journalEvents(t, store)) {
					byNumber[r.Number] = r.Params.Format()
				}
				out := make([]string, len(byNumber))
				for n, p := range byNumber {
					out[n] = p
				}
				return out
			}

			store := results.NewMemory()
			out, err := Run(context.Background(), cfg(store, &fakeExecutor{}, nil))
			if err != nil || out.StopReason != StopExhausted || out.Complete != 40 {
				t.Fatalf("Run = %d complete, stop %q, %v; want 40, exhausted", out.Complete, out.StopReason, err)
			}
			want := configs(store)
			seen := map[string]bool{}
			for n, p := range want {
				if seen[p] {
					t.Errorf("trial %d repeats %s", n, p)
				}
				seen[p] = true
			}

			resumed := results.NewMemory()
			resumed.Append(context.Background(), results.StudyEvent("d", epoch))
			for _, k := range []int{7, 23, 1000} {
				ex, ctx := interruptAt(k)
				out, err = Run(ctx, cfg(resumed, ex, journalEvents(t, resumed)))
				if k < 40 && !errors.Is(err, trial.ErrInterrupted) || k > 40 && err != nil {
					t.Fatalf("interrupted at %d: %v", k, err)
				}
			}
			if out.StopReason != StopExhausted {
				t.Errorf("resumed study stopped %q, want exhausted", out.StopReason)
			}
			if got := configs(resumed); strings.Join(got, ";") != strings.Join(want, ";") {
				t.Errorf("resumed study ran\n%q\nuninterrupted\n%q", got, want)
			}
		})
	}
}
