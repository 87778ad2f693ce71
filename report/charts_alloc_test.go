package report

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// TestChartsOfALargeStudyBuildOnlyTheResultsTheyDraw: past MaxDrawn
// trials, the charts look at every result without its parameters and
// build whole (a parameter map each) only those they draw, so drawing
// them allocates less than building every final result once, as
// Trials.Finals does: a 100,000-trial study's maps weighed about 60 MB
// beside its trials.
func TestChartsOfALargeStudyBuildOnlyTheResultsTheyDraw(t *testing.T) {
	const n = 20_000
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := &Study{Dir: "/studies/big", Spec: &search.Spec{Name: "big", Direction: trial.Minimize,
		Search: search.SearchSettings{Method: "random", MaxTrials: n},
		Models: []search.ModelSpace{{Model: "noop", Params: []search.Dimension{
			{Name: "lr", Kind: trial.Float, Min: 1e-5, Max: 1e-1, Log: true},
			{Name: "x", Kind: trial.Float, Min: -10, Max: 10},
			{Name: "kind", Kind: trial.Categorical, Values: []any{"a", "b", "c"}}}}}}}
	for i := range n {
		params := trial.Params{"lr": math.Pow(10, rng.Float64()*4-5), "x": rng.Float64()*20 - 10, "kind": []string{"a", "b", "c"}[rng.IntN(3)]}
		start := t0.Add(time.Duration(i) * time.Second)
		st.Events = append(st.Events, results.DispatchEvent(trial.Trial{Number: i, Model: "noop", Params: params}, start))
		st.Events = append(st.Events, results.ResultEvent(trial.Result{Number: i, State: trial.Complete, Model: "noop", Params: params,
			Score: rng.Float64(), Started: start, Finished: start.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)}, start.Add(time.Second)))
	}
	trials := st.Trials()
	allocated := func(f func()) uint64 {
		t.Helper()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	// A first drawing loads the fonts, once a process.
	if _, err := buildCharts(st); err != nil {
		t.Fatal(err)
	}
	finals := allocated(func() { trials.Finals() })
	var cs chartSet
	charts := allocated(func() {
		var err error
		if cs, err = buildCharts(st); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("charts of %d trials: %d bytes allocated; Finals: %d bytes", n, charts, finals)
	if charts >= finals {
		t.Errorf("charts of %d trials allocated %d bytes, no less than building every final result (%d bytes)", n, charts, finals)
	}
	if len(cs.params) != 3 || cs.parallel == nil {
		t.Errorf("charts of %d trials: %d parameter charts and parallel coordinates %v, want 3 and some", n, len(cs.params), cs.parallel != nil)
	}
}
