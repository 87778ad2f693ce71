package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// lambdaRunResults are two trials as the Lambda executor returns them:
// REPORT figures and the cost_usd it priced them at.
func lambdaRunResults() []trial.Result {
	rs := []trial.Result{
		{Number: 0, State: trial.Complete, Model: "knn", Score: 0.9, Seconds: 1.2,
			Backend: map[string]float64{"billed_ms": 1000, "duration_ms": 999.2, "memory_size_mb": 1024, "init_ms": 120}},
		{Number: 1, State: trial.Complete, Model: "knn", Score: 0.8, Seconds: 1.1,
			Backend: map[string]float64{"billed_ms": 2000, "duration_ms": 1999.5, "memory_size_mb": 1024}},
	}
	for i := range rs {
		rs[i].Backend[scheduler.CostKey] = cost.StudyCost(rs[i:i+1], cost.Backend{Kind: cost.Lambda}, cost.DefaultPrices).TotalUSD
	}
	return rs
}

// 1.12 + 2 billed seconds at 1 GB, and two requests, at arm64 list prices.
const (
	lambdaRunGBSeconds = 3.12
	lambdaRunUSD       = 3.12*0.0000133334 + 2*0.2/1e6
)

func costSpec(backend map[string]any) *search.Spec {
	return &search.Spec{Name: "s", Metric: "accuracy", Direction: trial.Maximize, Backend: backend}
}

// TestRunSummaryCost: run's summary, text and --json, says what a study
// on Lambda cost (total, per trial, billed GB-seconds), and says nothing
// of cost for a local study, whose machine costs the same busy or idle.
func TestRunSummaryCost(t *testing.T) {
	rs := lambdaRunResults()
	out := scheduler.Outcome{Summary: results.Summary{Complete: 2, Best: &rs[0]}, Results: rs}
	for _, tc := range []struct {
		name string
		// backend is the spec's backend: block; spec.json gives
		// memory_mb back as a float64.
		backend  map[string]any
		wantCost bool
	}{
		{"lambda as run records it", map[string]any{"type": backendLambda, "arch": "arm64", "memory_mb": 1024}, true},
		{"lambda as spec.json reads back", map[string]any{"type": backendLambda, "memory_mb": float64(1024)}, true},
		{"local", map[string]any{"type": backendLocal}, false},
		{"no record", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_LAMBDA", "")
			spec := costSpec(tc.backend)
			var text bytes.Buffer
			writeRunText(&text, "dir", spec, out, 5)
			var js bytes.Buffer
			if err := writeRunJSON(&js, "dir", spec, out); err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(js.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			if !tc.wantCost {
				if strings.Contains(text.String(), "cost") || strings.Contains(text.String(), "$") {
					t.Errorf("local summary prices the study:\n%s", text.String())
				}
				for _, k := range []string{"cost_usd", "cost_per_trial_usd", "billed_gb_seconds"} {
					if _, ok := m[k]; ok {
						t.Errorf("local --json has %s: %s", k, js.String())
					}
				}
				return
			}
			wantLine := "cost " + cost.FormatUSD(lambdaRunUSD) + " on Lambda (" + cost.FormatUSD(lambdaRunUSD/2) +
				" a trial; 3.1 GB-s billed over 2 invocations; arm64, us-east-1 list prices)\n"
			if !strings.Contains(text.String(), wantLine) {
				t.Errorf("summary lacks %q:\n%s", wantLine, text.String())
			}
			for k, want := range map[string]float64{"cost_usd": lambdaRunUSD, "cost_per_trial_usd": lambdaRunUSD / 2, "billed_gb_seconds": lambdaRunGBSeconds} {
				got, ok := m[k].(float64)
				if !ok || math.Abs(got-want) > 1e-12 {
					t.Errorf("--json %s = %v, want %v", k, m[k], want)
				}
			}
		})
	}
}

// TestRunSummaryCostEmulated: on the emulation the summary says whose
// durations it priced.
func TestRunSummaryCostEmulated(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9001")
	rs := lambdaRunResults()
	var text bytes.Buffer
	writeRunText(&text, "dir", costSpec(map[string]any{"type": backendLambda}), scheduler.Outcome{Summary: results.Summary{Complete: 2}, Results: rs}, 5)
	if !strings.Contains(text.String(), "from the local emulation") {
		t.Errorf("summary does not say the durations are the emulation's:\n%s", text.String())
	}
}

// TestProgressCost: on Lambda the progress line and bar show the cost of
// the results journaled so far, a resumed study's earlier ones included;
// locally they show none.
func TestProgressCost(t *testing.T) {
	rs := lambdaRunResults()
	spec := costSpec(nil)
	snap := scheduler.Snapshot{Done: 2, Total: 4}

	p := &progressReporter{w: &bytes.Buffer{}, spec: spec}
	m := &costMeter{Store: results.NewMemory()}
	m.add([]results.Event{{Type: results.EventResult, Result: &rs[0]}}) // a prior run's result
	p.cost = m
	if err := m.Append(context.Background(),
		results.Event{Type: results.EventDispatch, Trial: &trial.Trial{Number: 1, Model: "knn"}},
		results.Event{Type: results.EventResult, Result: &rs[1]}); err != nil {
		t.Fatal(err)
	}
	if events, err := m.Events(context.Background()); err != nil || len(events) != 2 {
		t.Fatalf("the meter's store holds %d events (%v), want the 2 appended", len(events), err)
	}
	want := "cost " + cost.FormatUSD(rs[0].Backend[scheduler.CostKey]+rs[1].Backend[scheduler.CostKey])
	if l := p.line(snap); !strings.HasSuffix(l, ", "+want) {
		t.Errorf("progress line %q lacks %q", l, want)
	}
	if d := p.describe(snap); !strings.HasSuffix(d, " "+want) {
		t.Errorf("progress bar %q lacks %q", d, want)
	}

	// A local study's progress has no cost, and its store is not wrapped.
	p = &progressReporter{w: &bytes.Buffer{}, spec: spec}
	store := results.NewMemory()
	cfg := scheduler.Config{Store: store, Executor: &worker.Local{}}
	meterCost(p, &cfg, 0)
	if cfg.Store != results.Store(store) || p.cost != nil {
		t.Errorf("local study: store %T, meter %v; want them untouched", cfg.Store, p.cost)
	}
	if l := p.line(snap) + p.describe(snap); strings.Contains(l, "cost") {
		t.Errorf("local progress shows a cost: %q", l)
	}
}

// TestComparisonColdStart: compare's projection says when no cold start
// was measured (every invocation warm) instead of "cold start 0.000 s",
// and prints prices in the one dollar notation.
func TestComparisonColdStart(t *testing.T) {
	warm := lambdaRunResults()
	delete(warm[0].Backend, "init_ms")
	for _, tc := range []struct {
		name   string
		lambda []trial.Result
		want   string
	}{
		{"all warm", warm, "cold start not measured (every invocation was warm), so not included"},
		{"one cold", lambdaRunResults(), "cold start 0.120 s (1 measured)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			local := []trial.Result{{Number: 0, State: trial.Complete, Score: 0.9, Seconds: 1}, {Number: 1, State: trial.Complete, Score: 0.8, Seconds: 1}}
			c := cost.Compare(cost.Run{Results: local}, cost.Run{Results: tc.lambda}, trial.Maximize, 10, cost.DefaultPrices)
			var b bytes.Buffer
			if err := writeComparison(&b, c); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, tc.want) || strings.Contains(out, "cold start 0.000") {
				t.Errorf("projection does not say %q:\n%s", tc.want, out)
			}
			if !strings.Contains(out, "Lambda arm64 $0.0000133334/GB-s, $0.20 per million requests; local $0.0725/h") {
				t.Errorf("prices not in the dollar notation:\n%s", out)
			}
			if strings.Contains(out, "e-0") {
				t.Errorf("an amount in exponent notation:\n%s", out)
			}
		})
	}
}
