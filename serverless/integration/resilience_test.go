package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// everyInvocation injects the same fault into every invocation.
type everyInvocation emulate.Fault

func (f everyInvocation) Inject(string) emulate.Fault { return emulate.Fault(f) }

// TestConditionalPut checks that the S3 gateway refuses to overwrite an
// object under If-None-Match: *, which keeps a duplicate invocation from
// replacing a stored result.
func TestConditionalPut(t *testing.T) {
	ctx := context.Background()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := s3data.NewClient(awsCfg, os.Getenv)
	key := fmt.Sprintf("results/conditional-put-%d/0/1.json", time.Now().UnixNano())
	put := func(body string) error {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(key),
			Body: strings.NewReader(body), IfNoneMatch: aws.String("*")})
		return err
	}
	if err := put("first"); err != nil {
		t.Fatal(err)
	}
	err = put("second")
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusPreconditionFailed {
		t.Fatalf("second conditional put: %v, want 412", err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(out.Body)
	if b.String() != "first" {
		t.Errorf("object is %q, want the first write", b.String())
	}
}

// TestInjectedCrashAndTimeout: a runtime killed mid-invocation is
// Runtime.ExitError, one that hangs is Sandbox.Timedout at the function's
// timeout; both are failed trials, and the environments serve on.
func TestInjectedCrashAndTimeout(t *testing.T) {
	defer emu.SetFaults(nil)
	ex, _ := newExecutor(context.Background(), lambdaexec.Config{Concurrency: workers})
	for _, tt := range []struct {
		fault emulate.Fault
		want  string
	}{
		{emulate.Fault{Kind: emulate.Crash, CrashAfter: time.Millisecond}, "Runtime.ExitError"},
		{emulate.Fault{Kind: emulate.Timeout}, "Sandbox.Timedout"},
	} {
		emu.SetFaults(everyInvocation(tt.fault))
		r := runAll(t, ex, knnTrials(1), 1)[0]
		if r.State != trial.Failed || !strings.Contains(r.Error, tt.want) {
			t.Errorf("got %s %q, want failed with %s", r.State, r.Error, tt.want)
		}
	}
	emu.SetFaults(nil)
	for i, r := range runAll(t, ex, knnTrials(2*workers), workers) {
		if r.State != trial.Complete {
			t.Errorf("trial %d after the faults: %s %q", i, r.State, r.Error)
		}
	}
}

// configuredExecutor returns an executor configured from the environment,
// then by adjust, with the study request of TestMain.
func configuredExecutor(tb testing.TB, adjust func(*lambdaexec.Config)) *lambdaexec.Executor {
	tb.Helper()
	cfg, err := lambdaexec.ConfigFrom(nil, os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	adjust(&cfg)
	ex, err := lambdaexec.New(context.Background(), cfg, os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	if err := ex.Preflight(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ex.Base = base
	return ex
}

// knnSampler proposes knn trials on iris whose scores vary with n.
type knnSampler struct{ limit int }

func (s knnSampler) Ask(n int) (trial.Trial, bool) {
	if n >= s.limit {
		return trial.Trial{}, false
	}
	return trial.Trial{Model: "knn", Params: trial.Params{"n_neighbors": float64(1 + n%40),
		"weights": []string{"uniform", "distance"}[n/40%2]}}, true
}

func (knnSampler) Tell(trial.Result) {}

// runStudy runs a study of n knn trials through ex (wrapped in spec when
// set) with its journal in dir, and returns the journal's events.
func runStudy(t *testing.T, dir string, n int, exec scheduler.Executor) []results.Event {
	t.Helper()
	j, err := results.Create(dir, "study", nil, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := scheduler.Run(ctx, scheduler.Config{
		Sampler: knnSampler{limit: n}, Executor: exec, Store: j, Parallel: workers, MaxTrials: n,
		Direction: trial.Maximize, Seed: func(n int) uint64 { return uint64(1000 + n) },
	})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if out.StopReason != scheduler.StopMaxTrials {
		t.Errorf("stopped for %q, want %q", out.StopReason, scheduler.StopMaxTrials)
	}
	rp, err := j.Replay(ctx)
	if err != nil || len(rp.Warnings) > 0 {
		t.Fatalf("journal: %v %v", err, rp.Warnings)
	}
	return rp.Events
}

// finalResults returns each trial's one result, failing the test for a
// trial with none or several.
func finalResults(t *testing.T, events []results.Event, n int) map[int]trial.Result {
	t.Helper()
	byTrial := map[int]trial.Result{}
	for _, r := range results.Results(events) {
		if _, dup := byTrial[r.Number]; dup {
			t.Errorf("trial %d has more than one result", r.Number)
		}
		byTrial[r.Number] = r
	}
	for i := range n {
		if _, ok := byTrial[i]; !ok {
			t.Errorf("trial %d has no result", i)
		}
	}
	if len(byTrial) != n {
		t.Errorf("%d trials have results, want %d", len(byTrial), n)
	}
	return byTrial
}

// TestFaultMix runs a 500-trial study through throttles, server errors,
// lost responses, crashed workers, timeouts and stragglers: it completes,
// every trial has exactly one result, complete or failed with its reason,
// and the complete ones score as in a fault-free run.
func TestFaultMix(t *testing.T) {
	if testing.Short() {
		t.Skip("1000 invocations")
	}
	const n = 500
	const trialTimeout = 2 * time.Second // the function's is 4s
	study := func(name string, faults emulate.Faults) []results.Event {
		emu.SetFaults(faults)
		defer emu.SetFaults(nil)
		ex := configuredExecutor(t, func(c *lambdaexec.Config) {
			c.Concurrency, c.MaxRetries, c.TrialTimeout = workers, 5, trialTimeout
		})
		ex.Results = lambdaexec.StudyResults(emu.Bucket, results.StudyEvent("fault-mix-"+name, time.Now()))
		start := time.Now()
		events := runStudy(t, filepath.Join(t.TempDir(), name), n,
			&scheduler.Speculative{Executor: ex, K: 3, MinSamples: 20, MinWait: 500 * time.Millisecond})
		t.Logf("%s: %d trials in %v", name, n, time.Since(start).Round(time.Millisecond))
		return events
	}
	clean := finalResults(t, study("clean", nil), n)
	before := emu.Stats()
	faulty := finalResults(t, study("faulty", &emulate.RandomFaults{Seed: 6,
		Throttle: 0.10, ServerError: 0.05, DropResponse: 0.05, Crash: 0.02, Timeout: 0.02,
		CrashWithin: 5 * time.Millisecond, Delay: 0.01, DelayFor: 1500 * time.Millisecond}), n)
	after := emu.Stats()

	reasons := map[string]int{}
	var complete, raced, retried int
	for i := range n {
		want, got := clean[i], faulty[i]
		if want.State != trial.Complete {
			t.Fatalf("fault-free trial %d: %s %q", i, want.State, want.Error)
		}
		if got.Backend["speculative"] == 1 {
			raced++
		}
		if got.Backend["attempt"] > 1 {
			retried++
		}
		switch got.State {
		case trial.Complete:
			complete++
			if got.Score != want.Score {
				t.Errorf("trial %d: score %v, fault-free %v", i, got.Score, want.Score)
			}
			if got.Backend["stored"] != 1 {
				t.Errorf("trial %d: result not stored in S3: %v", i, got.Backend)
			}
		case trial.Failed:
			switch {
			case got.Error == "":
				t.Errorf("trial %d failed without a reason", i)
			case strings.Contains(got.Error, "Runtime.ExitError"):
				reasons["crash"]++
			case strings.Contains(got.Error, "timed out"), strings.Contains(got.Error, "Sandbox.Timedout"):
				reasons["timeout"]++
			default:
				reasons[got.Error]++
			}
		default:
			t.Errorf("trial %d: state %s", i, got.State)
		}
	}
	t.Logf("%d complete, failed %v; %d retried, %d raced a speculative duplicate; router: %d invocations, %d throttled, %d faults injected",
		complete, reasons, retried, raced, after.Invocations-before.Invocations, after.Throttled-before.Throttled, after.Injected-before.Injected)
	if reasons["crash"] == 0 {
		t.Error("no trial failed with a crashed worker: crashes were not injected")
	}
	if retried == 0 || raced == 0 {
		t.Errorf("%d trials retried, %d raced: lost responses and stragglers were not injected", retried, raced)
	}
	if complete < n*9/10 {
		t.Errorf("only %d of %d trials complete", complete, n)
	}
}
