package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// Environment variables read by the Lambda handler.
const (
	// EnvBucket names the only bucket the worker reads datasets from.
	EnvBucket = "HPSEARCH_BUCKET"
	// EnvDatasetsPrefix is the key prefix datasets must live under
	// (default DefaultDatasetsPrefix).
	EnvDatasetsPrefix = "HPSEARCH_DATASETS_PREFIX"
	// EnvResultsPrefix is the key prefix results must be stored under
	// (default DefaultResultsPrefix).
	EnvResultsPrefix = "HPSEARCH_RESULTS_PREFIX"
	// EnvTestFaults, set to "1", enables the fault hooks of the
	// integration tests (see LambdaConfig.TestFaults). Never set it in a
	// real deployment.
	EnvTestFaults = "HPSEARCH_TEST_FAULTS"
	// EnvCommands, set to "1", lets the function run the commands of
	// command studies (Request.Command): whoever may invoke it may then
	// run any program in it, so set it only on a function built for your
	// own code (see LambdaConfig.Commands).
	EnvCommands = "HPSEARCH_COMMANDS"
	// EnvLogInterval is how often a running command's log is stored in
	// S3 (a Go duration; see LambdaConfig.LogInterval).
	EnvLogInterval = "HPSEARCH_LOG_INTERVAL"
	// EnvCopyFolds, set to "1", makes the worker copy each fold's rows
	// as a local worker does, instead of reordering the dataset's rows in
	// place (see LambdaConfig.InPlaceFolds): the same scores, with a
	// second copy of the folds' rows in memory.
	EnvCopyFolds = "HPSEARCH_COPY_FOLDS"
)

// LambdaConfig configures a LambdaHandler. The zero value refuses every S3
// reference (no bucket) and disables the fault hooks.
type LambdaConfig struct {
	// Bucket is the only bucket datasets may be read from.
	Bucket string
	// DatasetsPrefix must begin every dataset key; "" means
	// DefaultDatasetsPrefix.
	DatasetsPrefix string
	// ResultsPrefix must begin every results prefix a request names;
	// "" means DefaultResultsPrefix.
	ResultsPrefix string
	// CacheDir keeps fetched datasets across runtime restarts of one
	// execution environment; "" means DefaultCacheDir().
	CacheDir string
	// DeadlineMargin is how long before the Lambda deadline the trial's
	// context is cancelled, so that the worker reports a timeout itself
	// instead of being killed; 0 means 500ms (at most a tenth of the time
	// left).
	DeadlineMargin time.Duration
	// TestFaults lets trial parameters request faults, for the
	// integration tests only: _panic (true or a message) panics in the
	// handler, outside Worker.Run, which crashes the runtime;
	// _alloc_mb allocates and touches that many MiB before the trial;
	// _sleep_ms sleeps that long before the trial, stopping at the
	// deadline (the worker reports the timeout); _hang_ms sleeps ignoring
	// the deadline (Lambda kills the runtime). The hook parameters are
	// removed before Worker.Run sees the trial.
	TestFaults bool
	// Commands lets a request name a command to run (a command study).
	// Off, such a request fails without running anything: a function
	// that runs what its callers name runs anything they name.
	Commands bool
	// LogInterval is how often a command's log is stored in S3 while it
	// runs (when it grew); 0 means DefaultLogInterval.
	LogInterval time.Duration
	// InPlaceFolds lets a trial on a dataset from S3 reorder the rows of
	// the cached dataset in place, its training rows first and its
	// validation rows next, and train and score on those two row ranges,
	// instead of copying each fold's rows: the same rows in the same
	// order, so the same scores, without a second copy of the dataset.
	// The rows are back in their order before the fold ends, whether it
	// succeeded, failed, panicked or was cancelled. Set it only where the
	// handler serves one invocation at a time and nothing else in the
	// process reads the datasets it loads: a Lambda runtime without
	// AWS_LAMBDA_MAX_CONCURRENCY above 1, where LambdaConfigFromEnv sets
	// it. (Concurrent trials stay correct, but a trial may wait for
	// another's fold.) False copies, as the simulator must: its
	// invocations share one handler.
	InPlaceFolds bool
}

// LambdaConfigFromEnv reads a LambdaConfig from the environment.
func LambdaConfigFromEnv(getenv func(string) string) LambdaConfig {
	return LambdaConfig{
		Bucket:         getenv(EnvBucket),
		DatasetsPrefix: getenv(EnvDatasetsPrefix),
		ResultsPrefix:  getenv(EnvResultsPrefix),
		TestFaults:     getenv(EnvTestFaults) == "1",
		Commands:       getenv(EnvCommands) == "1",
		LogInterval:    positiveDuration(getenv(EnvLogInterval)),
		InPlaceFolds:   servesOneAtATime(getenv) && getenv(EnvCopyFolds) != "1",
	}
}

// servesOneAtATime reports whether getenv is a Lambda runtime's
// environment in which aws-lambda-go serves one invocation at a time:
// AWS_LAMBDA_MAX_CONCURRENCY unset, invalid or below 2, read as
// lambdacontext reads it (Lambda Managed Instances set it higher).
func servesOneAtATime(getenv func(string) string) bool {
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return false
	}
	v, err := strconv.Atoi(getenv("AWS_LAMBDA_MAX_CONCURRENCY"))
	return err != nil || v <= 1
}

// positiveDuration parses a Go duration; anything else (unset, invalid,
// not positive) is 0, the default.
func positiveDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// LambdaResponse is what the Lambda handler returns: the trial's result,
// plus figures about the execution environment that ran it.
type LambdaResponse struct {
	trial.Result
	// S3Gets counts the S3 GET requests of this execution environment
	// since it started, this invocation included.
	S3Gets int64 `json:"s3_gets"`
	// Environment identifies the execution environment (random, chosen
	// when the runtime starts).
	Environment string `json:"environment,omitempty"`
	// Stored says what became of the result object the request asked
	// for (LambdaRequest.Results): StoredWritten, StoredExists, or why it
	// could not be stored. Empty when none was asked for.
	Stored string `json:"stored,omitempty"`
	// ModelFile says where a refit stored the model file; nil for a
	// trial and for a refit that failed. (Not "model": that is the
	// embedded Result's model family.)
	ModelFile *StoredModel `json:"model_file,omitempty"`
}

// LambdaHandler serves trial Requests in AWS Lambda by calling Worker.Run,
// the same code the local executor runs. It implements the Handler
// interface of github.com/aws/aws-lambda-go/lambda (Invoke), so
// lambda.Start accepts it.
type LambdaHandler struct {
	worker *Worker
	src    *S3Source
	cfg    LambdaConfig
	env    string
}

// NewLambdaHandler returns the handler of cmd/worker: its configuration
// comes from getenv, and its S3 client from the standard AWS chain (the
// execution role's credentials; AWS_ENDPOINT_URL_S3 for an emulator, with
// path-style addressing).
func NewLambdaHandler(ctx context.Context, getenv func(string) string) (*LambdaHandler, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("worker: load AWS config: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = UsePathStyle(getenv)
	})
	return NewLambdaHandlerWith(LambdaConfigFromEnv(getenv), client), nil
}

// UsePathStyle reports whether S3 buckets should be addressed path-style
// (http://host/bucket/key), as S3 emulators need: when
// HPSEARCH_S3_PATH_STYLE is true, or an endpoint is configured through
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL.
func UsePathStyle(getenv func(string) string) bool {
	if v, err := strconv.ParseBool(getenv("HPSEARCH_S3_PATH_STYLE")); err == nil {
		return v
	}
	return getenv("AWS_ENDPOINT_URL_S3") != "" || getenv("AWS_ENDPOINT_URL") != ""
}

// NewLambdaHandlerWith returns a handler reading datasets through client.
func NewLambdaHandlerWith(cfg LambdaConfig, client ObjectGetter) *LambdaHandler {
	if cfg.DatasetsPrefix == "" {
		cfg.DatasetsPrefix = DefaultDatasetsPrefix
	}
	if cfg.ResultsPrefix == "" {
		cfg.ResultsPrefix = DefaultResultsPrefix
	}
	// A prefix is a folder: "datasets" must not admit "datasets-private/".
	cfg.DatasetsPrefix = folder(cfg.DatasetsPrefix)
	cfg.ResultsPrefix = folder(cfg.ResultsPrefix)
	if cfg.CacheDir == "" {
		cfg.CacheDir = DefaultCacheDir()
	}
	if cfg.DeadlineMargin <= 0 {
		cfg.DeadlineMargin = 500 * time.Millisecond
	}
	src := &S3Source{
		Client:   client,
		Bucket:   cfg.Bucket,
		Prefix:   cfg.DatasetsPrefix,
		Dir:      cfg.CacheDir,
		Fallback: &BundledSource{},
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	w := New(src)
	w.inPlace = cfg.InPlaceFolds
	return &LambdaHandler{worker: w, src: src, cfg: cfg, env: hex.EncodeToString(id[:])}
}

// Invoke implements lambda.Handler: it decodes a LambdaRequest, runs it
// and encodes the LambdaResponse. Only an undecodable payload is an error
// (a Lambda function error); a trial that fails is a response with State
// failed.
func (h *LambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var req LambdaRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, fmt.Errorf("worker: decode request: %w", err)
	}
	return json.Marshal(h.Handle(ctx, req))
}

// Handle runs one request with ctx's deadline (or the request's trial
// timeout, when sooner) brought forward by the deadline margin. When the
// request names a results location, the result is stored there before
// Handle returns, whatever its state; a location outside the worker's
// bucket and results prefix, or one that could escape it (see
// checkStudySegment), fails the trial without running it.
//
// The caller may be anyone allowed to invoke the function, not the owner
// of the data, so Handle reads no local file for a request (only bundled
// datasets and S3 objects under the datasets prefix whose bytes match the
// reference's SHA-256, see S3Source), and the error of a failed trial on
// a pushed dataset has the dataset's strings (its name, target, feature
// names and class labels) withheld wherever they appear quoted.
func (h *LambdaHandler) Handle(ctx context.Context, lreq LambdaRequest) LambdaResponse {
	if lreq.Refit != nil {
		return h.handleRefit(ctx, lreq)
	}
	req := lreq.Request
	runCtx, margin := ctx, time.Duration(0)
	dl, ok := ctx.Deadline()
	limit := "the Lambda timeout"
	if lreq.TrialTimeoutMS > 0 {
		if tdl := time.Now().Add(time.Duration(lreq.TrialTimeoutMS) * time.Millisecond); !ok || tdl.Before(dl) {
			dl, ok = tdl, true
			limit = fmt.Sprintf("the trial timeout (%v)", time.Duration(lreq.TrialTimeoutMS)*time.Millisecond)
		}
	}
	if ok {
		margin = min(h.cfg.DeadlineMargin, time.Until(dl)/10)
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, dl.Add(-margin))
		defer cancel()
	}
	if lreq.Results != nil {
		if err := h.checkResultsRef(lreq.Results); err != nil {
			return LambdaResponse{Result: trial.Result{Number: req.Trial.Number, Model: req.Trial.Model, Params: req.Trial.Params,
				Seed: req.Trial.Seed, Budget: req.Trial.Budget, State: trial.Failed, Error: err.Error()},
				S3Gets: h.src.Gets(), Environment: h.env}
		}
	}
	if len(req.Command) > 0 && !h.cfg.Commands {
		return LambdaResponse{Result: trial.Result{Number: req.Trial.Number, Model: req.Trial.Model, Params: req.Trial.Params,
			Seed: req.Trial.Seed, Budget: req.Trial.Budget, State: trial.Failed,
			Error: "worker: this function does not run commands (command studies need a function built for your code, with " + EnvCommands + "=1)"},
			S3Gets: h.src.Gets(), Environment: h.env}
	}
	if lreq.PrunePollMS > 0 && lreq.Results != nil && len(req.Command) > 0 {
		if objects, ok := h.src.Client.(StepObjects); ok {
			req.pruning = &s3Pruning{client: objects, ref: *lreq.Results, poll: time.Duration(lreq.PrunePollMS) * time.Millisecond}
		}
	}
	if lreq.Results != nil && len(req.Command) > 0 {
		if putter, ok := h.src.Client.(ObjectPutter); ok {
			lambdaDL, _ := ctx.Deadline()
			req.logs = &logStore{client: putter, ref: *lreq.Results, interval: h.cfg.LogInterval, deadline: lambdaDL}
		}
	}
	params := req.Trial.Params
	var f faults
	if h.cfg.TestFaults {
		req.Trial.Params, f = takeFaults(params)
	}
	res, ran := f.apply(runCtx, func() trial.Result { return h.worker.Run(runCtx, req) })
	if !ran {
		res = trial.Result{Number: req.Trial.Number, Model: req.Trial.Model, Seed: req.Trial.Seed, Budget: req.Trial.Budget,
			State: trial.Failed, Error: fmt.Sprintf("worker: fault hook: %v", runCtx.Err())}
	}
	res.Params = params
	if res.State == trial.Failed && res.Error != "" {
		if d := h.src.loaded(req.Dataset); d != nil {
			res.Error = withhold(res.Error, d)
		}
	}
	if res.State == trial.Failed && errors.Is(runCtx.Err(), context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.Canceled) {
		res.Error = fmt.Sprintf("worker: timed out: the trial did not finish within %s (stopped %v before the deadline): %s", limit, margin.Round(time.Millisecond), res.Error)
	}
	resp := LambdaResponse{Result: res, S3Gets: h.src.Gets(), Environment: h.env}
	if lreq.Results != nil {
		stored, err := h.storeResult(ctx, lreq, res)
		if err != nil {
			// The answer still carries the result: storing it is what
			// lets a lost answer be recovered, not what makes it count.
			stored = err.Error()
		}
		resp.Stored = stored
	}
	return resp
}

// checkResultsRef refuses a results location outside the worker's bucket
// and results prefix (checkResults), or whose study segment could name
// another place.
func (h *LambdaHandler) checkResultsRef(ref *ResultsRef) error {
	if err := h.checkResults(ref); err != nil {
		return err
	}
	study := strings.TrimSuffix(strings.TrimPrefix(ref.Prefix, h.cfg.ResultsPrefix), "/")
	if why := checkStudySegment(study); why != "" {
		return fmt.Errorf("worker: store results at s3://%s/%s: %w: the study segment %s", ref.Bucket, quoteShort(ref.Prefix), ErrRefused, why)
	}
	return nil
}

// checkStudySegment returns why study, the one segment of a results
// prefix after the worker's results prefix, is refused, or "" when it is
// safe to write under. Study names are chosen by people (any text without
// slashes, not starting with a dot; see results.CheckStudyName), so
// letters of every script are allowed; what is refused is every way of
// leaving the prefix or of naming one place two ways: a slash or
// backslash, a leading dot (".", ".."), percent escapes that a store might
// decode ("%2e%2e"), control and format characters, invalid UTF-8, and
// Unicode look-alikes of dots and slashes.
func checkStudySegment(study string) string {
	switch {
	case study == "":
		return "is empty"
	case len(study) > maxKey/2:
		return fmt.Sprintf("is longer than %d bytes", maxKey/2)
	case !utf8.ValidString(study):
		return "is not valid UTF-8"
	case study[0] == '.':
		return "starts with a dot"
	}
	for i, r := range study {
		switch {
		case r == '/' || r == '\\':
			return fmt.Sprintf("has %q in it", r)
		case r == '%' && i+2 < len(study) && isHex(study[i+1]) && isHex(study[i+2]):
			return fmt.Sprintf("has a percent escape %q in it", study[i:i+3])
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			return fmt.Sprintf("has the character %U in it", r)
		case strings.ContainsRune(lookalikes, r):
			return fmt.Sprintf("has %U, which looks like a dot or a slash, in it", r)
		}
	}
	return ""
}

// lookalikes are characters that Unicode normalisation (NFKC), or a
// careless store, turns into '.', '/' or '\'.
const lookalikes = "\u2024\u2025\u2026\uFE52\uFF0E\u2215\u2044\uFF0F\u29F8\uFE68\uFF3C\u29F9\u2216"

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// folder returns prefix ending with a slash.
func folder(prefix string) string {
	if strings.HasSuffix(prefix, "/") {
		return prefix
	}
	return prefix + "/"
}

// withhold returns msg with every quoted string of d (as %q prints it) —
// its name, target, feature names, the columns and categories one-hot
// features are made of, and its class labels — replaced by "…", longest
// first, so that an error shows where the problem is but not the data.
func withhold(msg string, d *datasets.Dataset) string {
	strs := []string{d.Name, d.Target}
	strs = append(strs, d.Classes...)
	for _, f := range d.Features {
		col, val, onehot := strings.Cut(f, "=")
		strs = append(strs, f)
		if onehot {
			strs = append(strs, col, val)
		}
	}
	quoted := make([]string, 0, len(strs))
	for _, s := range strs {
		if s != "" {
			quoted = append(quoted, strconv.Quote(s))
		}
	}
	sort.Slice(quoted, func(i, j int) bool { return len(quoted[i]) > len(quoted[j]) })
	for _, q := range quoted {
		if strings.Contains(msg, q) {
			msg = strings.ReplaceAll(msg, q, `"…"`)
		}
	}
	return msg
}

// Gets returns how many S3 GET requests the handler has made.
func (h *LambdaHandler) Gets() int64 { return h.src.Gets() }

// faults are the test-only fault hooks a trial requested.
type faults struct {
	panicMsg string
	allocMB  int
	sleep    time.Duration
	hang     time.Duration
}

// takeFaults removes the fault-hook parameters from p, returning a copy.
func takeFaults(p trial.Params) (trial.Params, faults) {
	var f faults
	if len(p) == 0 {
		return p, f
	}
	q := p.Clone()
	for name := range p {
		if !strings.HasPrefix(name, "_") {
			continue
		}
		switch name {
		case "_panic":
			if s, ok := p.String(name); ok {
				f.panicMsg = s
			} else if b, _ := p.Bool(name); b {
				f.panicMsg = "test fault: _panic"
			}
		case "_alloc_mb":
			f.allocMB, _ = p.Int(name)
		case "_sleep_ms":
			ms, _ := p.Float(name)
			f.sleep = time.Duration(ms * float64(time.Millisecond))
		case "_hang_ms":
			ms, _ := p.Float(name)
			f.hang = time.Duration(ms * float64(time.Millisecond))
		default:
			continue
		}
		delete(q, name)
	}
	return q, f
}

// apply injects the faults around run. It reports false when the deadline
// passed while sleeping, in which case run was not called.
func (f faults) apply(ctx context.Context, run func() trial.Result) (trial.Result, bool) {
	var ballast [][]byte
	for range f.allocMB {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		ballast = append(ballast, b)
	}
	if f.hang > 0 {
		time.Sleep(f.hang)
	}
	if f.sleep > 0 {
		t := time.NewTimer(f.sleep)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return trial.Result{}, false
		}
	}
	if f.panicMsg != "" {
		panic(f.panicMsg)
	}
	res := run()
	runtime.KeepAlive(ballast)
	return res, true
}
