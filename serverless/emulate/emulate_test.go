package emulate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// echoBootstrap is the test bootstrap, built once by TestMain.
var echoBootstrap string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp, err := os.MkdirTemp("", "emulate-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	if _, _, err := BuildTools(ctx, ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if d := time.Since(start); d > 5*time.Second {
		fmt.Fprintf(os.Stderr, "emulate: built tools in %v\n", d.Round(time.Second))
	}
	echoBootstrap = filepath.Join(tmp, "echo", "bootstrap")
	if err := BuildWorker(ctx, "./serverless/emulate/testdata/echo", echoBootstrap, runtime.GOARCH); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// startEmulation starts an emulation over the echo bootstrap and closes
// it when the test ends.
func startEmulation(tb testing.TB, o Options) *Emulation {
	tb.Helper()
	o.Bootstrap = echoBootstrap
	if o.Workers == 0 {
		o.Workers = 2
	}
	e, err := Start(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Error(err)
		}
	})
	return e
}

// lambdaClient returns a client for e without retries, so that every
// throttle and fault reaches the test.
func lambdaClient(e *Emulation) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       e.Region,
		BaseEndpoint: aws.String(e.LambdaEndpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(e.AccessKey, e.SecretKey, ""),
		Retryer:      aws.NopRetryer{},
	})
}

func invoke(tb testing.TB, c *lambda.Client, fn string, req map[string]any) (*lambda.InvokeOutput, error) {
	tb.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	// A safety net against a hung test, not a bound on the invocation:
	// no invocation of these tests runs for more than its function's
	// timeout, and the slowest, an out-of-memory, ends when the memory
	// watch kills it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return c.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(fn),
		Payload:      payload,
		LogType:      types.LogTypeTail,
	})
}

// TestInvoke runs invocations that succeed or fail in every way a
// function can. The function's timeout is the default, far beyond what
// any invocation needs however busy the machine; the one that times out
// sleeps for an hour on an emulation of its own, with a 1 s timeout.
func TestInvoke(t *testing.T) {
	e := startEmulation(t, Options{Memory: 128, Env: map[string]string{"EXTRA": "x"}})
	short := startEmulation(t, Options{Workers: 1, Memory: 128, Timeout: time.Second})
	c := lambdaClient(e)
	tests := []struct {
		name      string
		on        *Emulation // nil means e
		req       map[string]any
		fnError   string // X-Amz-Function-Error
		errorType string // errorType of the error document
		payload   string // substring of the payload
		log       string // substring of the decoded log tail
	}{
		{name: "echo", req: map[string]any{"message": "hello"}, payload: `"message":"hello"`, log: "REPORT RequestId: "},
		{name: "function env", req: map[string]any{"env": "HPSEARCH_BUCKET"}, payload: `"env":"` + e.Bucket + `"`},
		{name: "extra env", req: map[string]any{"env": "EXTRA"}, payload: `"env":"x"`},
		{name: "memory size", req: map[string]any{"env": "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"}, payload: `"env":"128"`},
		{name: "no host credentials", req: map[string]any{"env": "AWS_PROFILE"}, payload: `"pid"`},
		{name: "log", req: map[string]any{"log": "hello from the handler"}, log: "hello from the handler"},
		{name: "error", req: map[string]any{"error": "bad trial"}, fnError: "Unhandled", errorType: "errorString", payload: "bad trial"},
		{name: "panic", req: map[string]any{"panic": "oops"}, fnError: "Unhandled", payload: "oops"},
		{name: "after panic", req: map[string]any{"message": "again"}, payload: `"message":"again"`},
		{name: "exit", req: map[string]any{"exit": 3}, fnError: "Unhandled", errorType: "Runtime.ExitError", payload: "exit status 3"},
		{name: "timeout", on: short, req: map[string]any{"sleep_ms": 3600_000}, fnError: "Unhandled", errorType: "Sandbox.Timedout", payload: "Task timed out after 1.00 seconds"},
		{name: "out of memory", req: map[string]any{"alloc_mb": 400}, fnError: "Unhandled", errorType: "Runtime.OutOfMemory", log: "REPORT RequestId: "},
		{name: "after failures", req: map[string]any{"message": "fine"}, payload: `"message":"fine"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := c
			if tt.on != nil {
				cl = lambdaClient(tt.on)
			}
			out, err := invoke(t, cl, e.Function, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.FunctionError); got != tt.fnError {
				t.Errorf("FunctionError = %q, want %q; payload %s", got, tt.fnError, out.Payload)
			}
			if aws.ToString(out.ExecutedVersion) != "$LATEST" {
				t.Errorf("ExecutedVersion = %q", aws.ToString(out.ExecutedVersion))
			}
			if !strings.Contains(string(out.Payload), tt.payload) {
				t.Errorf("payload %s does not contain %q", out.Payload, tt.payload)
			}
			if tt.errorType != "" {
				var doc struct{ ErrorType string }
				if err := json.Unmarshal(out.Payload, &doc); err != nil || doc.ErrorType != tt.errorType {
					t.Errorf("errorType = %q (%v), want %q; payload %s", doc.ErrorType, err, tt.errorType, out.Payload)
				}
			}
			log, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
			if err != nil {
				t.Fatal(err)
			}
			if len(log) > 4096 {
				t.Errorf("log result has %d bytes, want at most 4096", len(log))
			}
			if !strings.Contains(string(log), tt.log) {
				t.Errorf("log does not contain %q:\n%s", tt.log, log)
			}
			if bytes.Contains(log, []byte("(rapid)")) {
				t.Errorf("log has the emulator's diagnostics:\n%s", log)
			}
		})
	}
	if s := e.Stats(); s.FunctionErrors != 4 {
		t.Errorf("stats %+v, want 4 function errors", s)
	}
	if s := short.Stats(); s.FunctionErrors != 1 {
		t.Errorf("stats of the short-timeout emulation %+v, want 1 function error", s)
	}
}

func TestInvokeReportsPeakMemory(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1, Memory: 512})
	out, err := invoke(t, lambdaClient(e), e.Function, map[string]any{"alloc_mb": 64})
	if err != nil {
		t.Fatal(err)
	}
	log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	var used, size int
	for line := range strings.Lines(string(log)) {
		if i := strings.Index(line, "Memory Size: "); i >= 0 {
			fmt.Sscanf(line[i:], "Memory Size: %d MB\tMax Memory Used: %d MB", &size, &used)
		}
	}
	if size != 512 || used < 64 || used > 256 {
		t.Errorf("Memory Size %d, Max Memory Used %d MB after allocating 64 MB; log:\n%s", size, used, log)
	}
	if !strings.Contains(string(log), "Init Duration: ") {
		t.Errorf("first invocation's REPORT has no Init Duration:\n%s", log)
	}
}

// TestThrottleWhenAllBusy occupies both environments with invocations
// that would run for an hour, so that the third is throttled however slow
// the machine; killing their runtimes then ends them, and the
// environments serve again.
func TestThrottleWhenAllBusy(t *testing.T) {
	e := startEmulation(t, Options{Workers: 2})
	c := lambdaClient(e)
	// Two invocations occupy both environments; the third, sent once
	// they are busy, is throttled.
	type answer struct {
		out *lambda.InvokeOutput
		err error
	}
	answers := make(chan answer, 2)
	for range 2 {
		go func() {
			out, err := invoke(t, c, e.Function, map[string]any{"log": "sleeping now", "sleep_ms": 3600_000})
			answers <- answer{out, err}
		}()
	}
	waitFor(t, "both environments busy", func() bool { return len(e.router.idle) == 0 })
	_, err := invoke(t, c, e.Function, map[string]any{"message": "third"})
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) {
		t.Errorf("third concurrent invocation: %v, want TooManyRequestsException", err)
	} else if tm.Reason != types.ThrottleReasonConcurrentInvocationLimitExceeded {
		t.Errorf("throttle reason %q", tm.Reason)
	}
	// Kill the runtimes once their handlers sleep, not before: a runtime
	// killed before the invocation reaches it would be restarted for it.
	waitFor(t, "both handlers sleeping", func() bool { return logged(e.envs[0], "sleeping now") && logged(e.envs[1], "sleeping now") })
	for _, env := range e.envs {
		env.current().stop(0)
	}
	for range 2 {
		if a := <-answers; a.err != nil || aws.ToString(a.out.FunctionError) != "Unhandled" {
			t.Errorf("busy invocation whose runtime was killed: %v, %+v", a.err, a.out)
		}
	}
	if _, err := invoke(t, c, e.Function, map[string]any{"message": "idle again"}); err != nil {
		t.Fatalf("after the burst: %v", err)
	}
	if s := e.Stats(); s.Throttled != 1 || s.Invocations != 4 {
		t.Errorf("stats %+v, want 4 invocations, 1 throttled", s)
	}
}

// logged reports whether env's current invocation has logged line.
func logged(env *environment, line string) bool {
	env.log.mu.Lock()
	defer env.log.mu.Unlock()
	return bytes.Contains(env.log.lines, []byte(line))
}

// waitFor polls cond until it holds. The two minutes are a safety net
// against a hung test, not a bound on how long cond may take.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestUnknownFunction(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1})
	c := lambdaClient(e)
	_, err := invoke(t, c, "no-such-function", map[string]any{})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("Invoke of an unknown function: %v, want ResourceNotFoundException", err)
	}
	_, err = c.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("no-such-function")})
	if !errors.As(err, &nf) {
		t.Errorf("GetFunction of an unknown function: %v, want ResourceNotFoundException", err)
	}
	out, err := c.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(e.Function)})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := out.Configuration; aws.ToString(cfg.FunctionName) != e.Function || cfg.State != types.StateActive || cfg.Runtime != types.RuntimeProvidedal2023 {
		t.Errorf("GetFunction = %+v", cfg)
	}
	arn := aws.ToString(out.Configuration.FunctionArn)
	if _, err := invoke(t, c, arn, map[string]any{}); err != nil {
		t.Errorf("Invoke by ARN %s: %v", arn, err)
	}
}

func TestEnvironmentCrashIsRestarted(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1})
	c := lambdaClient(e)
	if _, err := invoke(t, c, e.Function, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	e.envs[0].current().stop(0) // the emulator process dies between invocations
	out, err := invoke(t, c, e.Function, map[string]any{"message": "reborn"})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("after a crash between invocations: %v, %s", err, out.Payload)
	}

	// The emulator process dies during an invocation, once the handler
	// has started; the handler would sleep for an hour.
	invoked := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for {
			if logged(e.envs[0], "sleeping now") {
				e.envs[0].current().stop(0)
				return
			}
			select {
			case <-invoked: // ended without starting: the test fails below
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	out, err = invoke(t, c, e.Function, map[string]any{"log": "sleeping now", "sleep_ms": 3600_000})
	close(invoked)
	<-killed
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Runtime.ExitError") {
		t.Errorf("crash during an invocation: FunctionError %q, payload %s", aws.ToString(out.FunctionError), out.Payload)
	}
	out, err = invoke(t, c, e.Function, map[string]any{"message": "reborn"})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("after a crash during an invocation: %v, %s", err, out.Payload)
	}
}

// TestInitExitIsRuntimeExitError: a runtime that exits in its init
// without posting an error, which the emulator answers with an empty 502,
// is Lambda's Runtime.ExitError with an error document, not a function
// error with an empty payload; the environment restarts and serves the
// next invocation.
func TestInitExitIsRuntimeExitError(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1, Env: map[string]string{"ECHO_EXIT_IN_INIT_ONCE": "1"}})
	c := lambdaClient(e)
	out, err := invoke(t, c, e.Function, map[string]any{"message": "cold"})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ ErrorType, ErrorMessage string }
	if aws.ToString(out.FunctionError) != "Unhandled" || json.Unmarshal(out.Payload, &doc) != nil ||
		doc.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(doc.ErrorMessage, "Runtime exited without providing a reason") {
		t.Errorf("init that exited: FunctionError %q, payload %q; want Unhandled Runtime.ExitError", aws.ToString(out.FunctionError), out.Payload)
	}
	out, err = invoke(t, c, e.Function, map[string]any{"message": "again"})
	if err != nil || out.FunctionError != nil || !strings.Contains(string(out.Payload), `"message":"again"`) {
		t.Fatalf("after an init that exited: %v, %s", err, out.Payload)
	}
}

func TestFaults(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1})
	c := lambdaClient(e)
	tests := []struct {
		name   string
		faults Faults
		check  func(error) bool
	}{
		{"throttle", &RandomFaults{Throttle: 1}, func(err error) bool {
			var tm *types.TooManyRequestsException
			return errors.As(err, &tm)
		}},
		{"server error", &RandomFaults{ServerError: 1}, func(err error) bool {
			var se *types.ServiceException
			return errors.As(err, &se)
		}},
		{"drop response", &RandomFaults{DropResponse: 1}, func(err error) bool {
			return err != nil && errors.Is(err, io.EOF) || err != nil && strings.Contains(err.Error(), "EOF")
		}},
		{"delay", &RandomFaults{Delay: 1, DelayFor: 200 * time.Millisecond}, func(err error) bool { return err == nil }},
		{"none", nil, func(err error) bool { return err == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.SetFaults(tt.faults)
			defer e.SetFaults(nil)
			_, err := invoke(t, c, e.Function, map[string]any{})
			if !tt.check(err) {
				t.Errorf("Invoke with fault %s: %v (%T)", tt.name, err, err)
			}
		})
	}
}

// TestCloseEndsInjectedTimeout: an injected timeout holds its environment
// for the function's timeout, here 15 minutes, but Close does not wait
// for it.
func TestCloseEndsInjectedTimeout(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1, Timeout: 15 * time.Minute})
	e.SetFaults(&RandomFaults{Timeout: 1})
	c := lambdaClient(e)
	answered := make(chan error, 1)
	go func() {
		_, err := invoke(t, c, e.Function, map[string]any{})
		answered <- err
	}()
	waitFor(t, "the injected timeout holding the environment", func() bool { return e.Stats().Running == 1 })
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	<-answered // an error or Sandbox.Timedout: the emulation is gone either way
	if s := e.Stats(); s.Running != 0 {
		t.Errorf("stats after Close %+v, want nothing running", s)
	}
}

func TestS3(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1})
	c := NewS3Client(e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey)
	ctx := context.Background()
	body := []byte("x,y\n1,2\n")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String("datasets/a.csv"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String("datasets/a.csv")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, body) {
		t.Errorf("GetObject = %q, want %q", got, body)
	}
	onDisk, err := os.ReadFile(filepath.Join(e.Dir, "s3", e.Bucket, "datasets", "a.csv"))
	if err != nil || !bytes.Equal(onDisk, body) {
		t.Errorf("object on disk = %q, %v", onDisk, err)
	}
}

func TestEnv(t *testing.T) {
	e := startEmulation(t, Options{Workers: 1, Function: "fn", Bucket: "bkt"})
	want := map[string]string{
		"AWS_ENDPOINT_URL_S3": e.S3Endpoint, "AWS_ENDPOINT_URL_LAMBDA": e.LambdaEndpoint,
		"AWS_ACCESS_KEY_ID": e.AccessKey, "AWS_SECRET_ACCESS_KEY": e.SecretKey,
		"AWS_REGION": "us-east-1", "HPSEARCH_BUCKET": "bkt", "HPSEARCH_FUNCTION": "fn",
	}
	got := map[string]string{}
	for _, kv := range e.Env() {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Env %s = %q, want %q", k, got[k], v)
		}
	}
	for _, u := range []string{e.S3Endpoint, e.LambdaEndpoint} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("endpoint %s is not on 127.0.0.1", u)
		}
	}
}
