package emulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
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
	// objects. A relative Dir is taken from the working directory at
	// Start.
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
	// CacheDir is where InstallTools caches the tools. Empty means
	// DefaultCacheDir.
	CacheDir string
	// Tools are the emulator's programs. Zero means InstallTools with
	// CacheDir and Log.
	Tools Tools
	// Log receives InstallTools' progress. Nil logs nothing.
	Log *slog.Logger
	// LambdaAddr and S3Addr are the listen addresses of the Lambda API
	// and of S3. Empty means a free port on 127.0.0.1. Only loopback
	// hosts are accepted. One that cannot be bound is a *PortError,
	// reported before the tools are built.
	LambdaAddr, S3Addr string
	// Faults, if set, is consulted for each invocation; see SetFaults.
	Faults Faults
	// Simulate, if set, makes a simulated Lambda: virtual execution
	// environments in this process instead of aws-lambda-rie processes
	// (see Simulated). Bootstrap is then not needed, and Workers is the
	// function's concurrency limit.
	Simulate *Simulated
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
	// Dir is Options.Dir, made absolute, or the temporary directory in
	// use.
	Dir string
	// TempDir reports whether Dir is a temporary directory, removed with
	// the S3 data in it by Close.
	TempDir bool

	gateway *process
	envs    []*environment
	router  *router
	sim     *simulator
	server  *http.Server
	serving chan struct{}
}

// Start binds the listen addresses, finds or builds the tools (see
// InstallTools), then starts the S3 gateway, creates the bucket, starts
// opts.Workers environments running opts.Bootstrap and the router, and
// returns when all answer. On error everything started is stopped.
func Start(ctx context.Context, opts Options) (_ *Emulation, err error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if o.Simulate != nil {
		return startSimulated(ctx, o)
	}
	e, lambdaLn, tools, err := begin(ctx, o, true)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lambdaLn.Close()
			e.Close()
		}
	}()

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
			return nil, fmt.Errorf("emulate: %w", err)
		}
		// Each environment has a /tmp of its own, as on Lambda, kept
		// across runtime restarts of that environment.
		tmp := filepath.Join(e.Dir, "env", strconv.Itoa(i), "tmp")
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return nil, fmt.Errorf("emulate: %w", err)
		}
		envVars := append(slices.Clip(vars), "TMPDIR="+tmp)
		env := &environment{
			id: i, rieBin: tools.RIE, bootstrap: o.Bootstrap, env: envVars,
			memoryMB: o.Memory, timeout: time.Duration(timeoutSeconds(o.Timeout)) * time.Second,
			logFile: f, log: newLogCapture(f), stopped: make(chan struct{}),
		}
		e.envs = append(e.envs, env)
		g.Go(func() error { return env.start(gctx) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, env := range e.envs {
		e.router.idle <- env
	}

	e.serve(lambdaLn, e.router.handler())
	return e, nil
}

// begin is what an emulation and a simulation start alike: it binds the
// Lambda API's listen address and holds S3's (a fixed port in use should
// fail before a minute of building), finds or builds the tools (the
// emulator too when rie), makes the Emulation and its directory with
// logs, starts the S3 gateway and creates the bucket. On error everything
// it started is stopped; otherwise the caller owns the listener, to give
// to serve or close.
func begin(ctx context.Context, o Options, rie bool) (_ *Emulation, lambdaLn net.Listener, tools Tools, err error) {
	lambdaLn, err = listen("Lambda API", o.LambdaAddr)
	if err != nil {
		return nil, nil, tools, err
	}
	var s3Ln net.Listener
	if o.S3Addr != "" {
		if s3Ln, err = listen("S3", o.S3Addr); err != nil {
			lambdaLn.Close()
			return nil, nil, tools, err
		}
	}
	// The listener itself, not the named result: a return of nil for it
	// runs the deferred close below after lambdaLn was set to nil.
	ln := lambdaLn
	closeListeners := func() {
		ln.Close()
		if s3Ln != nil {
			s3Ln.Close()
		}
	}
	tools = o.Tools
	if (rie && tools.RIE == "") || tools.VersityGW == "" {
		if tools, err = InstallTools(ctx, ToolsOptions{CacheDir: o.CacheDir, Log: o.Log}); err != nil {
			closeListeners()
			return nil, nil, tools, err
		}
	}
	e := &Emulation{
		Bucket: o.Bucket, Function: o.Function, Region: DefaultRegion,
		AccessKey: DefaultAccessKey, SecretKey: DefaultSecretKey,
		Dir: o.Dir, serving: make(chan struct{}),
	}
	defer func() {
		if err != nil {
			closeListeners()
			e.Close()
		}
	}()
	if e.Dir == "" {
		if e.Dir, err = os.MkdirTemp("", "hpsearch-emulate-"); err != nil {
			return nil, nil, tools, fmt.Errorf("emulate: %w", err)
		}
		e.TempDir = true
	}
	if err := os.MkdirAll(filepath.Join(e.Dir, "logs"), 0o755); err != nil {
		return nil, nil, tools, fmt.Errorf("emulate: %w", err)
	}
	s3Addr := o.S3Addr
	if s3Addr == "" {
		if s3Addr, err = freeAddr(); err != nil {
			return nil, nil, tools, err
		}
	}
	gwLogPath := filepath.Join(e.Dir, "logs", "versitygw.log")
	gwLog, err := os.OpenFile(gwLogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, tools, fmt.Errorf("emulate: %w", err)
	}
	defer gwLog.Close() // the child holds its own descriptor
	if s3Ln != nil {
		s3Ln.Close() // held until now, for the gateway to bind
	}
	if e.gateway, err = startGateway(ctx, tools.VersityGW, gatewayRoot(e.Dir), s3Addr, e.AccessKey, e.SecretKey, e.Region, gwLog); err != nil {
		return nil, nil, tools, fmt.Errorf("%w (its log: %s)", err, gwLogPath)
	}
	e.S3Endpoint = "http://" + s3Addr
	if err := createBucket(ctx, NewS3Client(e.S3Endpoint, e.Region, e.AccessKey, e.SecretKey), e.Bucket); err != nil {
		return nil, nil, tools, err
	}
	return e, lambdaLn, tools, nil
}

// serve serves the Lambda API with h on ln until Close.
func (e *Emulation) serve(ln net.Listener, h http.Handler) {
	e.LambdaEndpoint = "http://" + ln.Addr().String()
	e.server = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(e.serving)
		_ = e.server.Serve(ln)
	}()
}

func (o Options) withDefaults() (Options, error) {
	if o.Workers == 0 {
		o.Workers = 1
	}
	if o.Workers < 0 {
		return o, fmt.Errorf("emulate: workers %d: must be positive", o.Workers)
	}
	if o.Simulate == nil {
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
	}
	var err error
	// Absolute before anything runs in another directory: the gateway
	// runs in Dir/s3 and is given its root.
	if o.Dir != "" {
		if o.Dir, err = filepath.Abs(o.Dir); err != nil {
			return o, fmt.Errorf("emulate: dir: %w", err)
		}
	}
	if o.CacheDir != "" {
		if o.CacheDir, err = filepath.Abs(o.CacheDir); err != nil {
			return o, fmt.Errorf("emulate: cache dir: %w", err)
		}
	}
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
	if o.LambdaAddr != "" && o.LambdaAddr == o.S3Addr {
		return o, fmt.Errorf("emulate: the Lambda API and S3 both want %s", o.LambdaAddr)
	}
	return o, nil
}

// ErrPortInUse is matched by a *PortError whose port another program
// holds.
var ErrPortInUse = errors.New("emulate: port in use")

// PortError is a listen address of the emulation that could not be bound.
type PortError struct {
	Service string // "Lambda API" or "S3"
	Addr    string // host:port
	Err     error  // from net.Listen
}

func (e *PortError) Error() string {
	_, port, _ := net.SplitHostPort(e.Addr)
	if errors.Is(e.Err, syscall.EADDRINUSE) {
		return fmt.Sprintf("emulate: the %s port %s (%s) is in use by another program", e.Service, port, e.Addr)
	}
	return fmt.Sprintf("emulate: the %s port %s: %v", e.Service, port, e.Err)
}

// Unwrap returns the listen error.
func (e *PortError) Unwrap() error { return e.Err }

// Is reports whether target is ErrPortInUse and the port is taken.
func (e *PortError) Is(target error) bool {
	return target == ErrPortInUse && errors.Is(e.Err, syscall.EADDRINUSE)
}

// CheckAddrs reports, as a *PortError, the first of the fixed listen
// addresses lambdaAddr and s3Addr (empty for a free port) that cannot be
// bound now, so that a caller can refuse before building anything. Start
// checks again, for good.
func CheckAddrs(lambdaAddr, s3Addr string) error {
	for _, a := range []struct{ service, addr string }{{"Lambda API", lambdaAddr}, {"S3", s3Addr}} {
		if a.addr == "" {
			continue
		}
		l, err := listen(a.service, a.addr)
		if err != nil {
			return err
		}
		l.Close()
	}
	return nil
}

// listen binds addr, or a free loopback port for an empty addr, for
// service.
func listen(service, addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &PortError{Service: service, Addr: addr, Err: err}
	}
	return l, nil
}

// SetFaults replaces the fault injector; nil injects nothing. It is safe
// to call while invocations run.
func (e *Emulation) SetFaults(f Faults) { e.router.faults.Store(&faultsBox{f}) }

// Stats returns the router's counters.
func (e *Emulation) Stats() Stats { return e.router.stats.snapshot() }

// EnvSimulated is set to 1 among the variables of a simulated emulation
// (see Emulation.Env), so that a study's cost says its billed durations
// were simulated.
const EnvSimulated = "HPSEARCH_SIMULATED"

// Env returns the variables that point the AWS SDK and CLI, and hpsearch,
// at the emulation, as KEY=VALUE; a simulated one adds EnvSimulated=1.
func (e *Emulation) Env() []string {
	if e.sim != nil {
		return append(e.env(), EnvSimulated+"=1")
	}
	return e.env()
}

func (e *Emulation) env() []string {
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
	if e.sim != nil {
		e.sim.close()
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
	if e.TempDir {
		if err := os.RemoveAll(e.Dir); err != nil {
			errs = append(errs, fmt.Errorf("emulate: %w", err))
		}
		e.TempDir = false
	}
	return errors.Join(errs...)
}

// String describes the emulation for logs.
func (e *Emulation) String() string {
	workers := strconv.Itoa(cap(e.router.idle)) + " workers"
	if e.sim != nil {
		workers = "simulated, concurrency " + strconv.Itoa(e.sim.fleet.limit)
	}
	return "lambda " + e.LambdaEndpoint + " (" + e.Function + ", " + workers + "), s3 " + e.S3Endpoint + " (" + e.Bucket + ")"
}
