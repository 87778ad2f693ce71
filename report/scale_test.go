package report_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// TestReportOfALargeStudyStaysSmall: the report of a 100,000-trial study
// stays under 5 MB: the leaderboard shows its top rows and points to
// hpsearch leaderboard, and every chart draws a sample that keeps the
// best trials.
func TestReportOfALargeStudyStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a 100,000-trial study")
	}
	const n = 100_000
	rng := rand.New(rand.NewPCG(7, 8))
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	st := &report.Study{Dir: "/studies/big", Spec: &search.Spec{Name: "big", Metric: "accuracy", Direction: trial.Maximize,
		Search: search.SearchSettings{Method: "random", MaxTrials: n},
		Models: []search.ModelSpace{{Model: "svc", Params: []search.Dimension{{Name: "C", Kind: trial.Float, Min: 1e-3, Max: 1e3, Log: true}}}}}}
	for i := range n {
		params := trial.Params{"C": math.Pow(10, rng.Float64()*6-3)}
		start := t0.Add(time.Duration(i) * time.Second)
		st.Events = append(st.Events, results.DispatchEvent(trial.Trial{Number: i, Model: "svc", Params: params}, start))
		st.Events = append(st.Events, results.ResultEvent(trial.Result{Number: i, State: trial.Complete, Model: "svc", Params: params,
			Score: rng.Float64(), Seconds: 1, Started: start, Finished: start.Add(time.Second)}, start.Add(time.Second)))
	}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, st, report.Options{Top: 50}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() >= 5<<20 {
		t.Errorf("report of %d trials: %d bytes, want under 5 MB", n, buf.Len())
	}
	if !strings.Contains(buf.String(), "99950 more trials") {
		t.Error("the report does not say how many trials the leaderboard leaves out")
	}
}
