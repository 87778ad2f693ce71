package studycharts

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// study returns n complete trials whose score depends on x only (noise
// aside), with y irrelevant, x log-spaced over six decades.
func study(n int) *Study {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &Study{Spec: &search.Spec{Name: "s", Metric: "accuracy", Direction: trial.Maximize,
		Models: []search.ModelSpace{{Model: "m1", Params: []search.Dimension{
			{Name: "x", Kind: trial.Float, Min: 1e-3, Max: 1e3, Log: true},
			{Name: "y", Kind: trial.Float, Min: 0, Max: 1}}}}}}
	for i := range n {
		x := math.Pow(10, rng.Float64()*6-3)
		params := trial.Params{"x": x, "y": rng.Float64(), "kind": []string{"a", "b"}[i%2]}
		start := t0.Add(time.Duration(i) * time.Second)
		r := trial.Result{Number: i, State: trial.Complete, Model: []string{"m1", "m2"}[i%2], Params: params,
			Score: math.Log10(x) + 0.01*rng.NormFloat64(), Started: start, Finished: start.Add(time.Second)}
		st.Events = append(st.Events, results.DispatchEvent(trial.Trial{Number: i, Params: params}, start),
			results.ResultEvent(r, r.Finished))
	}
	return st
}

func TestImportanceFindsTheParameterThatDrivesTheScore(t *testing.T) {
	c := Build("0", study(500))
	if len(c.Importance) != 3 || c.Importance[0].Param != "x" {
		t.Fatalf("importance %+v, want x first", c.Importance)
	}
	if c.Importance[0].Share < 0.9 {
		t.Errorf("x explains %.3f of the variance, want above 0.9", c.Importance[0].Share)
	}
	for _, imp := range c.Importance[1:] {
		if imp.Share > 0.05 {
			t.Errorf("%s explains %.3f, want below 0.05", imp.Param, imp.Share)
		}
	}
}

func TestParamsAxesAndFamilies(t *testing.T) {
	c := Build("0", study(100))
	kinds := map[string]Param{}
	for _, p := range c.Params {
		kinds[p.Name] = p
	}
	if !kinds["x"].Log || kinds["y"].Log || kinds["kind"].Kind != "category" || len(kinds["kind"].Categories) != 2 {
		t.Errorf("params %+v", c.Params)
	}
	if len(c.Families) != 2 || c.Families[0].Count != 50 {
		t.Fatalf("families %+v", c.Families)
	}
	for _, f := range c.Families {
		v := f.Values
		if !(v[0] <= v[1] && v[1] <= v[2] && v[2] <= v[3] && v[3] <= v[4]) {
			t.Errorf("%s: box %v out of order", f.Model, v)
		}
	}
	if c.Summary.Trials.Complete != 100 || c.Summary.Best == nil {
		t.Errorf("summary %+v", c.Summary)
	}
}

func TestTimelineLanesNeverOverlap(t *testing.T) {
	st := study(50)
	// Trials of 1 s started every 0.25 s would need 4 lanes.
	for i, e := range st.Events {
		if e.Type == results.EventResult {
			r := *e.Result
			r.Started = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Number) * 250 * time.Millisecond)
			r.Finished = r.Started.Add(time.Second)
			st.Events[i].Result = &r
		}
	}
	c := Build("0", st)
	if c.Lanes != 4 {
		t.Errorf("%d lanes, want 4", c.Lanes)
	}
	last := map[int]float64{}
	for _, s := range c.Timeline {
		if s.Start < last[s.Lane] {
			t.Errorf("trial %d overlaps on lane %d", s.Number, s.Lane)
		}
		last[s.Lane] = s.End
	}
}

func TestTimelineLanesAreLambdaEnvironmentsWhenRecorded(t *testing.T) {
	st := study(12)
	// Trials 0-9 ran on three environments in turn (one trial at a time
	// each, though a packing would need fewer lanes); 10 and 11 name none.
	for i, e := range st.Events {
		if e.Type == results.EventResult {
			r := *e.Result
			r.Started = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Number) * time.Second)
			r.Finished = r.Started.Add(500 * time.Millisecond)
			if r.Number < 10 {
				r.Worker = []string{"env-b", "env-a", "env-c"}[r.Number%3]
			}
			st.Events[i].Result = &r
		}
	}
	c := Build("0", st)
	if c.EnvLanes != 3 || c.Lanes != 4 {
		t.Fatalf("%d lanes of which %d environments, want 4 and 3", c.Lanes, c.EnvLanes)
	}
	wantLane := map[string]int{"env-b": 0, "env-a": 1, "env-c": 2, "": 3} // in order of first trial
	for _, s := range c.Timeline {
		if s.Lane != wantLane[s.Worker] {
			t.Errorf("trial %d of %q on lane %d, want %d", s.Number, s.Worker, s.Lane, wantLane[s.Worker])
		}
	}
}
