package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// runAll executes trials through ex with the given parallelism and returns
// the results in trial order.
func runAll(tb testing.TB, ex *lambdaexec.Executor, trials []trial.Trial, parallel int) []trial.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	results := make([]trial.Result, len(trials))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for i, t := range trials {
		g.Go(func() error {
			res, err := ex.Execute(ctx, t)
			if err != nil {
				return fmt.Errorf("trial %d: %w", t.Number, err)
			}
			results[i] = res
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		tb.Fatal(err)
	}
	return results
}

func knnTrials(n int) []trial.Trial {
	var out []trial.Trial
	for i := range n {
		weights := []string{"uniform", "distance"}[i%2]
		out = append(out, trial.Trial{Number: i, Model: "knn", Seed: uint64(1000 + i),
			Params: trial.Params{"n_neighbors": float64(1 + i), "weights": weights}})
	}
	return out
}

// TestScoresAndDatasetFetches runs on fresh environments, an emulation of
// its own, whatever ran before: the scores must equal worker.Run's in
// this process bit for bit, and each runtime must fetch the dataset at
// most once, never on a warm invocation.
func TestScoresAndDatasetFetches(t *testing.T) {
	ex, rec := newExecutorOn(context.Background(), startEmulation(t, workers, timeout, nil), lambdaexec.Config{Concurrency: workers})
	trials := knnTrials(15)
	results := runAll(t, ex, trials, workers)

	w := worker.New(nil)
	for i, got := range results {
		req := local
		req.Trial = trials[i]
		want := w.Run(context.Background(), req)
		if want.State != trial.Complete {
			t.Fatalf("local trial %d: %s", i, want.Error)
		}
		if got.State != trial.Complete {
			t.Errorf("trial %d: %s: %s", i, got.State, got.Error)
			continue
		}
		if got.Score != want.Score || len(got.FoldScores) != len(want.FoldScores) {
			t.Errorf("trial %d: score %v, local %v", i, got.Score, want.Score)
			continue
		}
		for f := range want.FoldScores {
			if got.FoldScores[f] != want.FoldScores[f] {
				t.Errorf("trial %d fold %d: %v, local %v (not bit for bit)", i, f, got.FoldScores[f], want.FoldScores[f])
			}
		}
		for _, k := range []string{"billed_ms", "duration_ms", "max_memory_mb", "s3_gets"} {
			if _, ok := got.Backend[k]; !ok {
				t.Errorf("trial %d: Backend lacks %s: %v", i, k, got.Backend)
			}
		}
	}
	// Every environment has a /tmp of its own, as on Lambda, so on fresh
	// environments the dataset is fetched exactly once per environment.
	envs := map[string]bool{}
	for _, r := range rec.responses {
		if r.DatasetSource != "" {
			envs[r.Environment] = true
		}
	}
	if gets := checkFetches(t, rec.responses); gets != int64(len(envs)) {
		t.Errorf("%d fresh environments made %d S3 GETs, want one each", len(envs), gets)
	}
}

// warmRuntimes maps the runtimes that earlier tests saw load the dataset
// to their S3 GET counts.
var warmRuntimes = map[string]int64{}

// checkFetches checks the dataset fetches of the recorded responses, in
// the order each runtime answered them: a runtime's first load comes from
// S3 (one GET) or from /tmp (none), and later ones, in this test or after
// an earlier one, from memory with no further GET.
// It returns the number of GETs the runtimes made.
func checkFetches(t *testing.T, responses []worker.LambdaResponse) (gets int64) {
	t.Helper()
	type runtimeStats struct {
		invocations int
		first       string
		gets        int64
	}
	byEnv := map[string]*runtimeStats{}
	for id, gets := range warmRuntimes {
		byEnv[id] = &runtimeStats{first: "an earlier test", gets: gets}
	}
	var order []string
	for _, r := range responses {
		if r.DatasetSource == "" {
			continue // a trial that loaded no data
		}
		s := byEnv[r.Environment]
		if s == nil || s.invocations == 0 && s.first == "an earlier test" {
			order = append(order, r.Environment)
		}
		if s == nil {
			s = &runtimeStats{first: r.DatasetSource}
			byEnv[r.Environment] = s
			switch {
			case r.DatasetSource == "s3" && r.S3Gets != 1:
				t.Errorf("runtime %s: first load from s3 with %d GETs, want 1", r.Environment, r.S3Gets)
			case r.DatasetSource == "tmp" && r.S3Gets != 0:
				t.Errorf("runtime %s: first load from tmp with %d GETs, want 0", r.Environment, r.S3Gets)
			case r.DatasetSource != "s3" && r.DatasetSource != "tmp":
				t.Errorf("runtime %s: first load from %q, want s3 or tmp", r.Environment, r.DatasetSource)
			}
		} else {
			if r.DatasetSource != "memory" {
				t.Errorf("runtime %s: warm invocation %d loaded from %q, want memory", r.Environment, s.invocations+1, r.DatasetSource)
			}
			if r.S3Gets != s.gets {
				t.Errorf("runtime %s: warm invocation %d made a GET (%d → %d)", r.Environment, s.invocations+1, s.gets, r.S3Gets)
			}
		}
		s.invocations++
		s.gets = r.S3Gets
	}
	var total int64
	for _, id := range order {
		s := byEnv[id]
		total += s.gets
		warmRuntimes[id] = s.gets
		t.Logf("runtime %s: %d invocations, first load from %s, %d S3 GETs", id, s.invocations, s.first, s.gets)
	}
	if len(order) == 0 {
		t.Error("no runtime loaded the dataset")
	}
	return total
}

// TestThrottlingIsAbsorbed sends more concurrent invocations than there
// are environments: the router answers 429 to the excess, and the
// executor waits them out without failing a trial.
func TestThrottlingIsAbsorbed(t *testing.T) {
	ex, _ := newExecutor(context.Background(), lambdaexec.Config{Concurrency: 4 * workers})
	before := emu.Stats()
	var trials []trial.Trial
	for i := range 8 * workers {
		trials = append(trials, trial.Trial{Number: i, Model: "noop", Params: trial.Params{"x": float64(i), "_sleep_ms": 150.0}})
	}
	results := runAll(t, ex, trials, len(trials))
	var throttles float64
	for i, r := range results {
		if r.State != trial.Complete || r.Score != float64(i) {
			t.Errorf("trial %d: %s %q score %v, want complete with %d", i, r.State, r.Error, r.Score, i)
		}
		throttles += r.Backend["throttles"]
	}
	after := emu.Stats()
	t.Logf("%d trials, %d throttled invocations (router), %v seen by the executor", len(trials), after.Throttled-before.Throttled, throttles)
	if after.Throttled == before.Throttled || throttles == 0 {
		t.Errorf("no throttling: router %d, executor %v; the test did not saturate the fleet", after.Throttled-before.Throttled, throttles)
	}
}

// TestServiceFaultsAreRetried injects server errors, lost responses and
// throttles at the router: every trial still completes once, and the
// retried ones carry a higher attempt number.
func TestServiceFaultsAreRetried(t *testing.T) {
	emu.SetFaults(&emulate.RandomFaults{Seed: 7, Throttle: 0.1, ServerError: 0.2, DropResponse: 0.1})
	defer emu.SetFaults(nil)
	ex, _ := newExecutor(context.Background(), lambdaexec.Config{Concurrency: workers, MaxRetries: 10})
	var trials []trial.Trial
	for i := range 30 {
		trials = append(trials, trial.Trial{Number: i, Model: "noop", Params: trial.Params{"x": float64(i)}})
	}
	results := runAll(t, ex, trials, workers)
	retried := 0
	for i, r := range results {
		if r.State != trial.Complete || r.Number != i || r.Score != float64(i) {
			t.Errorf("trial %d: %s %q number %d score %v", i, r.State, r.Error, r.Number, r.Score)
		}
		if r.Backend["attempt"] > 1 {
			retried++
		}
	}
	t.Logf("%d of %d trials needed more than one attempt", retried, len(trials))
	if retried == 0 {
		t.Error("no trial was retried; the faults were not injected")
	}
}

// TestFailedTrials checks that a worker that panics, overruns its timeout
// or its memory gives a failed trial with the reason, and that the
// environment serves the next trial. No outcome depends on the machine's
// speed: the trials that must time out block for an hour, on an
// emulation whose function timeout is shortTimeout, and the one that runs
// out of memory allocates beyond the limit, then blocks for an hour, on
// an emulation whose timeout is far beyond the time the memory watch
// takes to kill it.
func TestFailedTrials(t *testing.T) {
	const hour = float64(time.Hour / time.Millisecond)
	tests := []struct {
		name   string
		short  bool // on the emulation with shortTimeout
		params trial.Params
		want   string
	}{
		{"panic", false, trial.Params{"_panic": "integration panic"}, "integration panic"},
		// The worker reports its timeout, or if it cannot answer within
		// its margin, Lambda does ("Task timed out"): timed out either way.
		{"worker reports its timeout", true, trial.Params{"_sleep_ms": hour}, "timed out"},
		{"lambda timeout", true, trial.Params{"_hang_ms": hour}, "Sandbox.Timedout"},
		{"out of memory", false, trial.Params{"_alloc_mb": float64(memoryMB + 64), "_hang_ms": hour}, "Runtime.OutOfMemory"},
	}
	// Fresh environments of its own, so that the dataset fetches checked
	// below are this test's whatever ran before.
	ex, rec := newExecutorOn(context.Background(), startEmulation(t, workers, timeout, nil), lambdaexec.Config{Concurrency: workers})
	shortEx, _ := newExecutorOn(context.Background(), startEmulation(t, 2, shortTimeout, nil), lambdaexec.Config{Concurrency: 2})
	var trials, shortTrials []trial.Trial
	for i, tt := range tests {
		tr := trial.Trial{Number: i, Model: "noop", Params: tt.params}
		if tt.short {
			shortTrials = append(shortTrials, tr)
		} else {
			trials = append(trials, tr)
		}
	}
	results := make([]trial.Result, len(tests))
	for _, r := range append(runAll(t, ex, trials, len(trials)), runAll(t, shortEx, shortTrials, len(shortTrials))...) {
		results[r.Number] = r
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := results[i]
			if r.State != trial.Failed || !strings.Contains(r.Error, tt.want) {
				t.Errorf("got %s %q, want failed with %q", r.State, r.Error, tt.want)
			}
			t.Logf("error: %s; backend %v", r.Error, r.Backend)
		})
	}
	// Every environment still works.
	after := runAll(t, ex, knnTrials(2*workers), workers)
	for i, r := range after {
		if r.State != trial.Complete {
			t.Errorf("trial %d after the failures: %s %q", i, r.State, r.Error)
		}
	}
	// Restarted runtimes find the dataset in /tmp, which outlives them.
	_ = checkFetches(t, rec.responses)
}

// TestRefusedDataset checks that a request for a bucket the worker was
// not configured with fails with the reason.
func TestRefusedDataset(t *testing.T) {
	ex, _ := newExecutor(context.Background(), lambdaexec.Config{})
	ex.Base.Dataset.Bucket = "someone-elses-bucket"
	r := runAll(t, ex, knnTrials(1), 1)[0]
	if r.State != trial.Failed || !strings.Contains(r.Error, "refused") {
		t.Errorf("got %s %q, want refused", r.State, r.Error)
	}
}

func TestPreflight(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		adjust func(*lambdaexec.Config)
		want   string
	}{
		{"ready", func(*lambdaexec.Config) {}, ""},
		{"missing function", func(c *lambdaexec.Config) { c.Function = "no-such-function" }, "hpsearch deploy"},
		{"missing bucket", func(c *lambdaexec.Config) { c.Bucket = "no-such-bucket" }, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := lambdaexec.ConfigFrom(nil, os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			tt.adjust(&cfg)
			// New uses the standard chain: the endpoints come from
			// AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_S3.
			ex, err := lambdaexec.New(ctx, cfg, os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			err = ex.Preflight(ctx)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), emu.SecretKey) {
				t.Errorf("error leaks the secret key: %v", err)
			}
		})
	}
}

// TestDatasetReadableByAWSCLI reads the pushed object back with the AWS
// CLI and checks its hash.
func TestDatasetReadableByAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not on PATH")
	}
	out := filepath.Join(t.TempDir(), "object")
	cmd := exec.Command(aws, "s3", "cp", "--only-show-errors", "s3://"+base.Dataset.Bucket+"/"+base.Dataset.Key, out)
	cmd.Env = append(os.Environ(), "AWS_PAGER=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws s3 cp: %v\n%s", err, stderr.Bytes())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != base.Dataset.SHA256 {
		t.Errorf("object hashes to %s, the reference says %s", got, base.Dataset.SHA256)
	}
}

// TestWorkerBuildsForBothArchitectures checks that the bootstrap builds
// for arm64 and x86_64, the two Lambda architectures.
func TestWorkerBuildsForBothArchitectures(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the worker")
	}
	for _, arch := range []string{"arm64", "amd64"} {
		if arch == runtime.GOARCH {
			continue // TestMain built it
		}
		out := filepath.Join(t.TempDir(), "bootstrap")
		if err := emulate.BuildWorker(context.Background(), "./cmd/worker", out, arch); err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
	}
}
