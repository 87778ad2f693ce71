package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// lambdaStudy writes a study of 60 trials with three numeric parameters,
// run on 6 Lambda execution environments (Result.Worker), each one's
// first trial a cold start.
func lambdaStudy(tb testing.TB) string {
	tb.Helper()
	spec := search.Spec{Name: "lam", Metric: "accuracy", Direction: trial.Maximize,
		Search: search.SearchSettings{Method: "random", MaxTrials: 60, Seed: 1},
		Models: []search.ModelSpace{{Model: "svc", Params: []search.Dimension{
			{Name: "C", Kind: trial.Float, Min: 1e-3, Max: 1e3, Log: true},
			{Name: "gamma", Kind: trial.Float, Min: 1e-4, Max: 1, Log: true},
			{Name: "tol", Kind: trial.Float, Min: 0, Max: 1},
		}}}}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	j, err := results.Create(dir, "lam", []byte("name: lam\n"), specJSON)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var events []results.Event
	for n := range 60 {
		lc, lg := rng.Float64()*6-3, rng.Float64()*4-4
		params := trial.Params{"C": math.Pow(10, lc), "gamma": math.Pow(10, lg), "tol": rng.Float64()}
		start := t0.Add(time.Duration(n/6) * time.Second)
		r := trial.Result{Number: n, State: trial.Complete, Model: "svc", Params: params, Score: 0.5 + 0.4*math.Exp(-(lc*lc+(lg+2)*(lg+2))/4),
			Seconds: 0.9, Started: start, Finished: start.Add(900 * time.Millisecond), Worker: fmt.Sprintf("env-%d", n%6),
			Backend: map[string]float64{"billed_ms": 900, "duration_ms": 899, "memory_size_mb": 1024}}
		if n < 6 {
			r.Backend["init_duration_ms"] = 300
		}
		events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: "svc", Params: params}, start), results.ResultEvent(r, r.Finished))
	}
	if err := j.Append(context.Background(), events...); err != nil {
		tb.Fatal(err)
	}
	if err := j.Close(); err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "lam")
}

// The report inlines the dashboard's charts: both importances, the
// contours of the most important pairs with a choice among them, the
// timeline of Lambda environments with its note and the concurrency.
func TestReportInlinesTheDashboardsCharts(t *testing.T) {
	st, err := report.Load(context.Background(), lambdaStudy(t))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, st, report.Options{}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`data-chart="importance"`, `data-note="importance"`,
		`data-chart="forest-importance"`, `data-note="forest-importance"`,
		`data-chart="contour"`, `data-note="contour"`, `<select data-contour-pairs hidden>`,
		`data-chart="timeline"`, `data-note="timeline"`, `data-chart="concurrency"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	// The charts' JSON, inlined.
	const open = `<script type="application/json" id="hpsearch-charts">`
	i := strings.Index(html, open)
	if i < 0 {
		t.Fatal("no inlined charts JSON")
	}
	rest := html[i+len(open):]
	var c struct {
		Forest   []struct{ Param string } `json:"forest_importance"`
		Contours []struct {
			X, Y  int
			Bands [][][]float64
		} `json:"contours"`
		EnvLanes      int    `json:"env_lanes"`
		EnvLanesTotal int    `json:"env_lanes_total"`
		TimelineBy    string `json:"timeline_by"`
		Peak          int    `json:"concurrency_peak"`
	}
	if err := json.Unmarshal([]byte(rest[:strings.Index(rest, "</script>")]), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Forest) != 3 || len(c.Contours) != 3 {
		t.Errorf("%d forest importances and %d contours, want 3 and 3 (the pairs of C, gamma and tol)", len(c.Forest), len(c.Contours))
	}
	for _, ct := range c.Contours {
		if len(ct.Bands) == 0 || ct.X == ct.Y {
			t.Errorf("contour of %d and %d with %d bands", ct.X, ct.Y, len(ct.Bands))
		}
	}
	if c.EnvLanes != 6 || c.EnvLanesTotal != 6 || c.Peak != 6 || !strings.Contains(c.TimelineBy, "6 Lambda execution environments") {
		t.Errorf("timeline: %d of %d environments, peak %d, note %q; want all 6, 6 at once", c.EnvLanes, c.EnvLanesTotal, c.Peak, c.TimelineBy)
	}
}
