package search

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// askUntilExhausted asks trials 0, 1, ... until the sampler says no, and
// fails after limit trials.
func askUntilExhausted(tb testing.TB, smp Sampler, limit int) []trial.Trial {
	tb.Helper()
	var out []trial.Trial
	for n := 0; ; n++ {
		t, ok := smp.Ask(n)
		if !ok {
			return out
		}
		if n >= limit {
			tb.Fatalf("sampler still proposing after %d trials", limit)
		}
		out = append(out, t)
	}
}

// distinct fails when two trials have the same model and parameters, and
// returns how many there are.
func distinct(tb testing.TB, trs []trial.Trial) int {
	tb.Helper()
	seen := map[string]int{}
	for n, t := range trs {
		k := configKey(t)
		if m, dup := seen[k]; dup {
			tb.Fatalf("trials %d and %d are both %s %s", m, n, t.Model, t.Params.Format())
		}
		seen[k] = n
	}
	return len(seen)
}

// TestSmallDiscreteSpace: random and sobol search over a 6-point space
// with max_trials 20 propose the 6 configurations once each, then say the
// space is exhausted. The order is the one earlier versions drew, with
// repeats skipped.
func TestSmallDiscreteSpace(t *testing.T) {
	for _, tc := range []struct {
		method string
		want   []string // what earlier versions drew, repeats removed
	}{
		{"random", []string{"2 distance", "2 uniform", "3 uniform", "1 distance", "3 distance", "1 uniform"}},
		{"sobol", []string{"1 distance", "3 uniform", "3 distance", "2 uniform", "2 distance", "1 uniform"}},
	} {
		t.Run(tc.method, func(t *testing.T) {
			s := parse(t, fmt.Sprintf("name: d\ndataset: iris\nmodel: knn\nsearch: {method: %s, seed: 3, max_trials: 20}\nparameters:\n  n_neighbors: [1, 2, 3]\n  weights: [uniform, distance]\n", tc.method))
			if n, finite := s.Configurations(); n != 6 || !finite {
				t.Fatalf("Configurations() = %d, %v; want 6, true", n, finite)
			}
			trs := askUntilExhausted(t, newSampler(t, s), 20)
			var got []string
			for _, tr := range trs {
				got = append(got, fmt.Sprintf("%v %v", tr.Params["n_neighbors"], tr.Params["weights"]))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("trials %q, want %q", got, tc.want)
			}
			if _, ok := newSampler(t, s).Ask(6); ok {
				t.Error("a fresh sampler proposes a trial 6")
			}
		})
	}
}

// TestFiniteSpaceKinds: every kind of discrete parameter (a list, an int
// range with and without a step or log, a float range with a step, with
// log, a constant, a float range with min = max) over two families is
// drawn without replacement until all of it is proposed, and the values
// proposed are those random search draws from.
func TestFiniteSpaceKinds(t *testing.T) {
	const spec = `name: d
dataset: iris
search: {method: %s, seed: 5, max_trials: 1000}
models:
  - model: knn
    parameters:
      n_neighbors: {min: 1, max: 30, log: true}
      weights: [uniform, distance]
      p: {min: 1, max: 2}
  - model: logistic
    parameters:
      C: {min: 0.5, max: 2, step: 0.5, log: true}
      l1_ratio: {min: 0, max: 1, step: 0.25}
      max_iter: {min: 10, max: 30, step: 10}
      fit_intercept: true
  - model: random_forest
    parameters:
      max_features: {min: 0.5, max: 0.5}
`
	const size = 30*2*2 + 4*5*3*1 + 1
	for _, method := range []string{"random", "sobol"} {
		t.Run(method, func(t *testing.T) {
			s := parse(t, fmt.Sprintf(spec, method))
			if n, finite := s.Configurations(); n != size || !finite {
				t.Fatalf("Configurations() = %d, %v; want %d, true", n, finite, size)
			}
			trs := askUntilExhausted(t, newSampler(t, s), 1000)
			if got := distinct(t, trs); got != size {
				t.Fatalf("%d distinct configurations, want %d", got, size)
			}
			models := map[string]int{}
			for _, tr := range trs {
				models[tr.Model]++
			}
			if models["knn"] != 120 || models["logistic"] != 60 || models["random_forest"] != 1 {
				t.Errorf("per family %v", models)
			}
			// Every value is one a continuous-mode draw can give.
			plain := newRandomSampler(s)
			drawable := map[string]bool{}
			for n := range 20000 {
				tr, _ := plain.Ask(n)
				for k, v := range tr.Params {
					drawable[fmt.Sprintf("%s %s=%v", tr.Model, k, v)] = true
				}
			}
			for _, tr := range trs {
				for k, v := range tr.Params {
					if !drawable[fmt.Sprintf("%s %s=%v", tr.Model, k, v)] {
						t.Errorf("%s %s=%v (%T) is not a value random search draws", tr.Model, k, v, v)
					}
				}
			}
		})
	}
}

// TestFamiliesOfOneModel: two families of the same model that list the
// same configuration propose it once: the space is their union.
func TestFamiliesOfOneModel(t *testing.T) {
	for _, method := range []string{"random", "sobol"} {
		s := parse(t, fmt.Sprintf(`name: d
dataset: iris
search: {method: %s, max_trials: 10}
models:
  - model: knn
    parameters: {n_neighbors: [1, 2], weights: uniform}
  - model: knn
    parameters: {n_neighbors: [2, 3], weights: uniform}
`, method))
		trs := askUntilExhausted(t, newSampler(t, s), 10)
		if got := distinct(t, trs); got != 3 {
			t.Errorf("%s: %d configurations of the union of {1, 2} and {2, 3}, want 3", method, got)
		}
	}
}

// TestBigFiniteSpace: a finite space of 10^12 configurations (held in a
// map) and one of a million (held in a bitset) give distinct
// configurations; the million-point one is exhausted after all of them,
// even with a skewed (log) draw that rarely reaches its top values.
func TestBigFiniteSpace(t *testing.T) {
	for _, method := range []string{"random", "sobol"} {
		t.Run(method, func(t *testing.T) {
			s := parse(t, fmt.Sprintf("name: d\nmodel: noop\nsearch: {method: %s, max_trials: 5000}\nparameters:\n  a: {min: 1, max: 1000000, log: true}\n  b: {min: 0, max: 999999}\n", method))
			smp := newSampler(t, s)
			if u, ok := smp.(*uniqueSampler); !ok {
				t.Fatalf("the sampler of a finite space is a %T", smp)
			} else if _, ok := u.seen.(mapSet); !ok {
				t.Fatalf("a 10^12 space holds its configurations in a %T", u.seen)
			}
			distinct(t, askAll(t, smp, 5000))

			s = parse(t, fmt.Sprintf("name: d\nmodel: noop\nsearch: {method: %s, max_trials: 1000}\nparameters:\n  a: {min: 1, max: 200, log: true}\n  b: [x, y]\n  c: {min: 0, max: 49}\n", method))
			trs := askUntilExhausted(t, newSampler(t, s), 20_000)
			if got := distinct(t, trs); got != 20_000 {
				t.Errorf("%d configurations before exhaustion, want 20000", got)
			}
		})
	}
}

// TestContinuousSpaceUnchanged: over a space with a continuous
// dimension, random and sobol search propose exactly the trials of
// earlier versions (hashes of their first 500 trials), so an existing
// study's spec and seed give the same trials.
func TestContinuousSpaceUnchanged(t *testing.T) {
	for _, tc := range []struct{ method, sum string }{
		{"random", "7f633fd30bd49795f278fd47bb88a49a69dbd02936e673198e6d9950f1b570b7"},
		{"sobol", "c5d2d77d217af1cfcfa8a97ace8fba0b7a4ef44920cd0bcd066521759e8a59d7"},
	} {
		s := parse(t, fmt.Sprintf(randomSpec, tc.method, 7))
		if _, finite := s.Configurations(); finite {
			t.Fatal("randomSpec is finite")
		}
		h := sha256.New()
		for _, tr := range askAll(t, newSampler(t, s), 500) {
			fmt.Fprintf(h, "%s %v\n", tr.Model, map[string]any(tr.Params))
		}
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != tc.sum {
			t.Errorf("%s: trials changed: hash %s, want %s", tc.method, got, tc.sum)
		}
	}
}

// TestFiniteSpaceResume: trial n over a finite space depends on the seed
// and n alone: a new sampler replayed the first asks (as resume does),
// asked out of order, or asked for one trial directly proposes what the
// first one did.
func TestFiniteSpaceResume(t *testing.T) {
	const spec = "name: d\ndataset: iris\nmodel: knn\nsearch: {method: %s, seed: 11, max_trials: 60}\nparameters:\n  n_neighbors: {min: 1, max: 20}\n  weights: [uniform, distance]\n  p: [1, 2]\n"
	for _, method := range []string{"random", "sobol"} {
		t.Run(method, func(t *testing.T) {
			s := parse(t, fmt.Sprintf(spec, method))
			want := askUntilExhausted(t, newSampler(t, s), 80)
			if len(want) != 80 {
				t.Fatalf("%d trials, want 80", len(want))
			}
			for _, cut := range []int{0, 17, 79} {
				resumed := newSampler(t, s)
				for n := range cut {
					resumed.Ask(n)
					resumed.Tell(trial.Result{Number: n, State: trial.Complete, Score: float64(n)})
				}
				for n := cut; n < 80; n++ {
					if tr, ok := resumed.Ask(n); !ok || !reflect.DeepEqual(tr, want[n]) {
						t.Fatalf("resumed at %d: trial %d = %v %v, want %v", cut, n, tr, ok, want[n])
					}
				}
			}
			backwards := newSampler(t, s)
			for n := 79; n >= 0; n-- {
				if tr, _ := backwards.Ask(n); !reflect.DeepEqual(tr, want[n]) {
					t.Fatalf("asked backwards: trial %d differs", n)
				}
			}
			if tr, _ := newSampler(t, s).Ask(42); !reflect.DeepEqual(tr, want[42]) {
				t.Error("trial 42 asked alone differs")
			}
		})
	}
}

// TestNothingToSearch: a space of one configuration gets a warning naming
// the spec, and random and sobol search run it once.
func TestNothingToSearch(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		trials     int // -1: not asked
		warning    string
	}{
		{"no parameters", "name: d\ndataset: iris\nmodel: knn\n", 1,
			"spec.yaml:3: model: the space has one configuration, so the study runs it once"},
		{"constants", "name: d\ndataset: iris\nsearch: {method: sobol}\nmodel: knn\nparameters:\n  n_neighbors: 3\n  weights: [uniform]\n", 1,
			"spec.yaml:5: parameters: the space has one configuration, so the study runs it once"},
		{"families of constants", "name: d\ndataset: iris\nmodels:\n  - model: knn\n    parameters: {n_neighbors: 3}\n", 1,
			"spec.yaml:3: models: the space has one configuration"},
		{"grid", "name: d\ndataset: iris\nsearch: {method: grid}\nmodel: knn\nparameters: {n_neighbors: 3}\n", 1,
			"the space has one configuration, so the study runs it once"},
		{"tpe", "name: d\ndataset: iris\nsearch: {method: tpe}\nmodel: knn\nparameters: {n_neighbors: 3}\n", -1,
			"the space has one configuration, so every trial would be the same"},
		{"more trials than configurations", "name: d\ndataset: iris\nmodel: knn\nsearch: {max_trials: 30}\nparameters: {weights: [uniform, distance]}\n", 2,
			"spec.yaml:4: search.max_trials: 30 trials asked, but the space has 2 configurations: random search runs each once and stops"},
		{"as many trials as configurations", "name: d\ndataset: iris\nmodel: knn\nsearch: {max_trials: 2}\nparameters: {weights: [uniform, distance]}\n", 2, ""},
		{"continuous", "name: d\ndataset: iris\nmodel: logistic\nparameters: {C: {min: 1, max: 2}}\n", -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := parse(t, tc.spec)
			got := strings.Join(s.Warnings(), "\n")
			if tc.warning == "" && got != "" || !strings.Contains(got, tc.warning) {
				t.Errorf("Warnings() = %q, want %q", got, tc.warning)
			}
			if tc.trials >= 0 {
				if n := len(askUntilExhausted(t, newSampler(t, s), 100)); n != tc.trials {
					t.Errorf("%d trials, want %d", n, tc.trials)
				}
			}
		})
	}
}

// TestEarlyStoppingKeepsDrawing: under early stopping a finite space is
// not exhausted by the base sampler, which would stop the study before
// the promotions it awaits.
func TestEarlyStoppingKeepsDrawing(t *testing.T) {
	s := parse(t, "name: d\ndataset: iris\nmodel: logistic\nsearch: {max_trials: 30}\nearly_stopping: {type: asha, budget: max_iter, min: 10, max: 90}\nparameters: {fit_intercept: [true, false]}\n")
	smp := newSampler(t, s)
	for n := range 10 {
		if _, ok := smp.Ask(n); !ok {
			t.Fatalf("Ask(%d) not ok", n)
		}
	}
}

// TestBitSetFree checks the Fenwick descent against a linear scan: the
// k-th free index, for sets of several sizes filled in random order.
func TestBitSetFree(t *testing.T) {
	for _, n := range []int64{1, 2, 63, 64, 65, 130, 1000, 4097} {
		b := newBitSet(n)
		taken := make([]bool, n)
		rng := rand.New(rand.NewPCG(uint64(n), 0))
		for b.len() < n {
			seed := rng.Uint64()
			g := b.free(rand.New(rand.NewPCG(seed, 1)), n)
			k := rand.New(rand.NewPCG(seed, 1)).Int64N(n - b.len())
			want := int64(-1)
			for i := range n {
				if !taken[i] {
					if k == 0 {
						want = i
						break
					}
					k--
				}
			}
			if g != want {
				t.Fatalf("n %d, %d taken: free = %d, want %d", n, b.len(), g, want)
			}
			taken[g] = true
			b.add(g)
			b.add(g) // adding twice changes nothing
		}
	}
}

// TestUniqueSamplerConcurrent: asked from several goroutines at once, in
// any order, the sampler proposes what it proposes asked in order (run
// with -race).
func TestUniqueSamplerConcurrent(t *testing.T) {
	s := parse(t, "name: d\ndataset: iris\nmodel: knn\nsearch: {max_trials: 200}\nparameters:\n  n_neighbors: {min: 1, max: 100}\n  weights: [uniform, distance]\n")
	want := askAll(t, newSampler(t, s), 200)
	smp := newSampler(t, s)
	got := make([]trial.Trial, 200)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				n := (i*4 + g*37) % 200
				got[n], _ = smp.Ask(n)
			}
		}()
	}
	wg.Wait()
	for n := range want {
		if !reflect.DeepEqual(got[n], want[n]) {
			t.Fatalf("trial %d asked concurrently = %v, want %v", n, got[n], want[n])
		}
	}
}
