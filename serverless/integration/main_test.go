package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// The emulated function's settings. The memory limit is what the
// emulator enforces by killing a runtime whose resident set exceeds it.
// The timeout is far beyond what any trial of these tests needs, however
// busy the machine, so that no test races it by accident; the tests of
// timeouts use an emulation of their own with shortTimeout (see
// startEmulation), and trials there that must time out block for an
// hour.
//
// shortTimeout is Lambda's init limit, not less: the emulator counts a
// cold start's init in the function's timeout (Lambda does not), and a
// runtime's init on a busy machine takes seconds. With 2 s, every cold
// start at a load average of 40 on 2 cores timed out, so that noop
// trials which never ran failed as Sandbox.Timedout.
const (
	workers      = 3
	memoryMB     = 256
	timeout      = 2 * time.Minute
	shortTimeout = 10 * time.Second
)

// Shared by every test: one emulation, started by TestMain.
var (
	emu *emulate.Emulation
	// iris is the dataset pushed to the emulated S3, and base the study
	// request pointing at it.
	iris *datasets.Dataset
	base worker.Request
	// local is base with the bundled dataset, for worker.Run in process.
	local worker.Request
	// bootstrap is the worker's bootstrap that the emulations run.
	bootstrap string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "hpsearch-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	bootstrap = filepath.Join(dir, "bootstrap")
	if err := emulate.BuildWorker(ctx, "./cmd/worker", bootstrap, ""); err != nil {
		fmt.Fprintln(os.Stderr, "integration: build worker:", err)
		return 1
	}
	built := time.Since(start)
	emu, err = emulate.Start(ctx, emulate.Options{
		Workers:   workers,
		Dir:       filepath.Join(dir, "emulation"),
		Bootstrap: bootstrap,
		Memory:    memoryMB,
		Timeout:   timeout,
		Env: map[string]string{
			worker.EnvTestFaults: "1",
			// A fresh /tmp for the run, so that no dataset is cached from
			// an earlier one.
			"TMPDIR": mkdir(filepath.Join(dir, "tmp")),
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration: start emulation:", err)
		return 1
	}
	defer emu.Close()
	fmt.Fprintf(os.Stderr, "integration: worker built in %v, emulation started in %v: %v\n",
		built.Round(time.Millisecond), (time.Since(start) - built).Round(time.Millisecond), emu)

	// Point the SDK's standard chain at the emulation, as a user of
	// 'hpsearch emulate' would.
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		os.Unsetenv(k)
	}
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-aws-config"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-aws-credentials"))

	if iris, err = datasets.Load("iris", datasets.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	local = worker.Request{Study: "integration", Dataset: worker.DatasetRef{Name: "iris"}, Metric: "accuracy",
		CV: trial.CV{Folds: 5, Seed: 3}}
	ex, _ := newExecutor(ctx, lambdaexec.Config{})
	if base, err = ex.Prepare(ctx, local, iris); err != nil {
		fmt.Fprintln(os.Stderr, "integration: prepare:", err)
		return 1
	}
	return m.Run()
}

// startEmulation starts an emulation of its own for one test, with the
// given environments, function timeout and faults, and closes it when the
// test ends. Its functions read datasets from and store results in the
// shared emulation's S3, so that base and the executors' S3 clients work
// with it unchanged.
func startEmulation(tb testing.TB, workers int, timeout time.Duration, faults emulate.Faults) *emulate.Emulation {
	tb.Helper()
	em, err := emulate.Start(context.Background(), emulate.Options{
		Workers:   workers,
		Dir:       tb.TempDir(),
		Bootstrap: bootstrap,
		Memory:    memoryMB,
		Timeout:   timeout,
		Faults:    faults,
		Env: map[string]string{
			worker.EnvTestFaults:  "1",
			"AWS_ENDPOINT_URL_S3": emu.S3Endpoint,
			"HPSEARCH_BUCKET":     emu.Bucket,
			"TMPDIR":              mkdir(filepath.Join(tb.TempDir(), "tmp")),
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		em.Close()
		keepLogs(tb, em)
	})
	return em
}

// keepLogs copies the logs of em (its environments' emulator and runtime
// output, the S3 gateway's) out of the test's temporary directory when
// the test failed, and names the copy, so that a failure seen once on a
// busy machine can be read afterwards.
func keepLogs(tb testing.TB, em *emulate.Emulation) {
	tb.Helper()
	if !tb.Failed() {
		return
	}
	dst, err := os.MkdirTemp("", "hpsearch-integration-logs-")
	if err == nil {
		err = os.CopyFS(dst, os.DirFS(filepath.Join(em.Dir, "logs")))
	}
	if err != nil {
		tb.Logf("keeping the emulation's logs: %v", err)
		return
	}
	tb.Logf("the emulation's logs are kept in %s", dst)
}

func mkdir(d string) string {
	if err := os.MkdirAll(d, 0o755); err != nil {
		panic(err)
	}
	return d
}

// newExecutor returns an executor configured from the environment (as
// 'hpsearch run' would be after 'hpsearch emulate'), with overrides from
// cfg, and the recorder of its invocations.
func newExecutor(ctx context.Context, over lambdaexec.Config) (*lambdaexec.Executor, *recorder) {
	return newExecutorOn(ctx, emu, over)
}

// newExecutorOn is newExecutor with the Lambda API of em.
func newExecutorOn(ctx context.Context, em *emulate.Emulation, over lambdaexec.Config) (*lambdaexec.Executor, *recorder) {
	cfg, err := lambdaexec.ConfigFrom(nil, os.Getenv)
	if err != nil {
		panic(err)
	}
	if over.Concurrency != 0 {
		cfg.Concurrency = over.Concurrency
	}
	if over.MaxRetries != 0 {
		cfg.MaxRetries = over.MaxRetries
	}
	if over.Function != "" {
		cfg.Function = over.Function
	}
	if over.TrialTimeout != 0 {
		cfg.TrialTimeout = over.TrialTimeout
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		panic(err)
	}
	rec := &recorder{inner: lambda.NewFromConfig(awsCfg, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(em.LambdaEndpoint)
	})}
	ex := lambdaexec.NewWithClients(cfg, lambdaexec.Clients{
		Lambda:      rec,
		S3:          s3data.NewClient(awsCfg, os.Getenv),
		Credentials: awsCfg.Credentials,
	})
	ex.Base = base
	return ex, rec
}

// recorder passes invocations through and keeps the worker's responses,
// which say which runtime answered and how many GETs it had made.
type recorder struct {
	inner lambdaexec.LambdaAPI

	mu        sync.Mutex
	responses []worker.LambdaResponse
}

func (r *recorder) Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	out, err := r.inner.Invoke(ctx, in, opts...)
	if err == nil && out.FunctionError == nil {
		var resp worker.LambdaResponse
		if json.Unmarshal(out.Payload, &resp) == nil {
			r.mu.Lock()
			r.responses = append(r.responses, resp)
			r.mu.Unlock()
		}
	}
	return out, err
}

func (r *recorder) GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	return r.inner.GetFunction(ctx, in, opts...)
}
