package dashboard_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// updateGolden rewrites the golden answers (and, when missing, the
// fixture study) from the code as it is: go test ./dashboard/ -run
// Golden -update-golden. The answers were written before the trials
// were stored by column; the test keeps what the dashboard and the
// report show of a study from changing with how the trials are held.
var updateGolden = flag.Bool("update-golden", false, "rewrite dashboard/testdata/golden")

// goldenDir is a fixed study with what changes how a trial is held:
// two models with different parameters (one of them missing from some
// trials), numbers, log numbers, categories, booleans and a list;
// failures with several lines of error, early stopping's rungs (a
// result below the full budget shows as pruned), a command objective's
// steps, Lambda's figures and environments, a retried dispatch, trials
// still running, times in another zone than UTC, and a stop record.
const goldenDir = "testdata/golden"

// goldenPaths are the API answers compared byte for byte.
var goldenPaths = []string{
	"/api/studies",
	"/api/studies/0",
	"/api/studies/0/trials",
	"/api/studies/0/trials?limit=500",
	"/api/studies/0/trials?sort=score&order=desc&limit=40",
	"/api/studies/0/trials?sort=param:lr&limit=40",
	"/api/studies/0/trials?sort=param:kernel&order=desc&limit=40",
	"/api/studies/0/trials?sort=param:depth&limit=40",
	"/api/studies/0/trials?sort=state&offset=30&limit=40",
	"/api/studies/0/trials?sort=model&limit=40",
	"/api/studies/0/trials?sort=seconds&order=desc&limit=40",
	"/api/studies/0/trials?state=pruned&limit=500",
	"/api/studies/0/trials?state=running",
	"/api/studies/0/trials?q=rbf&limit=500",
	"/api/studies/0/trials?q=boom&limit=500",
	"/api/studies/0/trials?q=true&limit=500",
	"/api/studies/0/trials/0",
	"/api/studies/0/trials/3",
	"/api/studies/0/trials/7",
	"/api/studies/0/trials/11",
	"/api/studies/0/trials/13",
	"/api/studies/0/trials/29",
	"/api/studies/0/trials/239",
	"/api/studies/0/contour?x=C&y=lr",
}

// TestTheAnswersOfAFixedStudyAreByteIdentical: the dashboard's API
// answers and the report's HTML of a fixed study are what they were when
// the golden files were written, byte for byte, read whole and read as
// a dashboard following it reads it (in two parts, the second brought
// in by Reload).
func TestTheAnswersOfAFixedStudyAreByteIdentical(t *testing.T) {
	if *updateGolden {
		if _, err := os.Stat(filepath.Join(goldenDir, results.JournalFile)); err != nil {
			writeGoldenStudy(t, goldenDir)
			// Create wrote the directory afresh.
		}
	}
	ctx := context.Background()
	whole, err := report.LoadTrials(ctx, goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	// The same study followed: its first half read, then the rest.
	journal, err := os.ReadFile(filepath.Join(goldenDir, results.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	half := t.TempDir()
	for _, name := range []string{results.SpecJSONFile, "spec.yaml"} {
		b, err := os.ReadFile(filepath.Join(goldenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(half, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cut := bytes.IndexByte(journal[len(journal)/2:], '\n') + len(journal)/2 + 1
	path := filepath.Join(half, results.JournalFile)
	if err := os.WriteFile(path, journal[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	followed, err := report.LoadTrials(ctx, half)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(journal[cut:]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if followed, err = followed.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	followed.Dir = whole.Dir

	for _, c := range []struct {
		name string
		st   *report.Study
	}{{"read whole", whole}, {"followed", followed}} {
		t.Run(c.name, func(t *testing.T) {
			load := func(context.Context, string) (*report.Study, error) { return c.st, nil }
			srv := httptest.NewServer(dashboard.New(dashboard.Options{Sources: []string{"golden"}, Load: load}))
			defer srv.Close()
			for i, p := range goldenPaths {
				code, body := get(t, srv.URL, p, nil)
				if code != 200 {
					t.Fatalf("%s: %d %s", p, code, body)
				}
				compareGolden(t, fmt.Sprintf("api-%02d.json", i), p, body)
			}
			var html bytes.Buffer
			if err := report.WriteHTML(&html, c.st, report.Options{}); err != nil {
				t.Fatal(err)
			}
			// The report embeds ECharts (1.6 MB): its digest is kept.
			sum := sha256.Sum256(html.Bytes())
			digest := fmt.Sprintf("%x  %d bytes\n", sum, html.Len())
			if !*updateGolden && digest != readGolden(t, "report.html.sha256") {
				out := filepath.Join(t.TempDir(), "report.html")
				os.WriteFile(out, html.Bytes(), 0o644)
				t.Errorf("the report (%s) differs from the one whose digest is report.html.sha256 (%s): see %s",
					strings.TrimSpace(digest), strings.TrimSpace(readGolden(t, "report.html.sha256")), out)
			}
			compareGolden(t, "report.html.sha256", "the report's digest", []byte(digest))
		})
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compareGolden compares got with the golden file name, or writes it
// under -update-golden.
func compareGolden(t *testing.T, name, what string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Errorf("%s differs from %s at byte %d of %d (want %d):\n got …%s…\nwant …%s…", what, name, i, len(got), len(want),
			got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
	}
}

const goldenSpec = `{
  "name": "golden",
  "metric": "accuracy",
  "direction": "maximize",
  "cv": {"folds": 3},
  "preprocess": {},
  "search": {"method": "random", "max_trials": 260, "parallel": 4, "seed": 7},
  "early_stopping": {"type": "asha", "budget": "epochs", "min": 1, "max": 9, "eta": 3},
  "models": [
    {"model": "svc", "parameters": [
      {"name": "C", "kind": "float", "min": 0.001, "max": 1000, "log": true},
      {"name": "kernel", "kind": "categorical", "values": ["rbf", "linear"]},
      {"name": "lr", "kind": "float", "min": 0.00001, "max": 1, "log": true}
    ]},
    {"model": "forest", "parameters": [
      {"name": "depth", "kind": "int", "min": 1, "max": 12},
      {"name": "C", "kind": "float", "min": 0.001, "max": 1000, "log": true},
      {"name": "lr", "kind": "float", "min": 0.00001, "max": 1, "log": true}
    ]}
  ],
  "stop": {},
  "backend": {"type": "lambda", "arch": "arm64", "memory_mb": 1024}
}
`

// writeGoldenStudy writes the fixture study (see goldenDir) to dir
// through the journal's own writer.
func writeGoldenStudy(t *testing.T, dir string) {
	t.Helper()
	j, err := results.Create(filepath.Dir(dir), filepath.Base(dir), []byte("name: golden\n"), []byte(goldenSpec))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	paris := time.FixedZone("", 3600)
	const n, running = 240, 6
	for i := 0; i < n+running; i++ {
		model := []string{"svc", "forest"}[i%2]
		lc, ll := rng.Float64()*6-3, rng.Float64()*5-5
		params := trial.Params{"C": math.Pow(10, lc), "lr": math.Pow(10, ll)}
		if model == "svc" {
			params["kernel"] = []string{"rbf", "linear"}[rng.IntN(2)]
			if i%4 == 0 {
				params["shrinking"] = rng.IntN(2) == 0
			}
		} else if i%6 != 1 {
			params["depth"] = float64(1 + rng.IntN(12))
		}
		if i%17 == 5 {
			params["classes"] = []any{"a", 2.0, true}
		}
		tr := trial.Trial{Number: i, Model: model, Params: params, Seed: rng.Uint64(), Attempt: 1}
		budget := trial.Budget{}
		if i%3 == 0 {
			rung := rng.IntN(3)
			budget = trial.Budget{Name: "epochs", Value: math.Pow(3, float64(rung)), Rung: rung, Config: i - i%9, Max: 9}
			tr.Budget = budget
		}
		start := t0.Add(time.Duration(i) * 700 * time.Millisecond)
		if i%23 == 4 {
			start = start.In(paris)
		}
		if err := j.Append(ctx, results.DispatchEvent(tr, start)); err != nil {
			t.Fatal(err)
		}
		if i%19 == 11 {
			tr.Attempt = 2
			if err := j.Append(ctx, results.DispatchEvent(tr, start.Add(time.Second))); err != nil {
				t.Fatal(err)
			}
		}
		if i >= n {
			continue
		}
		secs := 0.5 + 3*rng.Float64()
		r := trial.Result{Number: i, State: trial.Complete, Model: model, Params: params, Seed: tr.Seed, Budget: budget,
			Score:   0.5 + 0.1*rng.Float64() + 0.3*math.Exp(-(lc*lc+(ll+2)*(ll+2))/4),
			Seconds: secs, FitSeconds: secs * 0.8, Started: start, Finished: start.Add(time.Duration(secs * float64(time.Second)))}
		switch {
		case i%7 == 3:
			r.State, r.Score, r.Error = trial.Failed, 0, "boom: bad input\nline two\nline three"
		case i%5 == 1:
			r.State = trial.Pruned
			r.Steps = []trial.Step{{Step: 1, Value: r.Score - 0.1}, {Step: 2, Value: r.Score - 0.05}, {Step: 3, Value: r.Score}}
		case i%11 == 2:
			r.FoldScores = []float64{r.Score - 0.01, r.Score, r.Score + 0.01}
			r.LoadSeconds, r.ScoreSeconds, r.PeakMemoryBytes, r.DatasetSource = 0.25, 0.125, 1<<26, "memory"
		}
		if i%4 == 2 {
			r.Worker = fmt.Sprintf("env-%d", i%5)
			r.Backend = map[string]float64{"duration_ms": secs * 1000, "billed_ms": math.Ceil(secs * 1000), "memory_size_mb": 1024, "attempt": 1}
			if i%8 == 2 {
				r.Backend["init_ms"] = 180
			}
		}
		if err := j.Append(ctx, results.ResultEvent(r, r.Finished)); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Append(ctx, results.StopEvent("max_trials", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(goldenSpec, "\t") {
		t.Fatal("the spec is indented with spaces")
	}
}
