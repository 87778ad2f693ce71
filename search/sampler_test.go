package search

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestGridOrderAndSize(t *testing.T) {
	s := parse(t, `name: g
dataset: iris
search: {method: grid}
models:
  - model: knn
    parameters:
      n_neighbors: {min: 1, max: 5, step: 2}
      weights: [uniform, distance]
      p: 2
  - model: logistic
    parameters:
      C: {min: 0.01, max: 100, log: true, grid_points: 5}
      l1_ratio: {min: 0, max: 0.3, step: 0.1}
`)
	if n, cont := s.Size(); n != 3*2+5*4 || !cont {
		t.Fatalf("Size() = %d, %v; want 26, true (C is continuous for random search)", n, cont)
	}
	if s.Search.MaxTrials != 26 {
		t.Errorf("max_trials = %d, want the grid size", s.Search.MaxTrials)
	}
	smp := newSampler(t, s)
	var got []string
	for n := 0; ; n++ {
		tr, ok := smp.Ask(n)
		if !ok {
			break
		}
		got = append(got, tr.Model+" "+tr.Params.Format())
	}
	want := []string{
		"knn n_neighbors=1 p=2 weights=uniform",
		"knn n_neighbors=1 p=2 weights=distance",
		"knn n_neighbors=3 p=2 weights=uniform",
		"knn n_neighbors=3 p=2 weights=distance",
		"knn n_neighbors=5 p=2 weights=uniform",
		"knn n_neighbors=5 p=2 weights=distance",
	}
	for _, c := range []string{"0.01", "0.1", "1", "10", "100"} {
		for _, l := range []string{"0", "0.1", "0.2", "0.3"} {
			want = append(want, "logistic C="+c+" l1_ratio="+l)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grid =\n%q\nwant\n%q", got, want)
	}
	if _, ok := smp.Ask(-1); ok {
		t.Error("Ask(-1) ok")
	}
	tr, _ := smp.Ask(0)
	if _, isInt := tr.Params["n_neighbors"].(int); !isInt {
		t.Errorf("n_neighbors is %T, want int", tr.Params["n_neighbors"])
	}
	if _, isFloat := tr.Params["p"].(int); !isFloat {
		t.Errorf("p is %T, want int", tr.Params["p"])
	}
}

func TestGridMaxTrialsCap(t *testing.T) {
	s := parse(t, "name: g\ndataset: iris\nmodel: knn\nsearch: {method: grid, max_trials: 3}\nparameters: {n_neighbors: [1, 2, 3, 4]}\n")
	if s.Search.MaxTrials != 3 {
		t.Errorf("max_trials = %d, want the smaller value given", s.Search.MaxTrials)
	}
	s = parse(t, "name: g\ndataset: iris\nmodel: knn\nsearch: {method: grid}\n")
	if n, _ := s.Size(); n != 1 || s.Search.MaxTrials != 1 {
		t.Errorf("no parameters: size %d max_trials %d, want one trial of defaults", n, s.Search.MaxTrials)
	}
}

// TestGridLarge checks that Ask decodes a large grid without
// materialising it.
func TestGridLarge(t *testing.T) {
	s := parse(t, `name: g
model: noop
search: {method: grid}
parameters:
  a: {min: 0, max: 999}
  b: {min: 0, max: 999}
  c: {min: 0, max: 9}
`)
	smp := newSampler(t, s)
	tr, ok := smp.Ask(9_999_999)
	if !ok || tr.Params.Format() != "a=999 b=999 c=9" {
		t.Errorf("last point = %v %v", tr.Params.Format(), ok)
	}
	tr, _ = smp.Ask(1234567)
	if tr.Params.Format() != "a=123 b=456 c=7" {
		t.Errorf("point 1234567 = %s", tr.Params.Format())
	}
	if _, ok := smp.Ask(10_000_000); ok {
		t.Error("Ask past the end ok")
	}
}

const randomSpec = `name: r
dataset: iris
search: {method: %s, seed: %d}
models:
  - model: logistic
    parameters:
      C: {min: 0.001, max: 1000, log: true}
      max_iter: {min: 10, max: 20}
      l1_ratio: {min: 0, max: 1, step: 0.25}
      fit_intercept: [true, false]
  - model: knn
    parameters:
      n_neighbors: {min: 1, max: 100, log: true}
      weights: [uniform, distance]
      p: 1
`

func TestRandomReproducible(t *testing.T) {
	for _, method := range []string{"random", "sobol"} {
		t.Run(method, func(t *testing.T) {
			a := askAll(t, newSampler(t, parse(t, fmt.Sprintf(randomSpec, method, 7))), 50)
			b := askAll(t, newSampler(t, parse(t, fmt.Sprintf(randomSpec, method, 7))), 50)
			c := askAll(t, newSampler(t, parse(t, fmt.Sprintf(randomSpec, method, 8))), 50)
			if !reflect.DeepEqual(a, b) {
				t.Error("same seed, different trials")
			}
			if reflect.DeepEqual(a, c) {
				t.Error("different seeds, same trials")
			}
			// Asking in reverse, one at a time from a fresh sampler, gives
			// the same trials: trial n depends on (seed, n) only.
			for n := 49; n >= 0; n-- {
				tr, _ := newSampler(t, parse(t, fmt.Sprintf(randomSpec, method, 7))).Ask(n)
				if !reflect.DeepEqual(tr, a[n]) {
					t.Fatalf("trial %d differs when asked out of order", n)
				}
			}
		})
	}
}

func TestRandomDistributions(t *testing.T) {
	for _, method := range []string{"random", "sobol"} {
		t.Run(method, func(t *testing.T) {
			trs := askAll(t, newSampler(t, parse(t, fmt.Sprintf(randomSpec, method, 1))), 4000)
			models := map[string]int{}
			iters := map[int]int{}
			ratios := map[float64]int{}
			var logC []float64
			smallK := 0
			for _, tr := range trs {
				models[tr.Model]++
				switch tr.Model {
				case "logistic":
					c, _ := tr.Params.Float("C")
					if c < 0.001 || c > 1000 {
						t.Fatalf("C = %g out of range", c)
					}
					logC = append(logC, math.Log10(c))
					it := tr.Params["max_iter"].(int)
					iters[it]++
					ratios[tr.Params["l1_ratio"].(float64)]++
					if _, ok := tr.Params["fit_intercept"].(bool); !ok {
						t.Fatalf("fit_intercept = %v", tr.Params["fit_intercept"])
					}
				case "knn":
					k := tr.Params["n_neighbors"].(int)
					if k < 1 || k > 100 {
						t.Fatalf("n_neighbors = %d", k)
					}
					if k <= 10 {
						smallK++
					}
					if tr.Params["p"] != 1 {
						t.Fatalf("constant p = %v", tr.Params["p"])
					}
				}
			}
			if d := models["knn"] - models["logistic"]; d < -400 || d > 400 {
				t.Errorf("families not picked uniformly: %v", models)
			}
			if len(iters) != 11 {
				t.Errorf("int uniform [10, 20] drew %d distinct values, want 11 (inclusive): %v", len(iters), iters)
			}
			if len(ratios) != 5 {
				t.Errorf("l1_ratio step 0.25 drew %v, want 5 lattice points", ratios)
			}
			for r := range ratios {
				if r != 0 && r != 0.25 && r != 0.5 && r != 0.75 && r != 1 {
					t.Errorf("l1_ratio %v off the lattice", r)
				}
			}
			// Log-uniform: log10(C) is uniform on [-3, 3]: mean 0, and
			// about half the draws below 1.
			mean := 0.0
			for _, x := range logC {
				mean += x
			}
			mean /= float64(len(logC))
			if math.Abs(mean) > 0.2 {
				t.Errorf("mean log10(C) = %.3f, want about 0", mean)
			}
			// Log-uniform int on [1, 100]: about half the mass at <= 10.
			if frac := float64(smallK) / float64(models["knn"]); frac < 0.4 || frac > 0.6 {
				t.Errorf("fraction of n_neighbors <= 10 = %.2f, want about 0.5", frac)
			}
		})
	}
}

func TestTrialSeed(t *testing.T) {
	seen := map[uint64]bool{}
	for n := range 1000 {
		seen[TrialSeed(1, n)] = true
	}
	if len(seen) != 1000 {
		t.Errorf("TrialSeed repeats: %d distinct of 1000", len(seen))
	}
	if TrialSeed(1, 5) == TrialSeed(2, 5) {
		t.Error("TrialSeed ignores the study seed")
	}
	// SplitMix64's reference first output for seed 0.
	if got := TrialSeed(0, 0); got != 0xe220a8397b1dcdaf {
		t.Errorf("TrialSeed(0, 0) = %#x, want SplitMix64's first output 0xe220a8397b1dcdaf", got)
	}
}

func TestSamplersIgnoreTell(t *testing.T) {
	for _, method := range []string{"random", "sobol"} {
		smp := newSampler(t, parse(t, fmt.Sprintf(randomSpec, method, 3)))
		before, _ := smp.Ask(4)
		smp.Tell(trial.Result{Number: 0, State: trial.Complete, Score: 1})
		after, _ := smp.Ask(4)
		if !reflect.DeepEqual(before, after) {
			t.Errorf("%s: Tell changed Ask", method)
		}
	}
}
