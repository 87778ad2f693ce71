package studycharts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// fleetStudy is a study on `envs` Lambda environments that all start at
// once: environment e runs e%5+1 trials of one second back to back, the
// first a cold start, except environment 5, whose one trial is a
// straggler of 100 s.
func fleetStudy(envs int) *Study {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &Study{Spec: &search.Spec{Name: "fleet", Metric: "loss", Direction: trial.Minimize}}
	n := 0
	for e := range envs {
		for k := range e%5 + 1 {
			start := t0.Add(time.Duration(k) * time.Second)
			end := start.Add(time.Second)
			if e == 5 {
				end = start.Add(100 * time.Second)
			}
			r := trial.Result{Number: n, State: trial.Complete, Model: "m", Params: trial.Params{"x": float64(n)}, Score: float64(n),
				Started: start, Finished: end, Worker: fmt.Sprintf("env-%04d", e)}
			if k == 0 {
				r.Backend = map[string]float64{"init_duration_ms": 200}
			}
			st.Events = append(st.Events, results.DispatchEvent(trial.Trial{Number: n, Params: r.Params}, start), results.ResultEvent(r, end))
			n++
		}
	}
	return st
}

func TestTimelineOfAThousandEnvironmentsDrawsAHundredLanes(t *testing.T) {
	c := Build("0", fleetStudy(1000))
	if c.Lanes != MaxLanes || c.EnvLanes != MaxLanes || c.LanesTotal != 1000 || c.EnvLanesTotal != 1000 {
		t.Fatalf("lanes %d of %d, environments %d of %d; want %d of 1000 both", c.Lanes, c.LanesTotal, c.EnvLanes, c.EnvLanesTotal, MaxLanes)
	}
	if !strings.HasPrefix(c.TimelineBy, "100 of 1000 Lambda execution environments shown") {
		t.Errorf("note %q does not say how many of how many lanes are shown", c.TimelineBy)
	}
	perEnv := map[string]int{}
	coldShown := map[string]bool{}
	for _, s := range c.Timeline {
		if s.Lane < 0 || s.Lane >= c.Lanes {
			t.Fatalf("trial %d on lane %d of %d", s.Number, s.Lane, c.Lanes)
		}
		perEnv[s.Worker]++
		if s.Cold {
			coldShown[s.Worker] = true
		}
	}
	if len(perEnv) != MaxLanes {
		t.Fatalf("spans of %d environments, want %d", len(perEnv), MaxLanes)
	}
	// The straggler's environment is drawn though it ran one trial; the
	// others are environments of five trials, the most any ran.
	if perEnv["env-0005"] != 1 {
		t.Errorf("the straggler's environment has %d spans drawn, want its 1", perEnv["env-0005"])
	}
	for env, n := range perEnv {
		if env != "env-0005" && n != 5 {
			t.Errorf("%s drawn with %d trials; want only environments of 5 (and the straggler's)", env, n)
		}
		if !coldShown[env] {
			t.Errorf("%s: its cold start is not drawn", env)
		}
	}
	// The concurrency line counts the whole fleet.
	if c.ConcurrencyPeak != 1000 || len(c.Concurrency) == 0 || c.Concurrency[0].Running != 1000 {
		t.Errorf("concurrency peak %d, first point %+v; want 1000 at the start", c.ConcurrencyPeak, c.Concurrency[:min(1, len(c.Concurrency))])
	}
	if last := c.Concurrency[len(c.Concurrency)-1]; last.Running != 0 || last.T != 100 {
		t.Errorf("last concurrency point %+v, want 0 running at 100 s", last)
	}
}

func TestTimelineOfFewLanesDrawsThemAll(t *testing.T) {
	c := Build("0", fleetStudy(12))
	if c.Lanes != 12 || c.LanesTotal != 12 || !strings.HasPrefix(c.TimelineBy, "All 12 Lambda execution environments shown") {
		t.Errorf("lanes %d of %d, note %q", c.Lanes, c.LanesTotal, c.TimelineBy)
	}
}

func TestConcurrencyHandComputed(t *testing.T) {
	// [0, 2], [1, 3], [2, 4]: one ends as the next starts at 2, which is
	// not three at once.
	spans := []Span{{Start: 0, End: 2}, {Start: 1, End: 3}, {Start: 2, End: 4}}
	got, peak := concurrency(spans)
	want := []ConcurrencyPoint{{0, 1}, {1, 2}, {2, 2}, {3, 1}, {4, 0}}
	if !slices.Equal(got, want) || peak != 2 {
		t.Errorf("concurrency %v peak %d, want %v peak 2", got, peak, want)
	}
}

func TestConcurrencyDownsampledKeepsThePeak(t *testing.T) {
	// 3,000 one-second trials, one starting each second, and a burst of
	// 50 at once in the middle.
	var spans []Span
	for i := range 3000 {
		spans = append(spans, Span{Start: float64(i), End: float64(i) + 1.5})
	}
	for range 50 {
		spans = append(spans, Span{Start: 1500.2, End: 1500.3})
	}
	slices.SortFunc(spans, func(a, b Span) int { return int(a.Start - b.Start) })
	got, peak := concurrency(spans)
	if len(got) > MaxPoints {
		t.Fatalf("%d points, want at most %d", len(got), MaxPoints)
	}
	most := 0
	for _, p := range got {
		most = max(most, p.Running)
	}
	if peak != 52 || most != 52 {
		t.Errorf("peak %d, most drawn %d; want 52 (the burst and the two trials around it)", peak, most)
	}
}
