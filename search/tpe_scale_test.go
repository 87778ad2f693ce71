package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/internal/fastmath"
	"github.com/hpsearch/hpsearch/trial"
)

// TestTPEWindowBoundsHistory: past TPEWindow configurations, l is still
// built from the best of all those told, and g from the TPEWindow most
// recent others only, failures left out, in observation order.
func TestTPEWindowBoundsHistory(t *testing.T) {
	smp, err := newTPESampler(braninSpec(t, "tpe", 1))
	if err != nil {
		t.Fatal(err)
	}
	const n = TPEWindow + 500
	for i := range n {
		p := trial.Params{"x1": float64(i%15) - 5, "x2": float64(i % 15)}
		smp.addPending(i, "branin", p)
		r := trial.Result{Number: i, State: trial.Complete, Model: "branin", Params: p, Score: float64(n - i)}
		switch {
		case i == 7:
			r.Score = -1 // the best, long out of the window
		case i%100 == 3:
			r.State = trial.Failed
		}
		smp.Tell(r)
	}
	st := smp.states[0]
	smp.split(st)
	sc := &smp.scratch
	if len(sc.below) != tpeMaxBelow || !slices.Contains(sc.below, 7) {
		t.Errorf("below set %v: want the %d best, trial 7 (the best) among them", sc.below, tpeMaxBelow)
	}
	if !slices.IsSorted(sc.below) || !slices.IsSorted(sc.above) {
		t.Errorf("below and above must be in observation order")
	}
	if len(sc.above) != TPEWindow {
		t.Fatalf("g holds %d observations, want TPEWindow = %d", len(sc.above), TPEWindow)
	}
	// The newest observations are the best told (scores fall with i), so
	// the below set is trial 7 and the newest 24; g is the TPEWindow
	// before those, skipping failures.
	want := []int32{}
	for i := int32(n - 1); i >= 0 && len(want) < TPEWindow; i-- {
		if i%100 == 3 || slices.Contains(sc.below, i) {
			continue
		}
		want = append(want, i)
	}
	slices.Reverse(want)
	if !slices.Equal(sc.above, want) {
		t.Errorf("g holds %d..%d, want %d..%d", sc.above[0], sc.above[len(sc.above)-1], want[0], want[len(want)-1])
	}
}

// TestTPEWindowKeepsSmallStudies: a study within TPEWindow configurations
// sees its whole history, so it proposes what Optuna's algorithm does
// (TestParzenMatchesOptuna31 checks the estimators on such histories).
func TestTPEWindowKeepsSmallStudies(t *testing.T) {
	smp, err := newTPESampler(braninSpec(t, "tpe", 2))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		tr, ok := smp.Ask(i)
		if !ok {
			t.Fatalf("Ask(%d) not ok", i)
		}
		tellBranin(smp, i, tr)
	}
	smp.split(smp.states[0])
	if got, want := len(smp.scratch.below)+len(smp.scratch.above), 300; got != want {
		t.Errorf("l and g hold %d observations of 300, want all", got)
	}
}

// BenchmarkTPEAsk10000 is the cost of one Ask after 10,000 told trials,
// bounded by TPEWindow rather than growing with the history.
func BenchmarkTPEAsk10000(b *testing.B) {
	for _, v := range tpeVariants {
		b.Run(v.name, func(b *testing.B) {
			smp := newSampler(b, braninSpec(b, v.method, 0))
			const n = 10_000
			for i := range n {
				tr, _ := smp.Ask(i)
				tellBranin(smp, i, tr)
			}
			b.ResetTimer()
			for i := range b.N {
				smp.Ask(n + i)
			}
		})
	}
}

// TestTPEReplayIsAsk: a sampler rebuilt from a journal, by Replay at each
// dispatch and Tell at each result in journal order, proposes what the
// sampler that wrote the journal goes on to propose, with trials still
// in flight (pending in g) at the cut, before and past TPEWindow.
func TestTPEReplayIsAsk(t *testing.T) {
	for _, v := range tpeVariants {
		for _, cut := range []int{5, 40, TPEWindow + 30} {
			t.Run(fmt.Sprintf("%s/%d", v.name, cut), func(t *testing.T) {
				spec := braninSpec(t, v.method, 3)
				orig := newSampler(t, spec)
				type event struct {
					dispatch *trial.Trial
					result   *trial.Result
				}
				var journal []event
				var inFlight []trial.Trial
				result := func(tr trial.Trial) trial.Result {
					return trial.Result{Number: tr.Number, State: trial.Complete, Model: tr.Model, Params: tr.Params, Score: braninValue(tr.Params)}
				}
				for n := range cut {
					tr, ok := orig.Ask(n)
					if !ok {
						t.Fatalf("Ask(%d) not ok", n)
					}
					tr.Number = n
					journal = append(journal, event{dispatch: &tr})
					inFlight = append(inFlight, tr)
					if len(inFlight) > 3 { // three in flight, finishing out of order
						i := n % len(inFlight)
						r := result(inFlight[i])
						inFlight = slices.Delete(inFlight, i, i+1)
						orig.Tell(r)
						journal = append(journal, event{result: &r})
					}
				}
				rebuilt := newSampler(t, spec)
				for _, e := range journal {
					if e.dispatch != nil {
						// Through JSON, as a journal gives it.
						p := trial.Params{}
						for k, v := range e.dispatch.Params {
							f, _ := toFloat(v)
							p[k] = f
						}
						d := *e.dispatch
						d.Params = p
						rebuilt.(interface{ Replay(trial.Trial) }).Replay(d)
					} else {
						rebuilt.Tell(*e.result)
					}
				}
				// The next trials are asked with those in flight still
				// pending, then told in turn.
				for n := cut; n < cut+20; n++ {
					a, _ := orig.Ask(n)
					b, _ := rebuilt.Ask(n)
					if a.Params.Format() != b.Params.Format() {
						t.Fatalf("trial %d: rebuilt sampler proposes %s, the original %s", n, b.Params.Format(), a.Params.Format())
					}
					a.Number = n
					inFlight = append(inFlight, a)
					r := result(inFlight[0])
					inFlight = inFlight[1:]
					orig.Tell(r)
					rebuilt.Tell(r)
				}
			})
		}
	}
}

// rehearsalSpec is the space of benchmarks/scale/rehearse.sh: a float, a
// log float, an int and a categorical of the noop objective.
func rehearsalSpec(tb testing.TB, method string) *Spec {
	tb.Helper()
	return parse(tb, "name: r\nmodel: noop\nsearch: {method: "+method+", seed: 1}\nparameters:\n"+
		"  x: {min: -10.0, max: 10.0}\n  lr: {min: 0.00001, max: 1.0, log: true}\n"+
		"  depth: {distribution: int_uniform, min: 1, max: 12}\n  kind: {values: [a, b, c]}\n")
}

// BenchmarkTPEAskAtScale is the cost of one Ask of the rehearsal's study
// (benchmarks/scale/rehearse.sh) with 2,000, 10,000 or 100,000
// configurations behind it, the newest 1,000 still pending, as at
// parallel 1,000: the history is bounded by TPEWindow, so the cost is
// flat past it.
func BenchmarkTPEAskAtScale(b *testing.B) {
	for _, v := range tpeVariants {
		for _, n := range []int{2_000, 10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%d", v.name, n), func(b *testing.B) {
				smp, err := newTPESampler(rehearsalSpec(b, v.method))
				if err != nil {
					b.Fatal(err)
				}
				const pending = 1000
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range n {
					p := trial.Params{"x": rng.Float64()*20 - 10, "lr": math.Exp(math.Log(1e-5) * rng.Float64()),
						"depth": 1 + rng.IntN(12), "kind": []string{"a", "b", "c"}[rng.IntN(3)]}
					smp.addPending(i, "noop", p)
					if i < n-pending {
						smp.Tell(trial.Result{Number: i, State: trial.Complete, Model: "noop", Params: p, Score: p["x"].(float64) + p["lr"].(float64) + float64(p["depth"].(int))})
					}
				}
				b.ResetTimer()
				cpu := cpuTime()
				for i := range b.N {
					smp.Ask(n + i)
				}
				// CPU a trial, besides wall: the machine's other load
				// inflates ns/op but not this.
				b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// logPDFInPlace is jointMixture.logPDF computing every quantized term in
// place, as it did before cellTerms and latticeMemo: the reference they
// must match to the bit.
func logPDFInPlace(m *jointMixture, x []float64) float64 {
	n := len(m.logw) - 1
	acc := slices.Clone(m.logw)
	for a := range m.axes {
		ax := &m.axes[a]
		v := x[ax.j]
		switch {
		case ax.kind == dimCat:
			for c := range acc {
				acc[c] += ax.logp[c*ax.k+int(v)]
			}
		case ax.q == 0:
			inv := 1 / ax.sigma
			for c, mu := range ax.mus[:n] {
				z := (v - mu) * inv
				acc[c] += ax.cst[c] - 0.5*z*z
			}
			z := (v - ax.mus[n]) / (ax.high - ax.low)
			acc[n] += ax.cst[n] - 0.5*z*z
		default:
			lo, hi := max(v-ax.q/2, ax.low), min(v+ax.q/2, ax.high)
			for c, mu := range ax.mus {
				s := ax.sigmaOf(c, n)
				k := -logAccept(ax.low, ax.high, mu, s)
				acc[c] += k + logGaussMass((lo-mu)/s, (hi-mu)/s)
			}
		}
	}
	top := slices.Max(acc)
	var sum float64
	for _, t := range acc {
		if t > top-farTerms {
			sum += fastmath.Exp(t - top)
		}
	}
	return top + math.Log(sum)
}

// TestQuantizedTermsShared: the joint estimator computes a quantized
// axis's terms once per lattice value and per cell scored, and gets what
// computing each component's term in place gets, to the bit, on every
// cell, for observations on the lattice and off it (a resumed study's
// older spec), at both ends of the range, for l and g.
func TestQuantizedTermsShared(t *testing.T) {
	smp, err := newTPESampler(rehearsalSpec(t, "tpe"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 1500 {
		depth := any(1 + rng.IntN(12))
		if i%97 == 5 {
			depth = 0.5 + 12*rng.Float64() // off the lattice
		}
		p := trial.Params{"x": rng.Float64()*20 - 10, "lr": math.Exp(math.Log(1e-5) * rng.Float64()),
			"depth": depth, "kind": []string{"a", "b", "c"}[rng.IntN(3)]}
		smp.addPending(i, "noop", p)
		if i < 1400 {
			smp.Tell(trial.Result{Number: i, State: trial.Complete, Model: "noop", Params: p, Score: rng.Float64()})
		}
	}
	st := smp.states[0]
	smp.split(st)
	sc := &smp.scratch
	sc.jl.build(st, sc.below, func(int) float64 { return 1 })
	m := len(sc.above)
	sc.jg.build(st, sc.above, func(r int) float64 { return rampWeight(r, m) })
	j := slices.IndexFunc(smp.fams[0].axes, func(a axis) bool { return a.dim.Name == "depth" })
	x := make([]float64, len(st.dims))
	for range 3 { // again, from the cells already computed
		for depth := 1; depth <= 12; depth++ {
			for k := range x {
				x[k] = st.obs[rng.IntN(len(st.obs))].x[k]
			}
			x[j] = float64(depth)
			for _, mx := range []*jointMixture{&sc.jl, &sc.jg} {
				want := logPDFInPlace(mx, x)
				if got := mx.logPDF(x); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("depth %d: logPDF %v, want %v computed in place", depth, got, want)
				}
			}
		}
	}
}
