package studycharts

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// mixedStudy is a journal with every kind of trial the charts draw: two
// model families, a categorical parameter, failed trials, command
// objectives' steps (one pruned), ASHA rungs of several configurations
// (pruned below the full budget), a retried trial, results out of number
// order, Lambda environments and billed durations, a trial still running
// and a stop.
func mixedStudy() (*search.Spec, []results.Event) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	spec := &search.Spec{Name: "mixed", Metric: "accuracy", Direction: trial.Maximize,
		EarlyStopping: &search.EarlyStopping{Budget: "epochs"},
		Models: []search.ModelSpace{{Model: "svc", Params: []search.Dimension{
			{Name: "c", Kind: trial.Float, Min: 1e-3, Max: 1e3, Log: true},
			{Name: "kernel", Kind: trial.Categorical, Values: []any{"rbf", "linear"}}}}}}
	events := []results.Event{results.StudyEvent("mixed", t0)}
	dispatch := func(n int, model string, p trial.Params, b trial.Budget, attempt int, s float64) {
		events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: model, Params: p, Seed: uint64(n), Budget: b, Attempt: attempt}, at(s)))
	}
	result := func(r trial.Result, s float64) {
		events = append(events, results.ResultEvent(r, at(s)))
	}
	params := func(i int) trial.Params {
		return trial.Params{"c": math.Pow(10, float64(i%7)-3), "kernel": []string{"rbf", "linear"}[i%2], "gamma": 0.1 * float64(i%5+1)}
	}
	n := 0
	// Plain trials: two families, every seventh failed, one with a NaN
	// score, Lambda figures on some.
	for i := range 30 {
		model := []string{"svc", "knn"}[i%3/2]
		p := params(i)
		dispatch(n, model, p, trial.Budget{}, 1, float64(n))
		r := trial.Result{Number: n, State: trial.Complete, Model: model, Params: p, Seed: uint64(n),
			Score: 0.5 + 0.01*float64((i*37)%41), Seconds: 1 + float64(i%4), Started: at(float64(n)), Finished: at(float64(n) + 1 + float64(i%4))}
		switch {
		case i%7 == 3:
			r.State, r.Score, r.Error = trial.Failed, math.NaN(), fmt.Sprintf("boom %d\nsecond line", i)
		case i == 11:
			r.Score = math.NaN()
		}
		if i%4 == 1 {
			r.Worker = fmt.Sprintf("env-%d", i%3)
			r.Backend = map[string]float64{"duration_ms": 900, "billed_ms": 1000, "init_ms": float64(i % 2 * 120)}
		}
		result(r, float64(n)+1+float64(i%4))
		n++
	}
	// Two results out of number order, one trial retried.
	a, b := n, n+1
	dispatch(a, "svc", params(a), trial.Budget{}, 1, 40)
	dispatch(b, "svc", params(b), trial.Budget{}, 1, 40)
	result(trial.Result{Number: b, State: trial.Complete, Model: "svc", Params: params(b), Seed: uint64(b), Score: 0.93, Seconds: 2, Started: at(40), Finished: at(42)}, 42)
	dispatch(a, "svc", params(a), trial.Budget{}, 2, 43)
	result(trial.Result{Number: a, State: trial.Complete, Model: "svc", Params: params(a), Seed: uint64(a), Score: 0.97, Seconds: 3, Started: at(43), Finished: at(46)}, 46)
	n += 2
	// Command objectives' steps, one pruned.
	for i := range 4 {
		p := params(n)
		dispatch(n, "cmd", p, trial.Budget{}, 1, float64(50+i))
		r := trial.Result{Number: n, State: trial.Complete, Model: "cmd", Params: p, Seed: uint64(n), Seconds: 4, Started: at(float64(50 + i)), Finished: at(float64(54 + i))}
		for s := range 5 + i {
			r.Steps = append(r.Steps, trial.Step{Step: int64(s), Value: 0.1*float64(s) + 0.05*float64(i)})
		}
		r.Score = r.Steps[len(r.Steps)-1].Value
		if i == 2 {
			r.State = trial.Pruned
		}
		result(r, float64(54+i))
		n++
	}
	// ASHA: four configurations at rung 0 (1 epoch), two promoted to rung
	// 1 (3), one to the full budget (9).
	rung := func(config, rung int, value, score float64, s float64) {
		p := params(config)
		bud := trial.Budget{Name: "epochs", Value: value, Rung: rung, Config: config, Max: 9}
		dispatch(n, "svc", p, bud, 1, s)
		result(trial.Result{Number: n, State: trial.Complete, Model: "svc", Params: p, Seed: uint64(n), Budget: bud,
			Score: score, Seconds: value, Started: at(s), Finished: at(s + value)}, s+value)
		n++
	}
	first := n
	for c := range 4 {
		rung(first+c, 0, 1, 0.6+0.05*float64(c), float64(60+c))
	}
	rung(first+3, 1, 3, 0.8, 70)
	rung(first+2, 1, 3, 0.74, 71)
	rung(first+3, 2, 9, 0.91, 80)
	// One still running, then the stop.
	dispatch(n, "svc", params(n), trial.Budget{}, 1, 95)
	events = append(events, results.StopEvent("max_trials", at(96)))
	return spec, events
}

// dataCharts is what Build derives from the journal, without the charts
// computed from it by models of their own (the forest's importance and
// contours) or laid out for drawing (the timeline), which have tests of
// their own.
type dataCharts struct {
	Summary    StudySummary
	Sampled    int
	Total      int
	Params     []Param
	Points     []Point
	BestSteps  []BestStep
	Curves     []Curve
	BudgetName string
	Families   []Box
	Importance []Importance
	Cost       []CostPoint
	Warnings   []string
}

func dataOf(c Charts) dataCharts {
	return dataCharts{Summary: c.Summary, Sampled: c.Sampled, Total: c.Total, Params: c.Params, Points: c.Points,
		BestSteps: c.BestSteps, Curves: c.Curves, BudgetName: c.BudgetName, Families: c.Families,
		Importance: c.Importance, Cost: c.Cost, Warnings: c.Warnings}
}

func marshalIndent(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return append(b, '\n')
}

// TestChartsOfAMixedStudyAreTheGoldenOnes pins what the charts show of a
// mixed study to testdata/mixed-charts.json, written by the code that
// read the journal whole into events (go test -update rewrites it).
func TestChartsOfAMixedStudyAreTheGoldenOnes(t *testing.T) {
	spec, events := mixedStudy()
	got := marshalIndent(t, dataOf(Build("0", &Study{Dir: "/s/mixed", Spec: spec, Events: events, CostUSD: 0.25, WallSeconds: 96})))
	golden := filepath.Join("testdata", "mixed-charts.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("charts of the mixed study differ from %s:\n%s", golden, got)
	}
}
