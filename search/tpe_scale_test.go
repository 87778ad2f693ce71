package search

import (
	"fmt"
	"slices"
	"testing"

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
