package emulate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"
)

// Defaults for the zero values of Options.
const (
	DefaultFunction  = "hpsearch-worker"
	DefaultBucket    = "hpsearch"
	DefaultRegion    = "us-east-1"
	DefaultAccessKey = "hpsearch"
	DefaultSecretKey = "hpsearch-emulated-secret"
	DefaultMemory    = 1769 // MB, one full vCPU on Lambda
	DefaultTimeout   = 300 * time.Second
)

// Options configures an emulation. Zero values take the documented
// defaults.
type Options struct {
	// Workers is the number of execution environments, the function's
	// concurrency limit. Zero means 1.
	Workers int
	// Dir holds the S3 data (Dir/s3/BUCKET/...) and each environment's
	// log (Dir/logs). Empty means a temporary directory removed by Close;
	// a given Dir is kept, and a second emulation over it sees the same
	// objects.
	Dir string
	// Bootstrap is the path of the function's bootstrap, a Linux binary
	// for this machine's architecture built by BuildWorker. Required.
	Bootstrap string
	// Function is the function name. Empty means DefaultFunction.
	Function string
	// Bucket is created if missing. Empty means DefaultBucket.
	Bucket string
	// Memory is the function's memory in MB: a runtime whose resident
	// memory exceeds it is killed. Zero means DefaultMemory.
	Memory int
	// Timeout is the invocation timeout, rounded up to whole seconds.
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// Env is added to the function's environment, over the defaults.
	Env map[string]string
	// CacheDir is where BuildTools caches the tools. Empty means
	// DefaultCacheDir.
	CacheDir string
	// LambdaAddr and S3Addr are the listen addresses of the Lambda API
	// and of S3. Empty means a free port on 127.0.0.1. Only loopback
	// hosts are accepted.
	LambdaAddr, S3Addr string
	// Faults, if set, is consulted for each invocation; see SetFaults.
	Faults Faults
}

// Emulation is a running S3 gateway, a fleet of execution environments
// and the Lambda API router in front of them. Close stops them all.
type Emulation struct {
	// LambdaEndpoint and S3Endpoint are http://127.0.0.1:PORT URLs to
	// give to the SDK as BaseEndpoint, or as AWS_ENDPOINT_URL_LAMBDA and
	// AWS_ENDPOINT_URL_S3.
	LambdaEndpoint, S3Endpoint string
	Bucket, Function, Region   string
	AccessKey, SecretKey       string
	// Dir is Options.Dir or the temporary directory in use.
	Dir string

	tempDir bool
	gateway *process
	envs    []*environment
	router  *router
	server  *http.Server
	serving chan struct{}
}

// Start builds the tools if they are not cached, then starts the S3
// gateway, creates the bucket, starts opts.Workers environments running
// opts.Bootstrap and the router, and returns when all answer. On error
// everything started is stopped.
func Start(ctx context.Context, opts Options) (_ *Emulation, err error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	rieBin, gatewayBin, err := BuildTools(ctx, o.CacheDir)
	if err != nil {
		return nil, err
	}
	e := &Emulation{
		Bucket: o.Bucket, Function: o.Function, Region: DefaultRegion,
		AccessKey: DefaultAccessKey, SecretKey: DefaultSecretKey,
		Dir: o.Dir, serving: make(chan struct{}),
	}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	if e.Dir == "" {
		if e.Dir, err = os.MkdirTemp("", "hpsearch-emulate-"); err != nil {
			return nil, fmt.Errorf("emulate: %w", err)
		}
		e.tempDir = true
	}
	if err := os.MkdirAll(filepath.Join(e.Dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("emulate: %w", err)
	}

	// Bind the router's port first: a fixed port in use should fail
	// before anything is started.
	lambdaLn, err := listen(o.LambdaAddr)
	if err != nil {
		return nil, err
	}
	s3Addr := o.S3Addr
	if s3Addr == "" {
		if s3Addr, err = freeAddr(); err != nil {
			lambdaLn.Close()
			return nil, err
		}
	}
	gwLog, err := os.OpenFile(filepath.Join(e.Dir, "logs", "versitygw.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		lambdaLn.Close()
		return nil, fmt.Errorf("emulate: %w", err)
	}
	defer gwLog.Close() // the child holds its own descriptor
	if e.gateway, err = startGateway(ctx, gatewayBin, gatewayRoot(e.Dir), s3Addr, e.AccessKey, e.SecretKey, e.Region, gwLog); err != nil {
		lambdaLn.Close()
		return nil, err
	}
	e.S3Endpoint = "http://" + s3Addr
	if err := createBucket(ctx, NewS3Client(e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey), e.Bucket); err != nil {
		lambdaLn.Close()
		return nil, err
	}

	extra := map[string]string{
		"AWS_ACCESS_KEY_ID":      e.AccessKey,
		"AWS_SECRET_ACCESS_KEY":  e.SecretKey,
		"AWS_REGION":             e.Region,
		"AWS_DEFAULT_REGION":     e.Region,
		"AWS_ENDPOINT_URL_S3":    e.S3Endpoint,
		"HPSEARCH_BUCKET":        e.Bucket,
		"HPSEARCH_FUNCTION":      e.Function,
		"HPSEARCH_S3_PATH_STYLE": "true",
	}
	vars := environmentVars(&o, extra)
	e.router = &router{
		function: e.Function, region: e.Region, memory: o.Memory, timeout: o.Timeout,
		idle: make(chan *environment, o.Workers),
	}
	e.SetFaults(o.Faults)
	g, gctx := errgroup.WithContext(ctx)
	for i := range o.Workers {
		f, err := os.OpenFile(filepath.Join(e.Dir, "logs", envName(e.Function, i)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			lambdaLn.Close()
			return nil, fmt.Errorf("emulate: %w", err)
		}
		// Each environment has a /tmp of its own, as on Lambda, kept
		// across runtime restarts of that environment.
		tmp := filepath.Join(e.Dir, "env", strconv.Itoa(i), "tmp")
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			lambdaLn.Close()
			return nil, fmt.Errorf("emulate: %w", err)
		}
		envVars := append(slices.Clip(vars), "TMPDIR="+tmp)
		env := &environment{
			id: i, rieBin: rieBin, bootstrap: o.Bootstrap, env: envVars,
			memoryMB: o.Memory, timeout: time.Duration(timeoutSeconds(o.Timeout)) * time.Second,
			logFile: f, log: newLogCapture(f), stopped: make(chan struct{}),
		}
		e.envs = append(e.envs, env)
		g.Go(func() error { return env.start(gctx) })
	}
	if err := g.Wait(); err != nil {
		lambdaLn.Close()
		return nil, err
	}
	for _, env := range e.envs {
		e.router.idle <- env
	}

	e.LambdaEndpoint = "http://" + lambdaLn.Addr().String()
	e.server = &http.Server{Handler: e.router.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(e.serving)
		_ = e.server.Serve(lambdaLn)
	}()
	return e, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Workers == 0 {
		o.Workers = 1
	}
	if o.Workers < 0 {
		return o, fmt.Errorf("emulate: workers %d: must be positive", o.Workers)
	}
	if o.Bootstrap == "" {
		return o, errors.New("emulate: no bootstrap: build one with BuildWorker")
	}
	b, err := filepath.Abs(o.Bootstrap)
	if err != nil {
		return o, fmt.Errorf("emulate: bootstrap: %w", err)
	}
	if fi, err := os.Stat(b); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return o, fmt.Errorf("emulate: bootstrap %s: not an executable file", b)
	}
	o.Bootstrap = b
	if o.Function == "" {
		o.Function = DefaultFunction
	}
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if o.Memory == 0 {
		o.Memory = DefaultMemory
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	for _, a := range []string{o.LambdaAddr, o.S3Addr} {
		if a == "" {
			continue
		}
		host, _, err := net.SplitHostPort(a)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return o, fmt.Errorf("emulate: listen address %q: want a loopback IP and port, like 127.0.0.1:9001", a)
		}
	}
	return o, nil
}

func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulate: lambda api: %w", err)
	}
	return l, nil
}

// SetFaults replaces the fault injector; nil injects nothing. It is safe
// to call while invocations run.
func (e *Emulation) SetFaults(f Faults) { e.router.faults.Store(&faultsBox{f}) }

// Stats returns the router's counters.
func (e *Emulation) Stats() Stats { return e.router.stats.snapshot() }

// Env returns the variables that point the AWS SDK and CLI, and hpsearch,
// at the emulation, as KEY=VALUE.
func (e *Emulation) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_S3=" + e.S3Endpoint,
		"AWS_ENDPOINT_URL_LAMBDA=" + e.LambdaEndpoint,
		"AWS_ACCESS_KEY_ID=" + e.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + e.SecretKey,
		"AWS_REGION=" + e.Region,
		"HPSEARCH_BUCKET=" + e.Bucket,
		"HPSEARCH_FUNCTION=" + e.Function,
	}
}

// Close stops the router (waiting briefly for invocations in flight), the
// environments and the gateway, and removes the directory if Start made
// it. It is safe to call more than once.
func (e *Emulation) Close() error {
	var errs []error
	if e.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := e.server.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			errs = append(errs, fmt.Errorf("emulate: stop lambda api: %w", err))
		}
		cancel()
		e.server.Close() // invocations still running lose their connection
		<-e.serving
		e.server = nil
	}
	for _, env := range e.envs {
		env.close()
	}
	if e.router != nil {
		e.router.running.Wait()
	}
	for _, env := range e.envs {
		env.logFile.Close()
	}
	e.envs = nil
	if e.gateway != nil {
		e.gateway.stop(2 * time.Second)
		e.gateway = nil
	}
	if e.tempDir {
		if err := os.RemoveAll(e.Dir); err != nil {
			errs = append(errs, fmt.Errorf("emulate: %w", err))
		}
		e.tempDir = false
	}
	return errors.Join(errs...)
}

// String describes the emulation for logs.
func (e *Emulation) String() string {
	return "lambda " + e.LambdaEndpoint + " (" + e.Function + ", " + strconv.Itoa(cap(e.router.idle)) + " workers), s3 " + e.S3Endpoint + " (" + e.Bucket + ")"
}
