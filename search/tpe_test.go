package search

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// braninValue is the Branin function; its minimum is 0.397887.
func braninValue(p trial.Params) float64 {
	x1, _ := p.Float("x1")
	x2, _ := p.Float("x2")
	const b, c, r, s, t = 5.1 / (4 * math.Pi * math.Pi), 5 / math.Pi, 6, 10, 1 / (8 * math.Pi)
	return math.Pow(x2-b*x1*x1+c*x1-r, 2) + s*(1-t)*math.Cos(x1) + s
}

func braninSpec(tb testing.TB, method string, seed uint64) *Spec {
	tb.Helper()
	return parse(tb, fmt.Sprintf("name: b\nmodel: branin\nsearch: {method: %s, seed: %d}\nparameters:\n  x1: {min: -5, max: 10}\n  x2: {min: 0, max: 15}\n", method, seed))
}

// tellBranin reports trial tr (number n) with its Branin value.
func tellBranin(smp Sampler, n int, tr trial.Trial) float64 {
	v := braninValue(tr.Params)
	smp.Tell(trial.Result{Number: n, State: trial.Complete, Model: tr.Model, Params: tr.Params, Score: v})
	return v
}

// bestAfter runs a sequential study of n trials and returns the best value.
func bestAfter(tb testing.TB, method string, seed uint64, n int) float64 {
	tb.Helper()
	smp := newSampler(tb, braninSpec(tb, method, seed))
	best := math.Inf(1)
	for i := range n {
		tr, ok := smp.Ask(i)
		if !ok {
			tb.Fatalf("Ask(%d) not ok", i)
		}
		best = min(best, tellBranin(smp, i, tr))
	}
	return best
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func TestTPEBeatsRandomOnBranin(t *testing.T) {
	var tpe, rnd []float64
	for seed := range uint64(10) {
		tpe = append(tpe, bestAfter(t, "tpe", seed, 60))
		rnd = append(rnd, bestAfter(t, "random", seed, 60))
	}
	t.Logf("median best after 60 trials: tpe %.4f, random %.4f", median(tpe), median(rnd))
	if median(tpe) >= median(rnd) {
		t.Errorf("TPE's median best %.4f is not better than random's %.4f", median(tpe), median(rnd))
	}
}

func TestTPEReproducible(t *testing.T) {
	run := func(seed uint64) []string {
		smp := newSampler(t, braninSpec(t, "tpe", seed))
		var out []string
		var pending []trial.Trial
		for n := range 50 {
			tr, _ := smp.Ask(n)
			tr.Number = n
			out = append(out, tr.Params.Format())
			pending = append(pending, tr)
			if len(pending) == 3 { // a batch of three in flight
				tellBranin(smp, pending[0].Number, pending[0])
				pending = pending[1:]
			}
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, same tells, different trials")
	}
	if reflect.DeepEqual(a[20:], c[20:]) {
		t.Errorf("different seeds, same trials")
	}
}

// spread is the mean pairwise distance of points on Branin's box, scaled
// to the unit square.
func spread(ts []trial.Trial) float64 {
	var sum float64
	var k int
	for i := range ts {
		for j := range i {
			a1, _ := ts[i].Params.Float("x1")
			a2, _ := ts[i].Params.Float("x2")
			b1, _ := ts[j].Params.Float("x1")
			b2, _ := ts[j].Params.Float("x2")
			sum += math.Hypot((a1-b1)/15, (a2-b2)/15)
			k++
		}
	}
	return sum / float64(k)
}

// TestTPEConstantLiarSpreadsBatch: eight asks with no result in between
// spread out more than eight asks that each see only the told results.
func TestTPEConstantLiarSpreadsBatch(t *testing.T) {
	var liar, alone []float64
	for seed := range uint64(8) {
		history := func() Sampler {
			smp := newSampler(t, braninSpec(t, "tpe", seed))
			for n := range 30 {
				tr, _ := smp.Ask(n)
				tellBranin(smp, n, tr)
			}
			return smp
		}
		smp := history()
		var batch, single []trial.Trial
		for n := 30; n < 38; n++ {
			tr, _ := smp.Ask(n)
			batch = append(batch, tr)
			tr, _ = history().Ask(n) // the same n, without the pending ones
			single = append(single, tr)
		}
		liar, alone = append(liar, spread(batch)), append(alone, spread(single))
	}
	t.Logf("median spread of a batch of 8: with pending as liars %.3f, without %.3f", median(liar), median(alone))
	if median(liar) <= 1.2*median(alone) {
		t.Errorf("batch spread %.3f is not clearly above %.3f", median(liar), median(alone))
	}
}

// TestTPEKindsAndFamilies: every value TPE proposes over int, log-int,
// stepped, log and categorical parameters of several families lies in
// the space, and TPE favours the better family.
func TestTPEKindsAndFamilies(t *testing.T) {
	s := parse(t, `name: k
dataset: iris
task: classification
search: {method: tpe, seed: 3, n_startup_trials: 5}
models:
  - model: knn
    parameters:
      n_neighbors: {min: 1, max: 50, log: true}
      weights: [uniform, distance]
      p: 2
  - model: decision_tree
    parameters:
      max_depth: {min: 2, max: 20, step: 3}
      criterion: [gini, entropy]
  - model: logistic
    parameters:
      C: {min: 0.001, max: 1000, log: true}
      l1_ratio: {min: 0, max: 1, step: 0.25}
`)
	smp := newSampler(t, s)
	count := map[string]int{}
	for n := range 150 {
		tr, _ := smp.Ask(n)
		p := tr.Params
		score := 0.5
		switch tr.Model {
		case "knn":
			k, ok := p["n_neighbors"].(int)
			if !ok || k < 1 || k > 50 || p["p"] != 2 || p["weights"] != "uniform" && p["weights"] != "distance" {
				t.Fatalf("trial %d: bad knn params %v", n, p)
			}
		case "decision_tree":
			d, ok := p["max_depth"].(int)
			if !ok || d < 2 || d > 20 || (d-2)%3 != 0 {
				t.Fatalf("trial %d: bad tree params %v", n, p)
			}
		case "logistic":
			c, _ := p["C"].(float64)
			l, _ := p["l1_ratio"].(float64)
			if c < 0.001 || c > 1000 || l < 0 || l > 1 || math.Mod(l, 0.25) != 0 {
				t.Fatalf("trial %d: bad logistic params %v", n, p)
			}
			score = 0.9 - 0.01*math.Abs(math.Log10(c)-1) // best at C = 10
		}
		if n >= 50 {
			count[tr.Model]++
		}
		smp.Tell(trial.Result{Number: n, State: trial.Complete, Model: tr.Model, Params: p, Score: score})
	}
	if count["logistic"] < 60 {
		t.Errorf("after 50 trials TPE chose logistic %d times of 100, want most", count["logistic"])
	}
}

func BenchmarkTPEAsk1000(b *testing.B) {
	for range b.N {
		bestAfter(b, "tpe", 1, 1000)
	}
}
