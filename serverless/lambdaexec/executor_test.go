package lambdaexec

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/scheduler"
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// memS3 is an in-memory object store with one bucket, which refuses
// connections while down is set.
type memS3 struct {
	bucket  string
	down    atomic.Bool
	mu      sync.Mutex
	objects map[string][]byte
}

// connRefused is the error of a connection refused, as the SDK reports it.
func connRefused() error {
	return &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
}

func (m *memS3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	if m.down.Load() {
		return nil, connRefused()
	}
	if aws.ToString(in.Bucket) != m.bucket {
		return nil, &s3types.NotFound{}
	}
	return &s3.HeadBucketOutput{}, nil
}

func (m *memS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if m.down.Load() {
		return nil, connRefused()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[aws.ToString(in.Key)]; !ok {
		return nil, &s3types.NotFound{}
	}
	return &s3.HeadObjectOutput{}, nil
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if m.down.Load() {
		return nil, connRefused()
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[aws.ToString(in.Key)]; ok && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, httpError(http.StatusPreconditionFailed)
	}
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, nil
}

// ListObjectsV2 lists in pages of two keys, to exercise continuation.
func (m *memS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := &s3.ListObjectsV2Output{}
	if len(keys) > 2 {
		keys = keys[:2]
		out.IsTruncated = aws.Bool(true)
		out.NextContinuationToken = aws.String(keys[1])
	}
	for _, k := range keys {
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k)})
	}
	return out, nil
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if m.down.Load() {
		return nil, connRefused()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[aws.ToString(in.Key)]
	if !ok || aws.ToString(in.Bucket) != m.bucket {
		return nil, &s3types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

// fakeLambda runs a worker.LambdaHandler in this process, as one
// execution environment per concurrent call, and answers like the Lambda
// API: function errors with X-Amz-Function-Error, a REPORT log tail, and
// scripted API errors before real invocations.
type fakeLambda struct {
	handler *worker.LambdaHandler
	missing bool // GetFunction and Invoke answer ResourceNotFound
	delay   time.Duration

	mu       sync.Mutex
	script   []error // returned, in order, instead of invoking
	requests []worker.Request
	inFlight int
	peak     int
}

func httpError(status int) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      fmt.Errorf("status %d", status),
	}
}

func (f *fakeLambda) GetFunction(context.Context, *lambda.GetFunctionInput, ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	if f.missing {
		return nil, &types.ResourceNotFoundException{}
	}
	return &lambda.GetFunctionOutput{}, nil
}

func (f *fakeLambda) Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	o := lambda.Options{Retryer: retry.NewStandard()}
	for _, fn := range opts {
		fn(&o)
	}
	if n := o.Retryer.MaxAttempts(); n != 1 {
		return nil, fmt.Errorf("fake: Invoke called with SDK retries on (%d attempts)", n)
	}
	if in.LogType != types.LogTypeTail || in.InvocationType != types.InvocationTypeRequestResponse {
		return nil, fmt.Errorf("fake: want RequestResponse with a log tail, got %s %s", in.InvocationType, in.LogType)
	}
	var req worker.Request
	if err := json.Unmarshal(in.Payload, &req); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	var scripted error
	if len(f.script) > 0 {
		scripted, f.script = f.script[0], f.script[1:]
	}
	f.inFlight++
	f.peak = max(f.peak, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.missing {
		return nil, &types.ResourceNotFoundException{}
	}
	if scripted != nil {
		return nil, scripted
	}
	time.Sleep(f.delay)
	// The SDK gives up when ctx ends; the invocation runs on.
	answer := make(chan *lambda.InvokeOutput, 1)
	go func() { answer <- f.run(ctx, in.Payload) }()
	select {
	case out := <-answer:
		return out, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("fake: invoke: %w", ctx.Err())
	}
}

// run invokes the handler as aws-lambda-go does, turning a panic into an
// Unhandled function error.
func (f *fakeLambda) run(ctx context.Context, payload []byte) (out *lambda.InvokeOutput) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			doc, _ := json.Marshal(map[string]string{"errorType": "string", "errorMessage": fmt.Sprint(p)})
			out = &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"), Payload: doc}
		}
		ms := float64(time.Since(start).Microseconds()) / 1000
		tail := fmt.Sprintf("START RequestId: x\nEND RequestId: x\nREPORT RequestId: x\tDuration: %.2f ms\tBilled Duration: %.0f ms\tMemory Size: 512 MB\tMax Memory Used: 42 MB\t\n", ms, ms+1)
		out.LogResult = aws.String(base64.StdEncoding.EncodeToString([]byte(tail)))
	}()
	// The function's deadline is its own timeout, not the caller's.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	b, err := f.handler.Invoke(ctx, payload)
	if err != nil {
		doc, _ := json.Marshal(map[string]string{"errorType": "errorString", "errorMessage": err.Error()})
		return &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"), Payload: doc}
	}
	return &lambda.InvokeOutput{StatusCode: 200, Payload: b}
}

type harness struct {
	ex     *Executor
	lambda *fakeLambda
	s3     *memS3
	base   worker.Request
	local  worker.Request
}

func newHarness(tb testing.TB, cfg Config) *harness {
	tb.Helper()
	m := &memS3{bucket: "bkt"}
	h := worker.NewLambdaHandlerWith(worker.LambdaConfig{Bucket: "bkt", CacheDir: tb.TempDir(), TestFaults: true}, m)
	fl := &fakeLambda{handler: h}
	if cfg.Bucket == "" {
		cfg.Bucket = "bkt"
	}
	ex := NewWithClients(cfg, Clients{Lambda: fl, S3: m,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Rand:        rand.New(rand.NewPCG(1, 2))})
	d, err := datasets.Load("iris", datasets.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	local := worker.Request{Study: "s", Dataset: worker.DatasetRef{Name: "iris"}, Metric: "accuracy", CV: trial.CV{Folds: 4, Seed: 7}}
	base, err := ex.Prepare(context.Background(), local, d)
	if err != nil {
		tb.Fatal(err)
	}
	ex.Base = base
	return &harness{ex: ex, lambda: fl, s3: m, base: base, local: local}
}

func knnTrial(n int) trial.Trial {
	return trial.Trial{Number: n, Model: "knn", Params: trial.Params{"n_neighbors": float64(1 + 2*n)}, Seed: uint64(100 + n)}
}

func TestExecuteMatchesLocalRun(t *testing.T) {
	h := newHarness(t, Config{})
	if h.base.Dataset.Bucket != "bkt" || !strings.HasPrefix(h.base.Dataset.Key, "datasets/") {
		t.Fatalf("Prepare gave %+v, want an S3 reference", h.base.Dataset)
	}
	w := worker.New(nil)
	for n := range 3 {
		tr := knnTrial(n)
		got, err := h.ex.Execute(context.Background(), tr)
		if err != nil {
			t.Fatal(err)
		}
		req := h.local
		req.Trial = tr
		want := w.Run(context.Background(), req)
		if got.State != trial.Complete || got.Score != want.Score || fmt.Sprint(got.FoldScores) != fmt.Sprint(want.FoldScores) {
			t.Errorf("trial %d: %s %q %v %v; local %v %v", n, got.State, got.Error, got.Score, got.FoldScores, want.Score, want.FoldScores)
		}
		for _, k := range []string{"billed_ms", "duration_ms", "max_memory_mb", "s3_gets"} {
			if _, ok := got.Backend[k]; !ok {
				t.Errorf("trial %d: Backend lacks %s: %v", n, k, got.Backend)
			}
		}
		if got.Backend["s3_gets"] != 1 {
			t.Errorf("trial %d: s3_gets %v, want 1", n, got.Backend["s3_gets"])
		}
		if got.Worker == "" {
			t.Errorf("trial %d: no execution environment recorded in Worker", n)
		}
		// Priced at list prices from the REPORT line: at least the request
		// charge, and far below a cent for a trial of milliseconds.
		if c := got.Backend[scheduler.CostKey]; c < 0.2e-6 || c > 0.01 {
			t.Errorf("trial %d: cost_usd %v, want the invocation's price", n, c)
		}
	}
}

func TestExecuteRetries(t *testing.T) {
	tests := []struct {
		name         string
		script       []error
		maxRetries   int
		wantErr      error
		wantAttempts []int // Trial.Attempt of each request sent
	}{
		{"throttles are waited out", []error{&types.TooManyRequestsException{}, httpError(429), &types.TooManyRequestsException{}}, 0, nil, []int{1, 1, 1, 1}},
		{"server errors are new attempts", []error{&types.ServiceException{}, httpError(502)}, 0, nil, []int{1, 2, 3}},
		{"lost response is a new attempt", []error{&smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}}, 0, nil, []int{1, 2}},
		{"lost response as the SDK reports it", []error{&smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{}},
			Err:      &smithyhttp.RequestSendError{Err: io.EOF}}}, 0, nil, []int{1, 2}},
		{"server errors are bounded", []error{httpError(500), httpError(500), httpError(500)}, 2, ErrRetriesExhausted, []int{1, 2, 3}},
		{"a refused connection is not retried", []error{connRefused()}, 0, trial.ErrUnavailable, []int{1}},
		{"client errors are not retried", []error{&types.InvalidRequestContentException{}}, 0, &types.InvalidRequestContentException{}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{MaxRetries: tt.maxRetries})
			h.lambda.script = tt.script
			res, err := h.ex.Execute(context.Background(), knnTrial(4))
			if tt.wantErr != nil {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr.Error()) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || res.State != trial.Complete {
				t.Fatalf("got %s %q, err %v; want complete", res.State, res.Error, err)
			}
			var attempts []int
			for _, r := range h.lambda.requests {
				attempts = append(attempts, r.Trial.Attempt)
				if r.Trial.Number != 4 {
					t.Errorf("request for trial %d, want 4", r.Trial.Number)
				}
			}
			if fmt.Sprint(attempts) != fmt.Sprint(tt.wantAttempts) {
				t.Errorf("attempts %v, want %v", attempts, tt.wantAttempts)
			}
		})
	}
}

func TestExecuteFailures(t *testing.T) {
	tests := []struct {
		name   string
		params trial.Params
		model  string
		want   string
	}{
		{"panic is a function error", trial.Params{"_panic": "kaboom"}, "noop", "lambda: function error (Unhandled): string: kaboom"},
		{"unknown model", nil, "gradient_magic", "unknown model"},
		{"unknown parameter", trial.Params{"n_neighbours": 3.0}, "knn", "n_neighbours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			res, err := h.ex.Execute(context.Background(), trial.Trial{Number: 1, Model: tt.model, Params: tt.params})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != trial.Failed || !strings.Contains(res.Error, tt.want) {
				t.Errorf("got %s %q, want failed with %q", res.State, res.Error, tt.want)
			}
			if _, ok := res.Backend["billed_ms"]; !ok {
				t.Errorf("failed trial lacks billed_ms: %v", res.Backend)
			}
		})
	}
}

func TestExecutePayloadTooLarge(t *testing.T) {
	h := newHarness(t, Config{})
	_, err := h.ex.Execute(context.Background(), trial.Trial{Model: "noop", Params: trial.Params{"blob": strings.Repeat("x", MaxPayload)}})
	if !errors.Is(err, ErrPayloadTooLarge) || !errors.Is(err, trial.ErrBadInput) {
		t.Fatalf("err = %v, want ErrPayloadTooLarge", err)
	}
	if len(h.lambda.requests) != 0 {
		t.Errorf("%d invocations, want none", len(h.lambda.requests))
	}
}

func TestExecuteBoundsConcurrency(t *testing.T) {
	h := newHarness(t, Config{Concurrency: 2})
	h.lambda.delay = 20 * time.Millisecond
	var wg sync.WaitGroup
	for n := range 8 {
		wg.Go(func() {
			if _, err := h.ex.Execute(context.Background(), trial.Trial{Number: n, Model: "noop"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if h.lambda.peak > 2 {
		t.Errorf("%d invocations in flight, want at most 2", h.lambda.peak)
	}
}

// TestExecuteWithEndedContext: an ended context invokes nothing, with a
// free slot or not, and gives its slot back.
func TestExecuteWithEndedContext(t *testing.T) {
	h := newHarness(t, Config{Concurrency: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		if _, err := h.ex.Execute(ctx, trial.Trial{Model: "noop"}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	if len(h.lambda.requests) != 0 {
		t.Errorf("%d invocations, want none", len(h.lambda.requests))
	}
	if _, err := h.ex.Execute(context.Background(), trial.Trial{Model: "noop"}); err != nil {
		t.Errorf("after the ended context, the slot is still taken: %v", err)
	}
}

func TestExecuteCancelledWhileThrottled(t *testing.T) {
	h := newHarness(t, Config{})
	for range 1000 {
		h.lambda.script = append(h.lambda.script, &types.TooManyRequestsException{})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := h.ex.Execute(ctx, knnTrial(0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's", err)
	}
}

func TestPreflight(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*harness)
		want  string // "" means ready
	}{
		{"ready", func(*harness) {}, ""},
		{"no credentials", func(h *harness) {
			h.ex.clients.Credentials = aws.AnonymousCredentials{}
		}, "no AWS credentials"},
		{"no function", func(h *harness) { h.lambda.missing = true }, "run 'hpsearch deploy'"},
		{"no bucket", func(h *harness) { h.s3.bucket = "other" }, `bucket "bkt" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			tt.setup(h)
			err := h.ex.Preflight(context.Background())
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrNotReady mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "AKIDTEST") {
				t.Errorf("error leaks credentials: %v", err)
			}
		})
	}
}

// apiError is an AWS error answer with an HTTP status and an error code.
func apiError(status int, code string) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: code, Fault: smithy.FaultClient},
	}
}

// TestExecuteUnavailable: failures of the backend, not of the trial, are
// errors wrapping trial.ErrUnavailable, never a failed result; a request
// the function refuses for its content is not.
func TestExecuteUnavailable(t *testing.T) {
	many := func(err error) []error {
		s := make([]error, 100)
		for i := range s {
			s[i] = err
		}
		return s
	}
	tests := []struct {
		name        string
		script      []error
		s3Down      bool
		unavailable bool
		wantInvokes int
	}{
		{"connection refused", []error{connRefused()}, false, true, 1},
		{"dns error", []error{&smithyhttp.RequestSendError{Err: &net.DNSError{Err: "no such host", Name: "lambda.example", IsNotFound: true}}}, false, true, 1},
		{"connection reset, every retry", many(&smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Net: "tcp",
			Err: os.NewSyscallError("read", syscall.ECONNRESET)}}), false, true, 4},
		{"5xx after retries", many(httpError(503)), false, true, 4},
		{"throttling that never ends", many(&types.TooManyRequestsException{}), false, true, 2},
		{"expired credentials", []error{apiError(403, "ExpiredTokenException")}, false, true, 1},
		{"expired token as a 400", []error{apiError(400, "ExpiredTokenException")}, false, true, 1},
		{"unrecognized client", []error{apiError(403, "UnrecognizedClientException")}, false, true, 1},
		{"no credentials", []error{&v4.SigningError{Err: errors.New("failed to retrieve credentials")}}, false, true, 1},
		{"function deleted", []error{&types.ResourceNotFoundException{}}, false, true, 1},
		{"S3 unreachable", nil, true, true, 1},
		{"request refused for its content", []error{apiError(400, "InvalidRequestContentException")}, false, false, 1},
		{"request too large", []error{&types.RequestTooLargeException{}}, false, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The throttle timeout is tiny: the throttling never ends, so
			// no machine is too slow to reach it.
			h := newHarness(t, Config{ThrottleTimeout: time.Millisecond})
			h.lambda.script = tt.script
			h.s3.down.Store(tt.s3Down)
			res, err := h.ex.Execute(context.Background(), knnTrial(2))
			if got := errors.Is(err, trial.ErrUnavailable); got != tt.unavailable {
				t.Errorf("got %s %q, err %v; want unavailable %v", res.State, res.Error, err, tt.unavailable)
			}
			if err == nil && res.State != trial.Complete {
				t.Errorf("got %s %q, want an error", res.State, res.Error)
			}
			if n := len(h.lambda.requests); n != tt.wantInvokes {
				t.Errorf("%d invocations, want %d", n, tt.wantInvokes)
			}
		})
	}
}

// TestExecuteFailsOnItsOwnWithS3Up: a trial that fails before loading
// its dataset while S3 answers failed on its own.
func TestExecuteFailsOnItsOwnWithS3Up(t *testing.T) {
	h := newHarness(t, Config{})
	res, err := h.ex.Execute(context.Background(), trial.Trial{Number: 1, Model: "knn", Params: trial.Params{"n_neighbours": 3.0}})
	if err != nil || res.State != trial.Failed {
		t.Fatalf("got %s %q, err %v; want a failed result", res.State, res.Error, err)
	}
}

func TestProbe(t *testing.T) {
	for _, tt := range []struct {
		name            string
		missing, s3Down bool
		wantErr         bool
	}{
		{"up", false, false, false},
		{"function missing", true, false, true},
		{"S3 down", false, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.lambda.missing = tt.missing
			h.s3.down.Store(tt.s3Down)
			err := h.ex.Probe(context.Background())
			if (err != nil) != tt.wantErr || err != nil && !errors.Is(err, trial.ErrUnavailable) {
				t.Errorf("Probe: %v, want an error wrapping ErrUnavailable: %v", err, tt.wantErr)
			}
		})
	}
}
