package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
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
// timeout; both are failed trials, and the environments serve on. The
// timeout is injected on an emulation with shortTimeout: the hang
// provably outlasts it, since it ends only there.
func TestInjectedCrashAndTimeout(t *testing.T) {
	defer emu.SetFaults(nil)
	ex, _ := newExecutor(context.Background(), lambdaexec.Config{Concurrency: workers})
	short := startEmulation(t, 1, shortTimeout, nil)
	shortEx, _ := newExecutorOn(context.Background(), short, lambdaexec.Config{Concurrency: 1})
	for _, tt := range []struct {
		on    *emulate.Emulation
		ex    *lambdaexec.Executor
		fault emulate.Fault
		want  string
	}{
		{emu, ex, emulate.Fault{Kind: emulate.Crash, CrashAfter: time.Millisecond}, "Runtime.ExitError"},
		{short, shortEx, emulate.Fault{Kind: emulate.Timeout}, "Sandbox.Timedout"},
	} {
		tt.on.SetFaults(everyInvocation(tt.fault))
		r := runAll(t, tt.ex, knnTrials(1), 1)[0]
		tt.on.SetFaults(nil)
		if r.State != trial.Failed || !strings.Contains(r.Error, tt.want) {
			t.Errorf("got %s %q, want failed with %s", r.State, r.Error, tt.want)
		}
	}
	for i, r := range runAll(t, ex, knnTrials(2*workers), workers) {
		if r.State != trial.Complete {
			t.Errorf("trial %d after the faults: %s %q", i, r.State, r.Error)
		}
	}
	// Noop trials, which take microseconds, on the short-timeout one.
	var noops []trial.Trial
	for i := range 2 {
		tr, _ := noopSampler{limit: 2}.Ask(i)
		tr.Number = i
		noops = append(noops, tr)
	}
	for i, r := range runAll(t, shortEx, noops, 1) {
		if r.State != trial.Complete || r.Score != float64(i) {
			t.Errorf("trial %d after the timeout: %s %q", i, r.State, r.Error)
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
	return runStudyWith(t, dir, knnSampler{limit: n}, n, workers, exec)
}

// runStudyWith runs a study of the n trials sampler proposes through
// exec, parallel at a time, with its journal in dir, and returns the
// journal's events. It fails the test unless the study stops at n trials
// with a journal that replays without warnings.
func runStudyWith(t *testing.T, dir string, sampler scheduler.Sampler, n, parallel int, exec scheduler.Executor) []results.Event {
	t.Helper()
	j, err := results.Create(dir, "study", nil, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	// A safety net against a hung study, not a bound on its time.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	out, err := scheduler.Run(ctx, scheduler.Config{
		Sampler: sampler, Executor: exec, Store: j, Parallel: parallel, MaxTrials: n,
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
