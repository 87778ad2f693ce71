package search

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
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

// braninSpec is a Branin study by method; method may carry more search
// settings, as in "tpe, multivariate: false".
func braninSpec(tb testing.TB, method string, seed uint64) *Spec {
	tb.Helper()
	return parse(tb, fmt.Sprintf("name: b\nmodel: branin\nsearch: {method: %s, seed: %d}\nparameters:\n  x1: {min: -5, max: 10}\n  x2: {min: 0, max: 15}\n", method, seed))
}

// tpeVariants are TPE's two ways of modelling a family, for tests that
// both must pass.
var tpeVariants = []struct{ name, method string }{
	{"multivariate", "tpe"},
	{"univariate", "tpe, multivariate: false"},
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
	var rnd []float64
	for seed := range uint64(10) {
		rnd = append(rnd, bestAfter(t, "random", seed, 60))
	}
	for _, v := range tpeVariants {
		t.Run(v.name, func(t *testing.T) {
			var tpe []float64
			for seed := range uint64(10) {
				tpe = append(tpe, bestAfter(t, v.method, seed, 60))
			}
			t.Logf("median best after 60 trials: tpe %.4f, random %.4f", median(tpe), median(rnd))
			if median(tpe) >= median(rnd) {
				t.Errorf("TPE's median best %.4f is not better than random's %.4f", median(tpe), median(rnd))
			}
		})
	}
}

func TestTPEReproducible(t *testing.T) {
	for _, v := range tpeVariants {
		t.Run(v.name, func(t *testing.T) { testTPEReproducible(t, v.method) })
	}
}

func testTPEReproducible(t *testing.T, method string) {
	run := func(seed uint64) []string {
		smp := newSampler(t, braninSpec(t, method, seed))
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
	for _, v := range tpeVariants {
		t.Run(v.name, func(t *testing.T) { testTPEConstantLiar(t, v.method) })
	}
}

func testTPEConstantLiar(t *testing.T, method string) {
	var liar, alone []float64
	for seed := range uint64(8) {
		history := func() Sampler {
			smp := newSampler(t, braninSpec(t, method, seed))
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
	for _, v := range tpeVariants {
		t.Run(v.name, func(t *testing.T) { testTPEKindsAndFamilies(t, v.method) })
	}
}

func testTPEKindsAndFamilies(t *testing.T, method string) {
	s := parse(t, `name: k
dataset: iris
task: classification
search: {method: `+method+`, seed: 3, n_startup_trials: 5}
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

// TestJointMixtureByHand checks the multivariate estimator on four
// observations of a continuous, a quantized and a categorical parameter
// against the bandwidths and the density computed by hand.
func TestJointMixtureByHand(t *testing.T) {
	s := parse(t, `name: j
dataset: iris
model: logistic
search: {method: tpe}
parameters:
  l1_ratio: {min: 0, max: 1}
  C: {min: 1, max: 9, step: 2}
  fit_intercept: [true, false]
`)
	smp, err := newTPESampler(s)
	if err != nil {
		t.Fatal(err)
	}
	l1 := []float64{0.1, 0.2, 0.4, 0.7}
	fit := []bool{true, false, true, true}
	for n := range l1 {
		smp.addPending(n, "logistic", trial.Params{"l1_ratio": l1[n], "C": 1.0, "fit_intercept": fit[n]})
	}
	var m jointMixture
	m.build(smp.states[0], []int32{0, 1, 2, 3}, func(int) float64 { return 1 })

	// Scott's rule: sd of l1 is sqrt(0.07); 4 observations, 3 parameters.
	wantL1 := 1.06 * math.Sqrt(0.07) * math.Pow(4, -1.0/7)
	// C: all four at 1, sd 0, so the magic clip: width 10 (cells of 2
	// from 0 to 10) over min(100, 4+2).
	wantC := 10.0 / 6
	if got := m.axes[0].sigma; math.Abs(got-wantL1) > 1e-12 {
		t.Errorf("l1_ratio bandwidth %v, want %v", got, wantL1)
	}
	if got := m.axes[1].sigma; math.Abs(got-wantC) > 1e-12 {
		t.Errorf("C bandwidth %v, want %v", got, wantC)
	}

	// The density at (0.3, 3, true), component by component: weight 1/5
	// each (four observations and the prior), truncated normals on [0, 1]
	// and the mass of the cell [2, 4] of [0, 10], and the categorical
	// kernel (1 + f)/(1 + 2f) on the observed value, f/(1 + 2f) on the
	// other, f = 1/5; the prior is N(0.5, 1), N(5, 10), uniform.
	cdf := func(x, mu, s float64) float64 { return 0.5 * (1 + math.Erf((x-mu)/(s*math.Sqrt2))) }
	pdf := func(x, mu, s, lo, hi float64) float64 {
		z := (x - mu) / s
		return math.Exp(-z*z/2) / (s * math.Sqrt(2*math.Pi)) / (cdf(hi, mu, s) - cdf(lo, mu, s))
	}
	mass := func(a, b, mu, s, lo, hi float64) float64 {
		return (cdf(b, mu, s) - cdf(a, mu, s)) / (cdf(hi, mu, s) - cdf(lo, mu, s))
	}
	var want float64
	for c := range 5 {
		k := 0.5 * pdf(0.3, 0.5, 1, 0, 1) * mass(2, 4, 5, 10, 0, 10)
		if c < 4 {
			cat := 0.2 / 1.4
			if fit[c] {
				cat = 1.2 / 1.4
			}
			k = cat * pdf(0.3, l1[c], wantL1, 0, 1) * mass(2, 4, 1, wantC, 0, 10)
		}
		want += k / 5
	}
	got := m.logPDF([]float64{0.3, 3, 0}) // internal: category index 0 is true
	if math.Abs(got-math.Log(want)) > 1e-12 {
		t.Errorf("log density %.15f, want %.15f", got, math.Log(want))
	}
}

// TestTPESpecMultivariate: multivariate defaults to true for tpe, false
// selects univariate TPE, and misuse is reported at its line and field.
func TestTPESpecMultivariate(t *testing.T) {
	const head = "name: s\nmodel: branin\n" // lines 1-2
	if s := parse(t, head+"search: {method: tpe}\n"); s.Search.Multivariate == nil || !*s.Search.Multivariate {
		t.Errorf("multivariate resolved to %v, want true", s.Search.Multivariate)
	}
	if s := parse(t, head+"search: {method: tpe, multivariate: false}\n"); s.Search.Multivariate == nil || *s.Search.Multivariate {
		t.Errorf("multivariate: false resolved to %v", s.Search.Multivariate)
	}
	if s := parse(t, head+"search: {method: random}\n"); s.Search.Multivariate != nil {
		t.Errorf("random search resolved multivariate to %v, want unset", *s.Search.Multivariate)
	}
	tests := []struct {
		name, yaml string
		line       int
		field, msg string
	}{
		{"not tpe", head + "search:\n  method: sobol\n  multivariate: true\n", 5, "search.multivariate", "tpe only"},
		{"not a bool", head + "search:\n  method: tpe\n  multivariate: joint\n", 5, "search.multivariate", "true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.yaml), "spec.yaml", testCatalog)
			var ie *trial.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not a *trial.InputError", err)
			}
			if ie.Line != tt.line || ie.Field != tt.field || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got line %d field %q: %v; want line %d field %q containing %q", ie.Line, ie.Field, err, tt.line, tt.field, tt.msg)
			}
		})
	}
}

// TestTPEMultivariateFollowsValley: on a narrow diagonal valley, where
// the good configurations have x1 ≈ x2 but each coordinate alone is
// spread over [0, 1], joint proposals stay near the diagonal, and
// proposals drawn coordinate by coordinate do not.
func TestTPEMultivariateFollowsValley(t *testing.T) {
	offDiagonal := func(method string) float64 {
		var gaps []float64
		for seed := range uint64(5) {
			smp := newSampler(t, parse(t, "name: v\nmodel: noop\nsearch: {method: "+method+", seed: "+fmt.Sprint(seed)+"}\n"+
				"parameters:\n  x1: {min: 0.0, max: 1.0}\n  x2: {min: 0.0, max: 1.0}\n"))
			for n := range 80 {
				tr, _ := smp.Ask(n)
				x1, _ := tr.Params.Float("x1")
				x2, _ := tr.Params.Float("x2")
				if n >= 40 {
					gaps = append(gaps, math.Abs(x1-x2))
				}
				v := 1000*(x1-x2)*(x1-x2) + 0.01*(x1+x2-1)*(x1+x2-1)
				smp.Tell(trial.Result{Number: n, State: trial.Complete, Model: tr.Model, Params: tr.Params, Score: v})
			}
		}
		return median(gaps)
	}
	joint, alone := offDiagonal("tpe"), offDiagonal("tpe, multivariate: false")
	t.Logf("median |x1-x2| of trials 40-79: multivariate %.3f, univariate %.3f", joint, alone)
	if joint >= 0.7*alone {
		t.Errorf("multivariate proposals are %.3f off the diagonal, not clearly closer than univariate's %.3f", joint, alone)
	}
}
