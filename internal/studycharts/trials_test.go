package studycharts

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
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

// summaryString prints a Summary with its best trial, NaN scores as NaN.
func summaryString(s results.Summary) string {
	best := "none"
	if s.Best != nil {
		best = fmt.Sprintf("%+v", *s.Best)
	}
	s.Best = nil
	return fmt.Sprintf("%+v best %s", s, best)
}

func TestTrialsSummaryIsSummarize(t *testing.T) {
	spec, mixed := mixedStudy()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	plain := func(scores ...float64) []results.Event {
		var evs []results.Event
		for i, s := range scores {
			evs = append(evs, results.DispatchEvent(trial.Trial{Number: i, Model: "m"}, t0),
				results.ResultEvent(trial.Result{Number: i, State: trial.Complete, Model: "m", Score: s}, t0))
		}
		return evs
	}
	for _, tc := range []struct {
		name   string
		dir    trial.Direction
		events []results.Event
	}{
		{"mixed, maximize", spec.Direction, mixed},
		{"mixed, minimize", trial.Minimize, mixed},
		{"a tie goes to the lower number", trial.Maximize, plain(0.5, 0.9, 0.9, 0.1)},
		{"NaN scores rank last", trial.Minimize, plain(math.NaN(), 3, math.NaN())},
		{"only NaN scores", trial.Maximize, plain(math.NaN(), math.NaN())},
		{"no events", trial.Maximize, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := TrialsOf(tc.events, tc.dir).Summary(), results.Summarize(tc.events, tc.dir)
			if summaryString(got) != summaryString(want) {
				t.Errorf("Summary\n got %s\nwant %s", summaryString(got), summaryString(want))
			}
		})
	}
}

// TestTrialsKeepAResultATrialNotTheEvents bounds what Trials holds: one
// result a trial number, however many events the journal has for it
// (here two dispatches, a retry, and a result each), held by column: a
// no-op study's trial with three parameters is under 150 bytes of heap
// (it was about 600 as a trial.Result with a parameter map).
func TestTrialsKeepAResultATrialNotTheEvents(t *testing.T) {
	const n = 20000
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	events := []results.Event{results.StudyEvent("s", t0)}
	for i := range n {
		p := trial.Params{"x": float64(i), "lr": 1 / float64(i+1), "kind": []string{"a", "b", "c"}[i%3]}
		at := t0.Add(time.Duration(i) * time.Millisecond)
		events = append(events,
			results.DispatchEvent(trial.Trial{Number: i, Model: "noop", Params: p, Seed: uint64(i), Attempt: 1}, at),
			results.DispatchEvent(trial.Trial{Number: i, Model: "noop", Params: p, Seed: uint64(i), Attempt: 2}, at),
			results.ResultEvent(trial.Result{Number: i, State: trial.Complete, Model: "noop", Params: p, Seed: uint64(i),
				Score: float64(i), FitSeconds: 1e-7, Seconds: 2e-7, Started: at, Finished: at.Add(time.Microsecond)}, at))
	}
	events = append(events, results.StopEvent("max_trials", t0))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tr := NewTrials(trial.Maximize)
	for _, e := range events {
		tr.Add(e)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if tr.Kept() != n || tr.Len() != n {
		t.Fatalf("kept %d results in %d rows of %d events, want %d (one a trial)", tr.Kept(), tr.Len(), len(events), n)
	}
	if per := float64(after.HeapAlloc-before.HeapAlloc) / n; per > 150 {
		t.Errorf("%.0f heap bytes a trial, want at most 150", per)
	}
	finals := tr.Finals()
	for i := range n {
		if want := *events[3+3*i].Result; !reflect.DeepEqual(finals[i], want) {
			t.Fatalf("final %d:\n got %+v\nwant %+v", i, finals[i], want)
		}
	}
	runtime.KeepAlive(tr)
}

// TestTrialsGiveBackEveryResultAsAdded: whatever a result holds (times in
// UTC, in another zone, with a monotonic reading or zero; parameters of
// any type, none, or an empty map; errors, steps, budgets, Lambda's
// figures; states other than the four), Row, Trial, Finals, Results and
// Table give it back as it was added, field for field, and a dispatch
// without its result as the running row it was.
func TestTrialsGiveBackEveryResultAsAdded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 987654321, time.UTC)
	zone := time.FixedZone("CET", 3600)
	times := []time.Time{{}, t0, t0.In(zone), time.Now(), t0.Add(time.Hour).In(time.Local), time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}
	values := []any{1.5, -0.0, "rbf", "", true, false, nil, 3, []any{"a", 2.0}, map[string]any{"k": 1.0}, math.Inf(1)}
	const n = 400
	tr := NewTrials(trial.Minimize)
	want := map[int]trial.Result{}
	var order []int
	for i := range n {
		var p trial.Params
		switch rng.IntN(8) {
		case 0:
		case 1:
			p = trial.Params{}
		default:
			p = trial.Params{}
			for _, name := range []string{"a", "b", "c", "d"}[:rng.IntN(4)+1] {
				if rng.IntN(4) > 0 {
					p[name] = values[rng.IntN(len(values))]
				}
			}
		}
		model := []string{"svc", "knn", ""}[rng.IntN(3)]
		tr.Add(results.DispatchEvent(trial.Trial{Number: i, Model: model, Params: p, Seed: rng.Uint64(), Attempt: 1}, t0))
		if i%10 == 9 {
			want[i] = trial.Result{Number: i, State: trial.Running, Model: model, Params: p, Score: math.NaN()}
			continue
		}
		r := trial.Result{Number: i, State: []trial.State{trial.Complete, trial.Pruned, trial.Failed, "odd"}[rng.IntN(4)], Model: model, Params: p,
			Seed: rng.Uint64(), Score: rng.Float64(), Seconds: rng.Float64(), FitSeconds: rng.Float64(),
			Started: times[rng.IntN(len(times))], Finished: times[rng.IntN(len(times))]}
		switch rng.IntN(6) {
		case 0:
			r.Error = "boom\nline two"
		case 1:
			r.Steps = []trial.Step{{Step: 1, Value: 0.5}}
			r.FoldScores = []float64{0.1, 0.2}
		case 2:
			r.Budget = trial.Budget{Name: "epochs", Value: 3, Rung: 1, Config: i, Max: 9}
		case 3:
			r.Worker, r.Backend = fmt.Sprintf("env-%d", rng.IntN(3)), map[string]float64{"billed_ms": 12, "init_ms": float64(rng.IntN(2))}
		case 4:
			r.Worker, r.Backend = "env-1", map[string]float64{}
			r.LoadSeconds, r.ScoreSeconds, r.PeakMemoryBytes, r.DatasetSource = 1, 2, 3, "s3"
		}
		tr.Add(results.ResultEvent(r, t0))
		want[i] = r
		order = append(order, i)
	}
	same := func(what string, got, want trial.Result) {
		t.Helper()
		if got.State == trial.Running && math.IsNaN(got.Score) && math.IsNaN(want.Score) {
			got.Score, want.Score = 0, 0
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %#v\nwant %#v", what, got, want)
		}
	}
	table := tr.Table()
	for i := range n {
		same(fmt.Sprintf("Row(%d)", i), tr.Row(i), want[i])
		same(fmt.Sprintf("Table()[%d]", i), table[i], want[i])
		r, dispatched, hasResult := tr.Trial(i)
		same(fmt.Sprintf("Trial(%d)", i), r, want[i])
		if !dispatched || hasResult != (i%10 != 9) {
			t.Fatalf("Trial(%d): dispatched %v, result %v", i, dispatched, hasResult)
		}
		for name, v := range want[i].Params {
			if got, ok := tr.Param(i, name); !ok || !reflect.DeepEqual(got, v) {
				t.Fatalf("Param(%d, %q) = %v, %v; want %v", i, name, got, ok, v)
			}
		}
		if _, ok := tr.Param(i, "absent"); ok {
			t.Fatalf("Param(%d, absent) found", i)
		}
	}
	k := 0
	for r := range tr.Results() {
		same(fmt.Sprintf("result %d", k), *r, want[order[k]])
		k++
	}
	finals := tr.Finals()
	if len(finals) != len(order) || k != len(order) {
		t.Fatalf("%d finals and %d results, want %d", len(finals), k, len(order))
	}
	for k, i := range order {
		same(fmt.Sprintf("Finals()[%d]", k), finals[k], want[i])
	}
}

// TestFinalRowsAreTheRowsFinalsIsBuiltFrom: FinalRows gives the rows
// that hold a result, in trial number order however the journal ordered
// them, so that Row of each is Finals' result and RowFields it without
// its parameters.
func TestFinalRowsAreTheRowsFinalsIsBuiltFrom(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tr := NewTrials(trial.Minimize)
	tr.Add(results.DispatchEvent(trial.Trial{Number: 7, Model: "svc", Params: trial.Params{"C": 1.0}}, t0))
	for _, n := range []int{5, 2, 9} {
		tr.Add(results.ResultEvent(trial.Result{Number: n, State: trial.Complete, Model: "svc",
			Params: trial.Params{"C": float64(n), "kernel": "rbf"}, Score: float64(n) / 10, Started: t0, Finished: t0}, t0))
	}
	rows, finals := tr.FinalRows(), tr.Finals()
	if len(rows) != 3 || len(finals) != 3 {
		t.Fatalf("%d final rows and %d finals, want 3 of each", len(rows), len(finals))
	}
	for k, i := range rows {
		if got := tr.Row(i); !reflect.DeepEqual(got, finals[k]) {
			t.Errorf("Row(FinalRows()[%d]) = %+v, want Finals()[%d] %+v", k, got, k, finals[k])
		}
		want := finals[k]
		want.Params = nil
		if got := tr.RowFields(i); !reflect.DeepEqual(got, want) {
			t.Errorf("RowFields(FinalRows()[%d]) = %+v, want %+v", k, got, want)
		}
		if got, ok := tr.Param(i, "C"); !ok || got != finals[k].Params["C"] {
			t.Errorf("Param(FinalRows()[%d], C) = %v, %v; want %v", k, got, ok, finals[k].Params["C"])
		}
	}
	if got := []int{finals[0].Number, finals[1].Number, finals[2].Number}; !reflect.DeepEqual(got, []int{2, 5, 9}) {
		t.Errorf("finals are trials %v, want [2 5 9]", got)
	}
}

func TestTrialsTableAndTrialShowRunningTrialsAndStateOf(t *testing.T) {
	spec, events := mixedStudy()
	tr := TrialsOf(events, spec.Direction)
	rows := tr.Table()
	byNumber := map[int]trial.Result{}
	for _, r := range rows {
		if _, dup := byNumber[r.Number]; dup {
			t.Fatalf("trial %d has two rows", r.Number)
		}
		byNumber[r.Number] = r
	}
	last := len(rows) - 1
	if r := byNumber[last]; r.State != trial.Running || !math.IsNaN(r.Score) || r.Params == nil {
		t.Errorf("the running trial's row: %+v, want running with its parameters and a NaN score", r)
	}
	pruned := 0
	for _, r := range rows {
		if r.Budget.Max > 0 && r.Budget.Value < r.Budget.Max {
			pruned++
			if results.StateOf(r) != trial.Pruned || r.State != trial.Complete {
				t.Errorf("trial %d below the full budget is %s, StateOf %s; want complete as the journal holds it, pruned by StateOf", r.Number, r.State, results.StateOf(r))
			}
		}
	}
	if pruned != 6 {
		t.Errorf("%d rungs below the full budget, want 6", pruned)
	}
	if _, dispatched, hasResult := tr.Trial(last); !dispatched || hasResult {
		t.Errorf("Trial(%d): dispatched %v, result %v; want dispatched without a result", last, dispatched, hasResult)
	}
	if r, _, hasResult := tr.Trial(3); !hasResult || r.State != trial.Failed || r.Error == "" {
		t.Errorf("Trial(3) = %+v, want the failed result with its error", r)
	}
	if _, dispatched, _ := tr.Trial(last + 1); dispatched {
		t.Errorf("Trial(%d): found, want not found", last+1)
	}
}
