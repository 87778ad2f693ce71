package lambdaexec

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// MaxPayload is Lambda's limit on a synchronous invocation's request.
const MaxPayload = 6 << 20

// Errors of the executor. Test for them with errors.Is.
var (
	// ErrPayloadTooLarge is returned, before invoking, for a request over
	// MaxPayload. It wraps trial.ErrBadInput: parameters that large are a
	// mistake in the spec.
	ErrPayloadTooLarge = fmt.Errorf("%w: request exceeds Lambda's 6 MB payload limit", trial.ErrBadInput)
	// ErrRetriesExhausted is returned, with trial.ErrUnavailable, when
	// server errors or lost responses outlast Config.MaxRetries.
	ErrRetriesExhausted = errors.New("retries exhausted")
)

// LambdaAPI is the part of the Lambda API the executor uses;
// *lambda.Client satisfies it.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
	GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
}

// S3API is the part of the S3 API the executor uses; *s3.Client
// satisfies it.
type S3API interface {
	s3data.API
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Clients are the executor's connections to AWS, for NewWithClients.
type Clients struct {
	Lambda LambdaAPI
	S3     S3API
	// Credentials is checked by Preflight; nil skips that check.
	Credentials aws.CredentialsProvider
	// Rand jitters the backoff; nil means a source seeded from the clock
	// (jitter affects only timing, never results).
	Rand *rand.Rand
	// Log receives throttling and retry notices; nil discards them.
	Log *slog.Logger
}

// Executor runs trials as Lambda invocations. It is safe for concurrent
// use and keeps at most Config.Concurrency invocations in flight,
// whatever the caller's parallelism.
type Executor struct {
	// Base holds the study-level settings of every request (see Prepare);
	// Execute fills in the trial. Set it before the first Execute.
	Base worker.Request
	// Results, when set, has the worker store each trial's result in S3
	// under this study's prefix (see StudyResults) before it answers, so
	// that Recover finds the results whose answers were lost. Set it
	// before the first Execute.
	Results *worker.ResultsRef
	// Pruning, when set with Results, prunes a command study's trials
	// while they run (see InTrialPruning). Set it before the first
	// Execute.
	Pruning *InTrialPruning

	cfg     Config
	clients Clients
	sem     chan struct{}
	log     *slog.Logger

	// requests renders the invocations' payloads.
	requests requestEncoder

	mu  sync.Mutex
	rng *rand.Rand
	// lastAnswer is when an invocation last got an answer (UnixNano),
	// for telling a busy function from one that serves nobody.
	lastAnswer atomic.Int64
}

var (
	_ scheduler.Executor = (*Executor)(nil)
	_ scheduler.Prober   = (*Executor)(nil)
)

// New returns an Executor whose clients come from the standard AWS
// configuration chain (credentials, region, and endpoints such as
// AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_S3), with cfg.Region
// winning when set. Invoke goes out without the SDK's per-call middleware
// (see directInvoke), unless HPSEARCH_SDK_INVOKE=1 (EnvSDKInvoke) asks for
// the SDK's own Invoke.
func New(ctx context.Context, cfg Config, getenv func(string) string) (*Executor, error) {
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	opts = append(opts, config.WithLogger(s3data.SDKLogger{}))
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("lambdaexec: load AWS config: %w", err)
	}
	client := lambda.NewFromConfig(awsCfg, withConnections(awsCfg, cfg.withDefaults().Concurrency))
	var api LambdaAPI = client
	if getenv(EnvSDKInvoke) != "1" {
		d := newDirectInvoke(ctx, client)
		if getenv(EnvNetHTTPInvoke) == "1" {
			d.conns = nil
		}
		api = d
	}
	return NewWithClients(cfg, Clients{
		Lambda:      api,
		S3:          s3data.NewClient(awsCfg, getenv),
		Credentials: awsCfg.Credentials,
	}), nil
}

// withConnections lets the Lambda client keep a connection open for each
// invocation in flight. The SDK's HTTP client keeps 10 idle connections
// to a host: at a concurrency of 1,000 the others would be closed after
// each answer and dialled again (a TCP, and on AWS a TLS, handshake per
// invocation), which costs more CPU than signing and the journal
// together. The configuration's own client (a custom CA bundle, say) is
// kept, with only its pool enlarged. Either way requests go out in one
// write each (see oneWrite).
func withConnections(awsCfg aws.Config, concurrency int) func(*lambda.Options) {
	return func(o *lambda.Options) {
		bc, ok := awsCfg.HTTPClient.(*awshttp.BuildableClient)
		if !ok {
			if awsCfg.HTTPClient != nil {
				// Not one whose pool we can size.
				o.HTTPClient = oneWrite{next: awsCfg.HTTPClient}
				return
			}
			bc = awshttp.NewBuildableClient()
		}
		o.HTTPClient = oneWrite{next: bc.WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = max(t.MaxIdleConns, concurrency+16)
			t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, concurrency+16)
		})}
	}
}

// NewWithClients returns an Executor using the given clients.
func NewWithClients(cfg Config, c Clients) *Executor {
	cfg = cfg.withDefaults()
	rng := c.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x6a69747465720000))
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Executor{cfg: cfg, clients: c, sem: make(chan struct{}, cfg.Concurrency), log: log, rng: rng}
}

// Config returns the executor's resolved configuration.
func (e *Executor) Config() Config { return e.cfg }

// Prepare pushes d to the configured bucket (unless it is there already)
// and returns base with the dataset reference set, for Executor.Base. A
// nil d (an objective model, which needs no data) returns base unchanged.
func (e *Executor) Prepare(ctx context.Context, base worker.Request, d *datasets.Dataset) (worker.Request, error) {
	if d == nil {
		return base, nil
	}
	if e.cfg.Bucket == "" {
		return base, &trial.InputError{Field: "backend.bucket", Msg: "the Lambda backend needs a bucket for the dataset (backend.bucket, HPSEARCH_BUCKET or --bucket)"}
	}
	ref, uploaded, err := s3data.Push(ctx, e.clients.S3, e.cfg.Bucket, d)
	if err != nil {
		return base, fmt.Errorf("lambdaexec: prepare: %w", err)
	}
	e.log.Info("dataset in S3", "dataset", d.Name, "key", ref.Key, "uploaded", uploaded)
	base.Dataset = ref
	if b, err := json.Marshal(base); err == nil && len(b) > MaxPayload {
		return base, fmt.Errorf("lambdaexec: prepare: %w (%d bytes)", ErrPayloadTooLarge, len(b))
	}
	return base, nil
}

// Execute invokes the function with the trial and returns its result. A
// function error (a crash, running out of memory, the trial's timeout)
// is a failed result: the trial's own failure. An error means the trial
// could not be run. It wraps trial.ErrUnavailable when the fault is the
// backend's: the endpoint cannot be reached (refused, unresolvable: not
// retried, as nothing ran), server errors or lost responses outlasted
// Config.MaxRetries, throttling lasted Config.ThrottleTimeout while no
// invocation got an answer, the credentials were refused or have expired,
// the function is missing, or the trial failed before loading its dataset
// and S3 cannot be reached. It does not for a request the function
// refuses (too large, malformed: the trial's fault) or when ctx ended.
func (e *Executor) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	if err := e.acquire(ctx); err != nil {
		return trial.Result{}, err
	}
	defer func() { <-e.sem }()

	req := e.Base
	req.Trial = t
	if req.Trial.Attempt < 1 {
		req.Trial.Attempt = 1
	}
	var prunePollMS int64
	if e.Pruning != nil && e.Results != nil {
		prunePollMS = max(e.Pruning.poll().Milliseconds(), 1)
		defer e.Pruning.enter(e, req.Trial)()
	}
	var throttles, retries int
	var throttledSince time.Time
	for {
		payload, err := e.requests.encode(requestShape{base: e.Base, results: e.Results,
			trialTimeoutMS: e.cfg.TrialTimeout.Milliseconds(), prunePollMS: prunePollMS}, req.Trial)
		if err != nil {
			return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: encode request: %w", t.Number, err)
		}
		if len(payload) > MaxPayload {
			return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: %w (%d bytes)", t.Number, ErrPayloadTooLarge, len(payload))
		}
		start := time.Now()
		invokeCtx, cancel := ctx, context.CancelFunc(func() {})
		if e.cfg.TrialTimeout > 0 {
			invokeCtx, cancel = context.WithTimeout(ctx, e.cfg.TrialTimeout+answerGrace(e.cfg.TrialTimeout))
		}
		out, err := e.clients.Lambda.Invoke(invokeCtx, &lambda.InvokeInput{
			FunctionName:   aws.String(e.cfg.Function),
			InvocationType: types.InvocationTypeRequestResponse,
			LogType:        types.LogTypeTail,
			Payload:        payload,
		}, noSDKRetries)
		timedOut := errors.Is(invokeCtx.Err(), context.DeadlineExceeded)
		cancel()
		elapsed := time.Since(start)
		if err == nil {
			e.lastAnswer.Store(time.Now().UnixNano())
			res := e.result(req.Trial, out, elapsed)
			if err := e.datasetUnreachable(ctx, res); err != nil {
				return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: %w", t.Number, err)
			}
			res.Backend["throttles"] = float64(throttles)
			res.Backend["attempt"] = float64(req.Trial.Attempt)
			// What this execution cost at list prices, for the study's
			// stop.max_cost (scheduler.CostKey).
			res.Backend[scheduler.CostKey] = cost.StudyCost([]trial.Result{res},
				cost.Backend{Kind: cost.Lambda, MemoryMB: e.cfg.MemoryMB, Arch: e.cfg.Arch}, cost.DefaultPrices).TotalUSD
			return res, nil
		}
		if ctx.Err() != nil {
			return trial.Result{}, ctx.Err()
		}
		if timedOut {
			// Not retried: the trial is as likely to overrun again, and
			// this invocation may still be running.
			return trial.Result{Number: t.Number, Model: t.Model, Params: t.Params, Seed: t.Seed, Budget: t.Budget,
				State: trial.Failed, Seconds: elapsed.Seconds(),
				Error: fmt.Sprintf("lambda: timed out: no answer within the trial timeout (backend.trial_timeout %v, and %v more for the answer); the invocation may still be running",
					e.cfg.TrialTimeout, answerGrace(e.cfg.TrialTimeout)),
				Backend: map[string]float64{"throttles": float64(throttles), "attempt": float64(req.Trial.Attempt)}}, nil
		}
		switch classify(err) {
		case throttled:
			throttles++
			if throttles == 1 {
				throttledSince = time.Now()
			}
			// Throttled while other invocations get answers, the function
			// is only full; throttled while none does, it serves nobody.
			quietSince := throttledSince
			if last := time.Unix(0, e.lastAnswer.Load()); last.After(quietSince) {
				quietSince = last
			}
			if quiet := time.Since(quietSince); quiet >= e.cfg.ThrottleTimeout {
				return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: %w: throttled for %v with no invocation answered (backend.throttle_timeout %v): %w",
					t.Number, trial.ErrUnavailable, quiet.Round(time.Millisecond), e.cfg.ThrottleTimeout, err)
			}
			// A throttled request never ran, so it is not an attempt.
			e.log.Debug("throttled", "trial", t.Number, "throttles", throttles)
			if err := e.backoff(ctx, throttles, 100*time.Millisecond, 2*time.Second); err != nil {
				return trial.Result{}, err
			}
		case unreachable:
			// Nothing was sent, so nothing ran: the scheduler waits for
			// the endpoint, and retries here would only delay that.
			return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: %w: invoke %s: %w", t.Number, trial.ErrUnavailable, e.cfg.Function, err)
		case refused:
			return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: %w: invoke %s: %w", t.Number, trial.ErrUnavailable, e.cfg.Function, explain(err))
		case retryable:
			retries++
			if e.cfg.MaxRetries < 0 || retries > e.cfg.MaxRetries {
				return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: %w: %w after %d attempts: %w",
					t.Number, trial.ErrUnavailable, ErrRetriesExhausted, req.Trial.Attempt, err)
			}
			// The invocation may have run (a lost response), so the
			// retry is a new attempt of the same trial.
			req.Trial.Attempt++
			if prunePollMS > 0 {
				e.Pruning.retry(t.Number, req.Trial.Attempt)
			}
			e.log.Warn("retrying trial", "trial", t.Number, "attempt", req.Trial.Attempt, "err", err)
			if err := e.backoff(ctx, retries, 200*time.Millisecond, 5*time.Second); err != nil {
				return trial.Result{}, err
			}
		default:
			return trial.Result{}, fmt.Errorf("lambdaexec: trial %d: invoke %s: %w", t.Number, e.cfg.Function, explain(err))
		}
	}
}

// acquire takes one of Config.Concurrency slots, waiting for one while
// ctx lasts. A free slot is taken without a select on ctx.Done (a
// select is a few percent of the executor's CPU a trial at concurrency
// 1,000), but not once ctx has ended: an ended ctx never invokes.
func (e *Executor) acquire(ctx context.Context) error {
	select {
	case e.sem <- struct{}{}:
		if err := ctx.Err(); err != nil {
			<-e.sem
			return err
		}
		return nil
	default:
	}
	select {
	case e.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answerGrace is how long past the trial timeout the executor still waits
// for an answer. The worker stops the trial just before the timeout and
// answers with its own report (and stores the result); the grace lets that
// answer arrive, however loaded the machines, before the executor gives
// up on an invocation that hangs.
func answerGrace(trialTimeout time.Duration) time.Duration {
	return max(time.Second, trialTimeout/10)
}

// noSDKRetries turns off the SDK's retryer for one Invoke: the executor
// retries itself, knowing which retries are new attempts.
func noSDKRetries(o *lambda.Options) { o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1) }

type errorClass int

const (
	// fatal: the function refused the request itself (the trial's
	// fault); not retried.
	fatal errorClass = iota
	// throttled: 429; waited out.
	throttled
	// retryable: a server error or a lost response; retried as a new
	// attempt.
	retryable
	// unreachable: the endpoint could not be reached; nothing was sent.
	unreachable
	// refused: the service will not serve us (credentials refused or
	// expired, the function missing or not ready); not the trial's fault.
	refused
)

// requestErrors are the error codes by which Lambda refuses a request for
// its content: the trial's fault.
var requestErrors = map[string]bool{
	"InvalidRequestContentException": true, "RequestTooLargeException": true,
	"UnsupportedMediaTypeException": true, "InvalidParameterValueException": true,
}

// credentialErrors reports whether code says the request's credentials
// were refused: expired, unknown, or badly signed. AWS answers those with
// 400 as well as 403.
func credentialErrors(code string) bool {
	switch code {
	case "ExpiredTokenException", "ExpiredToken", "UnrecognizedClientException", "InvalidClientTokenId",
		"InvalidSignatureException", "SignatureDoesNotMatch", "InvalidAccessKeyId", "RequestExpired", "AccessDeniedException":
		return true
	}
	return false
}

// classify sorts an Invoke error: 429 is throttling; server errors and
// lost responses are retryable; a connection that could not be made is
// unreachable; a request refused for its content (400, 413, 415) is
// fatal; any other refusal (credentials, a missing function) is refused.
func classify(err error) errorClass {
	var tmr *types.TooManyRequestsException
	var re *smithyhttp.ResponseError
	var ae smithy.APIError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case errors.As(err, &tmr) || status == http.StatusTooManyRequests:
		return throttled
	case status >= 500:
		return retryable
	case errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultServer:
		return retryable
	case errors.As(err, &ae) && credentialErrors(ae.ErrorCode()):
		return refused
	case errors.As(err, &ae) && requestErrors[ae.ErrorCode()]:
		return fatal
	case status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge || status == http.StatusUnsupportedMediaType:
		return fatal
	case status >= 400 || ae != nil:
		return refused
	}
	// No HTTP answer: the connection failed or the response was lost.
	if s3data.NotConnected(err) {
		return unreachable
	}
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return retryable
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return retryable
	}
	if s3data.Unreachable(err) {
		return refused // no credentials to sign with
	}
	return fatal
}

// explain adds what to do about the common fatal errors.
func explain(err error) error {
	var nf *types.ResourceNotFoundException
	if errors.As(err, &nf) {
		return fmt.Errorf("%w (run 'hpsearch deploy' to create the function, or 'hpsearch emulate' to run it locally)", err)
	}
	return err
}

// backoff sleeps for an exponentially growing, jittered delay: between half
// and all of min(max, base·2^(n-1)).
func (e *Executor) backoff(ctx context.Context, n int, base, limit time.Duration) error {
	d := base << min(n-1, 20)
	if d > limit || d <= 0 {
		d = limit
	}
	e.mu.Lock()
	d = d/2 + time.Duration(e.rng.Int64N(int64(d/2)+1))
	e.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lambdaError is the error document of a function error.
type lambdaError struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// result turns an invocation's answer into the trial's result.
func (e *Executor) result(t trial.Trial, out *lambda.InvokeOutput, elapsed time.Duration) trial.Result {
	var tail string
	if out.LogResult != nil {
		if b, err := base64.StdEncoding.DecodeString(*out.LogResult); err == nil {
			tail = string(b)
		}
	}
	figures, ok := ParseReport(tail)
	failed := func(msg string) trial.Result {
		return trial.Result{Number: t.Number, Model: t.Model, Params: t.Params, Seed: t.Seed, Budget: t.Budget,
			State: trial.Failed, Error: msg, Seconds: elapsed.Seconds()}
	}
	var res trial.Result
	if out.FunctionError != nil {
		var doc lambdaError
		msg := strings.TrimSpace(string(out.Payload))
		if json.Unmarshal(out.Payload, &doc) == nil && doc.ErrorMessage != "" {
			msg = doc.ErrorMessage
			if doc.ErrorType != "" {
				msg = doc.ErrorType + ": " + msg
			}
		}
		if msg == "" {
			// Lambda always sends a document; say so rather than nothing.
			msg = "no error document (empty payload)"
		}
		res = failed(fmt.Sprintf("lambda: function error (%s): %s", *out.FunctionError, msg))
	} else {
		var resp worker.LambdaResponse
		if err := decodeAnswer(out.Payload, &resp); err != nil {
			res = failed(fmt.Sprintf("lambda: undecodable response: %v", err))
		} else {
			res = resp.Result
			res.Worker = resp.Environment
			if res.Backend == nil {
				res.Backend = map[string]float64{}
			}
			res.Backend["s3_gets"] = float64(resp.S3Gets)
			switch {
			case e.Results == nil:
			case resp.Stored == worker.StoredWritten:
				res.Backend["stored"] = 1
			case resp.Stored == worker.StoredExists:
				// Another invocation of this attempt stored its result
				// first: a speculative duplicate, or a run the journal
				// never heard of.
				res.Backend["stored"] = 1
				res.Backend["stored_by_another"] = 1
			default:
				res.Backend["stored"] = 0
				e.log.Warn("result not stored in S3; it cannot be recovered if this study is interrupted before journaling it",
					"trial", t.Number, "attempt", t.Attempt, "reason", resp.Stored)
			}
			if !ok {
				figures = map[string]float64{"duration_ms": res.Seconds * 1000}
			}
			res.Seconds = elapsed.Seconds()
		}
	}
	if res.Backend == nil {
		res.Backend = map[string]float64{}
	}
	for k, v := range figures {
		res.Backend[k] = v
	}
	return res
}

// probeTimeout bounds each request of a probe, so that a backend that
// swallows requests fails the probe rather than hanging it.
const probeTimeout = 30 * time.Second

// Probe implements scheduler.Prober: it asks Lambda for the function (as
// Preflight does) and, when the study's dataset is in S3, whether its
// object is there, and returns an error wrapping trial.ErrUnavailable if
// either cannot be reached or refuses to serve. A missing dataset object
// does not fail the probe: that is the trials' to report.
func (e *Executor) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	// One request each, no SDK retries: the scheduler's waits between
	// probes are the backoff.
	if _, err := e.clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(e.cfg.Function)}, noSDKRetries); err != nil {
		return fmt.Errorf("lambdaexec: probe function %s: %w: %w", e.cfg.Function, trial.ErrUnavailable, explain(err))
	}
	if err := e.datasetReachable(ctx); err != nil {
		return fmt.Errorf("lambdaexec: probe: %w", err)
	}
	return nil
}

// datasetReachable returns an error wrapping trial.ErrUnavailable if the
// study's dataset object in S3 (if it has one) cannot be reached.
func (e *Executor) datasetReachable(ctx context.Context) error {
	ref := e.Base.Dataset
	if ref.Bucket == "" || ref.Key == "" {
		return nil
	}
	_, err := e.clients.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)},
		func(o *s3.Options) { o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1) })
	if s3data.Unreachable(err) {
		return fmt.Errorf("%w: s3://%s/%s: %w", trial.ErrUnavailable, ref.Bucket, ref.Key, err)
	}
	return nil
}

// datasetUnreachable tells a trial that failed because S3 could not be
// reached from one that failed on its own. The worker's answer does not
// say why it could not load the dataset, so for a trial that failed
// before loading it (Result.DatasetSource empty) the executor checks
// whether it can reach the object itself; if not, the failure is S3's.
func (e *Executor) datasetUnreachable(ctx context.Context, res trial.Result) error {
	if res.State != trial.Failed || res.DatasetSource != "" || e.Base.Dataset.Bucket == "" {
		return nil
	}
	if err := e.datasetReachable(ctx); err != nil {
		return fmt.Errorf("the worker could not run the trial (%s): %w", res.Error, err)
	}
	return nil
}
