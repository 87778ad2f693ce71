package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// startEmulation starts the local AWS emulation (the real Lambda runtime
// interface emulator running the real worker, and the Versity S3 gateway)
// and points this process's AWS configuration at it.
func startEmulation(t *testing.T, workers int) *emulate.Emulation {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the AWS emulation")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := emulate.BuildWorker(ctx, "./cmd/worker", bootstrap, ""); err != nil {
		t.Fatal(err)
	}
	emu, err := emulate.Start(ctx, emulate.Options{Workers: workers, Dir: filepath.Join(dir, "emu"), Bootstrap: bootstrap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return emu
}

func leaderboardJSON(t *testing.T, dir string) []map[string]any {
	t.Helper()
	code, out, stderr := run(t, "leaderboard", dir, "--format", "json", "--top", "0")
	if code != 0 {
		t.Fatalf("leaderboard: exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// The README's Lambda walk-through: the same example on the emulated
// Lambda backend gives the same leaderboard as on the local backend.
func TestRunOnEmulatedLambdaMatchesLocal(t *testing.T) {
	startEmulation(t, 2)
	dir := t.TempDir()
	args := []string{"run", "../../examples/digits-knn-grid.yaml", "--json", "--max-trials", "8"}
	code, out, stderr := run(t, append(args, "--dir", filepath.Join(dir, "local"), "--quiet")...)
	if code != 0 {
		t.Fatalf("local run: exit %d: %s", code, stderr)
	}
	if strings.Contains(out, "cost_usd") {
		t.Errorf("local run's JSON prices it: %s", out)
	}
	code, out, stderr = run(t, append(args, "--dir", filepath.Join(dir, "lambda"), "--backend", "lambda", "--concurrency", "4")...)
	if code != 0 {
		t.Fatalf("lambda run: exit %d: %s", code, stderr)
	}
	var sum runSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Trials.Complete != 8 {
		t.Fatalf("lambda run summary %+v (%v)", sum, err)
	}
	// What the Lambda run cost: in its JSON, and in its progress line.
	if c := sum.LambdaCost; c == nil || c.USD <= 0 || c.BilledGBSeconds <= 0 || c.Invocations != 8 ||
		math.Abs(c.PerTrialUSD-c.USD/8) > 1e-15 {
		t.Errorf("lambda run cost %+v; want cost_usd, billed_gb_seconds and cost_per_trial_usd of 8 invocations", c)
	}
	// The last progress line's cost is the summary's.
	if c := sum.LambdaCost; c != nil && !strings.Contains(stderr, ", cost "+cost.FormatUSD(c.USD)+"\n") {
		t.Errorf("lambda run's progress does not end at its cost, %s:\n%s", cost.FormatUSD(c.USD), stderr)
	}
	local := leaderboardJSON(t, filepath.Join(dir, "local", "digits-knn-grid"))
	lambda := leaderboardJSON(t, filepath.Join(dir, "lambda", "digits-knn-grid"))
	if len(local) != len(lambda) {
		t.Fatalf("local has %d rows, lambda %d", len(local), len(lambda))
	}
	for i := range local {
		for _, k := range []string{"trial", "state", "model", "score", "fold_scores"} {
			a, _ := json.Marshal(local[i][k])
			b, _ := json.Marshal(lambda[i][k])
			if string(a) != string(b) {
				t.Errorf("row %d %s: local %s, lambda %s", i, k, a, b)
			}
		}
	}
}

// A Lambda backend that is not there is reported once, before any trial
// runs, with what to run; no study directory is created.
func TestLambdaNotReadyIsOneClearMessage(t *testing.T) {
	startEmulation(t, 1)
	dir := t.TempDir()
	for _, tt := range []struct {
		name, flag, value, want string
	}{
		{"missing function", "--function", "nope", "hpsearch deploy"},
		{"missing bucket", "--bucket", "no-such-bucket", "bucket \"no-such-bucket\" does not exist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--backend", "lambda", tt.flag, tt.value)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "digits-knn-grid")); !os.IsNotExist(err) {
				t.Errorf("study directory created: %v", err)
			}
		})
	}
}

// Early stopping and TPE run unchanged on the Lambda backend: with one
// trial at a time, the same rungs, promotions and scores as locally.
func TestEarlyStoppingAndTPEOnEmulatedLambda(t *testing.T) {
	startEmulation(t, 2)
	for _, example := range []string{"digits-knn-median", "cancer-models-tpe"} {
		t.Run(example, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"run", "../../examples/" + example + ".yaml", "--quiet", "--parallel", "1", "--max-trials", "16"}
			if code, _, stderr := run(t, append(args, "--dir", filepath.Join(dir, "local"))...); code != 0 {
				t.Fatalf("local run: exit %d: %s", code, stderr)
			}
			if code, _, stderr := run(t, append(args, "--dir", filepath.Join(dir, "lambda"), "--backend", "lambda")...); code != 0 {
				t.Fatalf("lambda run: exit %d: %s", code, stderr)
			}
			local := leaderboardJSON(t, filepath.Join(dir, "local", example))
			lambda := leaderboardJSON(t, filepath.Join(dir, "lambda", example))
			a, _ := json.Marshal(stripSeconds(local))
			b, _ := json.Marshal(stripSeconds(lambda))
			if string(a) != string(b) {
				t.Errorf("leaderboards differ:\nlocal  %s\nlambda %s", a, b)
			}
		})
	}
}

// stripSeconds drops the timing fields, which differ between runs.
func stripSeconds(rows []map[string]any) []map[string]any {
	for _, r := range rows {
		delete(r, "seconds")
	}
	return rows
}
