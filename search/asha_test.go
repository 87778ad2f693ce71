package search

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// ashaSpec is a random-forest study under early stopping of the given
// type over n_estimators 1, 3, 9 (eta 3), maximizing accuracy.
func ashaSpec(tb testing.TB, typ, method string) *Spec {
	tb.Helper()
	return parse(tb, `name: a
dataset: iris
task: classification
model: random_forest
search: {method: `+method+`, seed: 4}
early_stopping: {type: `+typ+`, budget: n_estimators, min: 1, max: 9, eta: 3}
parameters:
  max_features: {min: 0.1, max: 1}
`)
}

// harness asks and tells a sampler, remembering every trial by number.
type harness struct {
	tb     testing.TB
	smp    Sampler
	trials map[int]trial.Trial
	next   int
}

func newHarness(tb testing.TB, s *Spec) *harness {
	return &harness{tb: tb, smp: newSampler(tb, s), trials: map[int]trial.Trial{}}
}

// ask asks for the next trial and returns it with its number set.
func (h *harness) ask() trial.Trial {
	h.tb.Helper()
	t, ok := h.smp.Ask(h.next)
	if !ok {
		h.tb.Fatalf("Ask(%d) not ok", h.next)
	}
	t.Number = h.next
	h.trials[h.next] = t
	h.next++
	return t
}

// tell reports trial n complete with score.
func (h *harness) tell(n int, score float64) {
	t := h.trials[n]
	h.smp.Tell(trial.Result{Number: n, State: trial.Complete, Model: t.Model, Params: t.Params, Budget: t.Budget, Score: score})
}

// is asserts that t runs configuration config (its first trial's number)
// at rung.
func is(tb testing.TB, t trial.Trial, config, rung int, budget float64) {
	tb.Helper()
	b := t.Budget
	if b.Name != "n_estimators" || b.Config != config || b.Rung != rung || b.Value != budget || b.Max != 9 {
		tb.Fatalf("trial %d budget = %+v, want config %d rung %d value %g max 9", t.Number, b, config, rung, budget)
	}
}

func TestASHAPromotions(t *testing.T) {
	s := ashaSpec(t, "asha", "random")
	if !reflect.DeepEqual(s.EarlyStopping.Rungs, []float64{1, 3, 9}) {
		t.Fatalf("rungs = %v", s.EarlyStopping.Rungs)
	}
	h := newHarness(t, s)
	for n := range 3 {
		is(t, h.ask(), n, 0, 1) // trials 0-2: new configurations at rung 0
	}
	h.tell(0, 0.5)
	h.tell(1, 0.9)
	// Two results at rung 0: floor(2/3) = 0 may be promoted.
	is(t, h.ask(), 3, 0, 1)
	h.tell(2, 0.7)
	// Three results: the top one (config 1, 0.9) goes to rung 1, while
	// trial 3 is still running: ASHA does not wait for it.
	p := h.ask()
	is(t, p, 1, 1, 3)
	if !reflect.DeepEqual(p.Params, h.trials[1].Params) || p.Model != h.trials[1].Model {
		t.Fatalf("promotion params %v, want config 1's %v", p.Params, h.trials[1].Params)
	}
	// Nothing else is promotable: a new configuration.
	is(t, h.ask(), 5, 0, 1)
	h.tell(3, 0.95) // rung 0: 0.95, 0.9 (promoted), 0.7, 0.5 → top 1 is config 3
	is(t, h.ask(), 3, 1, 3)
	h.tell(4, 0.91)         // config 1 at rung 1
	h.tell(6, 0.96)         // config 3 at rung 1
	is(t, h.ask(), 7, 0, 1) // rung 1 has 2 results: floor(2/3) = 0
	h.tell(5, 0.1)          // config 5 at rung 0: 5 results, top 1 already promoted
	is(t, h.ask(), 8, 0, 1) // still nothing to promote
	h.tell(7, 0.2)          // 6 results at rung 0: top 2 are configs 3 and 1, both promoted
	h.tell(8, 0.3)          // 7 results: top 2
	is(t, h.ask(), 9, 0, 1)
	h.tell(9, 0.92)         // 8 results: top 2 = configs 3 (0.95), 9 (0.92)... config 9 not promoted
	is(t, h.ask(), 9, 1, 3) // config 9 to rung 1
	h.tell(10, 0.97)        // rung 1: 0.97, 0.96, 0.91 → top 1 = config 9
	is(t, h.ask(), 9, 2, 9) // to the top rung
	h.tell(11, 0.98)        // top rung: no promotion beyond
	if got := h.ask(); got.Budget.Rung != 0 || got.Budget.Config != 12 {
		t.Fatalf("after the top rung: %+v, want a new configuration", got.Budget)
	}
}

func TestASHAHighestRungFirst(t *testing.T) {
	h := newHarness(t, ashaSpec(t, "asha", "random"))
	for range 6 {
		h.ask()
	}
	for n, s := range []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6} {
		h.tell(n, s)
	}
	// rung 0: top 2 of 6 are configs 5 and 4.
	is(t, h.ask(), 5, 1, 3)
	is(t, h.ask(), 4, 1, 3)
	h.ask() // 8: new
	h.tell(6, 0.7)
	h.tell(7, 0.8)
	h.tell(8, 0.05)
	h.ask() // 9: new (rung 1 has 2 results)
	h.ask() // 10: new
	h.tell(9, 0.01)
	h.tell(10, 0.02)
	// rung 0 now has 9 results: top 3 = 5, 4, 3 → config 3 is promotable
	// to rung 1; rung 1 has 2 results → none. So config 3.
	is(t, h.ask(), 3, 1, 3)
	h.tell(11, 0.75) // rung 1: 0.8 (config 4), 0.75, 0.7 → top 1 = config 4
	is(t, h.ask(), 4, 2, 9)
}

func TestHyperbandBrackets(t *testing.T) {
	h := newHarness(t, ashaSpec(t, "hyperband", "random"))
	// Three brackets start at rungs 0, 1 and 2 in turn.
	want := []struct{ rung int }{{0}, {1}, {2}, {0}, {1}, {2}}
	for i, w := range want {
		tr := h.ask()
		if tr.Budget.Rung != w.rung || tr.Budget.Config != i {
			t.Fatalf("trial %d: %+v, want rung %d", i, tr.Budget, w.rung)
		}
	}
	// Bracket 0 (configs 0, 3) and bracket 1 (1, 4) need 3 results at a
	// rung to promote one; give bracket 1 a third.
	h.tell(1, 0.5)
	h.tell(4, 0.6)
	h.ask() // 6: bracket 0, rung 0
	h.ask() // 7: bracket 1, rung 1
	h.tell(7, 0.9)
	is(t, h.ask(), 7, 2, 9) // config 7 promoted within bracket 1
}

func TestMedianRule(t *testing.T) {
	h := newHarness(t, ashaSpec(t, "median", "random"))
	for range 3 {
		h.ask()
	}
	h.tell(0, 0.5) // median of {0.5} is 0.5: continues
	is(t, h.ask(), 0, 1, 3)
	h.tell(1, 0.3) // median of {0.5, 0.3} = 0.4: stops
	is(t, h.ask(), 4, 0, 1)
	h.tell(2, 0.45) // median of {0.5, 0.45, 0.3} = 0.45: continues
	is(t, h.ask(), 2, 1, 3)
}

// TestEarlyStoppingReproducible: the same seed and the same sequence of
// asks and tells give the same trials, with TPE proposing.
func TestEarlyStoppingReproducible(t *testing.T) {
	for _, typ := range EarlyStoppingTypes {
		t.Run(typ, func(t *testing.T) {
			run := func() []string {
				h := newHarness(t, ashaSpec(t, typ, "tpe"))
				var out []string
				for n := range 80 {
					tr := h.ask()
					out = append(out, fmt.Sprint(tr.Budget, tr.Params.Format()))
					if n >= 2 { // results arrive two trials late
						x, _ := h.trials[n-2].Params.Float("max_features")
						h.tell(n-2, x*float64(1+h.trials[n-2].Budget.Rung)/3)
					}
				}
				return out
			}
			a, b := run(), run()
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("two runs differ:\n%v\n%v", a, b)
			}
		})
	}
}
