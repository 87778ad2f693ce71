package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// makeStudy writes a small study directory: a log-scaled and a
// categorical parameter, complete, pruned (ASHA rungs) and failed trials.
func makeStudy(tb testing.TB, withComparison bool) string {
	tb.Helper()
	spec := search.Spec{
		Name: "tiny", Metric: "accuracy", Direction: trial.Maximize,
		Search: search.SearchSettings{Method: "random", MaxTrials: 8, Seed: 3},
		Models: []search.ModelSpace{{Model: "logistic", Params: []search.Dimension{
			{Name: "C", Kind: trial.Float, Min: 1e-3, Max: 1e3, Log: true},
			{Name: "penalty", Kind: trial.Categorical, Values: []any{"l1", "l2"}},
		}}},
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	j, err := results.Create(dir, "tiny", []byte("name: tiny\n"), specJSON)
	if err != nil {
		tb.Fatal(err)
	}
	t0 := time.Now().UTC()
	var events []results.Event
	cs := []float64{0.001, 0.01, 0.1, 1, 10, 100, 3, 3}
	penalties := []string{"l1", "l2", "l1", "l2", "l1", "l2", "l2", "l2"}
	for n, c := range cs {
		r := trial.Result{
			Number: n, State: trial.Complete, Model: "logistic",
			Params: trial.Params{"C": c, "penalty": penalties[n]},
			Score:  0.8 + float64(n)/100, Seconds: 0.5,
			Started: t0.Add(time.Duration(n) * time.Second), Finished: t0.Add(time.Duration(n+1) * time.Second),
			Backend: map[string]float64{"billed_ms": 500, "duration_ms": 499, "memory_size_mb": 1024},
		}
		switch n {
		case 2:
			r.State = trial.Pruned
		case 5:
			r.State, r.Error = trial.Failed, "boom: <not html>"
		case 6, 7: // one configuration at rung 0 (budget 10), then promoted to rung 1, the full budget
			r.Budget = trial.Budget{Name: "max_iter", Value: float64(10 + 30*(n-6)), Rung: n - 6, Config: 6, Max: 40}
		}
		events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: r.Model, Params: r.Params, Budget: r.Budget}, r.Started),
			results.ResultEvent(r, r.Finished))
	}
	events = append(events, results.StopEvent("max_trials", t0.Add(10*time.Second)))
	if err := j.Append(context.Background(), events...); err != nil {
		tb.Fatal(err)
	}
	if err := j.Close(); err != nil {
		tb.Fatal(err)
	}
	study := filepath.Join(dir, "tiny")
	if withComparison {
		c := cost.Compare(cost.Run{Results: []trial.Result{{Number: 0, State: trial.Complete, Score: 0.9, Seconds: 1}}, Backend: cost.Backend{WallSeconds: 2}},
			cost.Run{Results: []trial.Result{{Number: 0, State: trial.Complete, Score: 0.9, Backend: map[string]float64{"duration_ms": 800, "billed_ms": 800}}}, Backend: cost.Backend{WallSeconds: 1}},
			trial.Maximize, 100, cost.DefaultPrices)
		c.Study, c.Metric, c.Emulated = "tiny", "accuracy", true
		b, _ := json.Marshal(c)
		if err := os.WriteFile(filepath.Join(study, cost.ComparisonFile), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return study
}

// externalRef matches anything a browser would fetch: src, href or
// url() pointing at http(s), and @import.
var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*https?:|url\(\s*["']?https?:|@import|<script[^>]+src|<link[^>]+href`)

func TestWriteHTML(t *testing.T) {
	for _, withComparison := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "with comparison"}[withComparison]
		t.Run(name, func(t *testing.T) {
			st, err := report.Load(context.Background(), makeStudy(t, withComparison))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := report.WriteHTML(&buf, st, report.Options{}); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			// Best first: trial 7 scored 0.87; failed trial 5's error is escaped.
			for _, want := range []string{
				`<td class="n">1</td><td class="n">7</td><td>complete</td><td>logistic</td><td class="n">0.87</td>`,
				"C=3 penalty=l2",
				"boom: &lt;not html&gt;",
				"<svg", "Best accuracy by trial number", "Best accuracy over time",
				"accuracy against C", "accuracy against penalty", "C (log scale)",
				"Top 5 trials", "rung 1", "Cost and time", "GB-seconds",
			} {
				if !strings.Contains(html, want) {
					t.Errorf("report lacks %q", want)
				}
			}
			if got := strings.Count(html, "<svg"); got != 6 {
				t.Errorf("%d inline SVG charts, want 6 (2 progress, parallel, rungs, 2 parameters)", got)
			}
			if m := externalRef.FindString(html); m != "" {
				t.Errorf("report fetches something from the network: %q", m)
			}
			if strings.Contains(html, "<?xml") || strings.Contains(html, "xmlns=") {
				t.Error("SVG prolog or namespace left in the page")
			}
			if got := strings.Contains(html, "Local versus Lambda"); got != withComparison {
				t.Errorf("comparison section shown = %v, want %v", got, withComparison)
			}
		})
	}
}

func TestWritePNG(t *testing.T) {
	st, err := report.Load(context.Background(), makeStudy(t, false))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "figures")
	paths, err := report.WritePNG(out, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"best-over-trials.png", "best-over-time.png", "parallel-coordinates.png", "rungs.png", "param-C.png", "param-penalty.png"}
	if len(paths) != len(want) {
		t.Fatalf("wrote %v, want %v", paths, want)
	}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("file %d is %s, want %s", i, filepath.Base(p), want[i])
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
			t.Errorf("%s is %dx%d, too small to read", p, b.Dx(), b.Dy())
		}
	}
}

func TestLoadRefusesNonStudy(t *testing.T) {
	_, err := report.Load(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not a study directory") {
		t.Fatalf("err = %v", err)
	}
}

// A Lambda study's cost includes pushing its dataset to S3, bounded as
// compare bounds it, so the report and compare.json agree on the total.
func TestCostCountsDatasetPush(t *testing.T) {
	r := trial.Result{Number: 0, State: trial.Complete, Score: 0.9,
		Backend: map[string]float64{"billed_ms": 800, "duration_ms": 800, "s3_gets": 1}}
	events := []results.Event{results.ResultEvent(r, time.Now())}
	prices := cost.DefaultPrices
	prices.FreeTier = false

	withData := &report.Study{Spec: &search.Spec{Dataset: "iris.csv"}, Events: events, Prices: &prices}
	noData := &report.Study{Spec: &search.Spec{}, Events: events, Prices: &prices}
	got, base := withData.Cost(), noData.Cost()
	if got.S3Gets != base.S3Gets+cost.DatasetPushGets || got.S3Puts != base.S3Puts+cost.DatasetPushPuts {
		t.Errorf("with a dataset: %d GETs, %d PUTs; without: %d, %d; want the push's %d and %d more",
			got.S3Gets, got.S3Puts, base.S3Gets, base.S3Puts, cost.DatasetPushGets, cost.DatasetPushPuts)
	}
	want := cost.StudyCost([]trial.Result{r}, cost.Backend{Kind: cost.Lambda, S3Gets: 1, S3Puts: 1}, prices)
	if got.TotalUSD != want.TotalUSD {
		t.Errorf("total %v, want %v (what compare prices for the same run)", got.TotalUSD, want.TotalUSD)
	}
}
