package emulate

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// Simulated turns an emulation into a simulated Lambda (Options.Simulate),
// for rehearsing a large study's wall time and cost on one machine.
//
// A simulated function has virtual execution environments instead of a
// process each: it runs the real worker code (worker.LambdaHandler with
// the S3 source, as cmd/worker does) in this process for each invocation,
// then holds the answer until the invocation's simulated duration has
// passed on Clock, and answers as Lambda does, with a REPORT line whose
// Duration, Billed Duration and Init Duration are the simulated ones, so
// that cost figures come out as on AWS. The S3 gateway is the emulation's
// as usual.
//
// The environments follow Lambda's rules (see fleet): an invocation takes
// an idle environment, or a new one, which first spends ColdStart
// starting, when fewer than Options.Workers exist and fewer than
// ScalingBurst were created in the last ScalingWindow; otherwise it is
// answered 429 TooManyRequestsException. Faults (Options.Faults) apply as
// to the emulation: Throttle and ServerError answer at once, DropResponse
// holds the invocation as usual then drops the connection, Crash runs
// the invocation and answers Runtime.ExitError after its CrashAfter (or
// the simulated duration, when that is sooner), and Timeout holds the
// environment for the function's timeout and answers Sandbox.Timedout.
//
// What is not simulated: an environment's memory (the REPORT line has no
// Max Memory Used), and a dataset is fetched once for the whole fleet,
// not once per environment (the handler and its dataset cache are
// shared), so S3 GETs are fewer than on Lambda.
type Simulated struct {
	// Durations is how long each invocation runs, and what its REPORT
	// line says. When the worker takes longer here, the answer is late
	// (see Emulation.SimulatedLate) but its duration is still this one.
	Durations TrialDurations
	// ColdStart is the Init Duration of a new environment: its first
	// invocation is answered that much later, and billed for it, as on
	// provided.al2023. Zero means none; DefaultColdStart is the published
	// figure.
	ColdStart time.Duration
	// Clock is the time source; nil means the wall clock. Tests give a
	// fake.
	Clock Clock
	// Burst and Window are the scaling limit: at most Burst new
	// environments in any Window. Zero means ScalingBurst and
	// ScalingWindow.
	Burst  int
	Window time.Duration
}

// Clock is a simulation's time source. It must be safe for concurrent
// use.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed
	// (at once for d <= 0).
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// simulator serves the Lambda API for a simulated function. It shares the
// router's identity, fault injector and counters.
type simulator struct {
	rt     *router
	opts   Simulated
	clock  Clock
	fleet  *fleet
	worker *worker.LambdaHandler
	// stop ends the holds of invocations whose callers went away, which
	// otherwise keep their environments busy until their simulated end,
	// as Lambda does.
	stop     chan struct{}
	stopOnce sync.Once
	// running tracks those holds, for close.
	running sync.WaitGroup
	// late counts the answers held past their simulated end because the
	// worker took longer on this machine.
	late atomic.Int64
}

// newSimulator returns the simulator of a function whose concurrency
// limit is limit, running handler for each invocation.
func newSimulator(rt *router, opts Simulated, limit int, handler *worker.LambdaHandler) *simulator {
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	if opts.Burst <= 0 {
		opts.Burst = ScalingBurst
	}
	if opts.Window <= 0 {
		opts.Window = ScalingWindow
	}
	return &simulator{rt: rt, opts: opts, clock: opts.Clock, fleet: newFleet(limit, opts.Burst, opts.Window),
		worker: handler, stop: make(chan struct{})}
}

// simulatedWorker returns the handler the simulator runs: the worker of
// cmd/worker, reading datasets and storing results through the
// emulation's S3, with a cache directory under dir. Its HTTP client keeps
// a connection per concurrent invocation, so that a thousand invocations
// storing results do not open a connection each.
func simulatedWorker(dir, s3Endpoint, region, access, secret, bucket string, concurrency int) *worker.LambdaHandler {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = concurrency + 16
		t.MaxIdleConnsPerHost = concurrency + 16
	})
	c := s3.New(s3.Options{
		Region:       region,
		BaseEndpoint: aws.String(s3Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(access, secret, ""),
		HTTPClient:   hc,
		// Checksums only where S3 requires them: a result stored with a
		// trailing CRC32 (aws-chunked) costs the gateway, on the same
		// cores as the rest of the rehearsal, more than the store itself;
		// on Lambda it costs the time the simulated duration stands for.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return worker.NewLambdaHandlerWith(worker.LambdaConfig{
		Bucket:   bucket,
		CacheDir: filepath.Join(dir, "simulated", "tmp"),
	}, c)
}

func (s *simulator) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", s.invoke)
	mux.HandleFunc("GET /2015-03-31/functions/{name}", s.rt.getFunction)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "User",
			fmt.Sprintf("the simulator does not implement %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// close ends the holds of abandoned invocations and waits for them.
func (s *simulator) close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.running.Wait()
}

// lateSlack is how far past its simulated end an answer may leave
// without counting as late: the worker's own milliseconds.
const lateSlack = 10 * time.Millisecond

// simInvocation is what a simulated invocation answers, and when.
type simInvocation struct {
	payload       []byte
	functionError string
	// run is the invocation's simulated duration, init excluded: what
	// its REPORT line says and Lambda would bill.
	run time.Duration
	// took is how long the worker took here; the answer cannot leave
	// before it, however short run is.
	took time.Duration
}

func (s *simulator) invoke(w http.ResponseWriter, r *http.Request) {
	rt := s.rt
	rt.running.Add(1)
	defer rt.running.Done()
	payload, fault, ok := rt.admit(w, r, s.clock.After, ReasonConcurrency)
	if !ok {
		return
	}

	arrived := s.clock.Now()
	env, cold, reason := s.fleet.acquire(arrived)
	if env == nil {
		rt.throttle(w, reason)
		return
	}
	rt.stats.running.Add(1)
	id := newRequestID()
	var init time.Duration
	if cold {
		init = s.opts.ColdStart
	}
	inv := s.run(r.Context(), env, fault, id, payload)
	if inv.functionError != "" {
		rt.stats.functionErrors.Add(1)
	}

	// Hold the answer until the simulated end: the environment is busy
	// until then whether or not the caller waits, as on Lambda. A worker
	// slower here than the simulated duration makes the answer late,
	// not the duration longer: the figures stay those of Lambda.
	end := arrived.Add(init + max(inv.run, inv.took))
	if inv.took > inv.run+max(lateSlack, inv.run/10) {
		s.late.Add(1)
	}
	if !s.hold(r.Context(), end) {
		s.running.Add(1)
		go func() {
			defer s.running.Done()
			s.hold(context.Background(), end)
			rt.stats.running.Add(-1)
			s.fleet.release(env)
		}()
		return
	}
	rt.stats.running.Add(-1)
	s.fleet.release(env)

	rt.respond(w, r, fault, id, inv.payload, inv.functionError, simReport(id, inv.run, init, rt.memory))
}

// hold waits until end on the simulation's clock, and reports false if
// ctx ended first or the simulation stopped.
func (s *simulator) hold(ctx context.Context, end time.Time) bool {
	wait := end.Sub(s.clock.Now())
	if wait <= 0 {
		return true
	}
	select {
	case <-s.clock.After(wait):
		return true
	case <-ctx.Done():
		return false
	case <-s.stop:
		return false
	}
}

// run runs an invocation on env in this process, or the fault that
// replaces it, and says what to answer after how long.
func (s *simulator) run(ctx context.Context, env *virtualEnv, fault Fault, id string, payload []byte) simInvocation {
	timeout := time.Duration(timeoutSeconds(s.rt.timeout)) * time.Second
	if fault.Kind == Timeout {
		s.rt.stats.injected.Add(1)
		return simFailure(id, "Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds()), timeout)
	}
	var req worker.LambdaRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		// As aws-lambda-go reports the handler's error.
		return simFailure(id, "wrapError", fmt.Sprintf("worker: decode request: %v", err), 0)
	}
	// Lambda finishes an invocation whose caller went away.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	start := s.clock.Now()
	gets := s.worker.Gets()
	resp := s.worker.Handle(wctx, req)
	cancel()
	took := s.clock.Now().Sub(start)
	env.gets += s.worker.Gets() - gets
	resp.S3Gets = env.gets
	resp.Environment = env.name

	run := s.opts.Durations.For(req.Trial.Number, req.Trial.Attempt)
	if tt := time.Duration(req.TrialTimeoutMS) * time.Millisecond; tt > 0 && tt < timeout {
		// The worker stops a trial this long before its trial timeout
		// and reports the timeout itself (see worker.LambdaConfig).
		stopAt := tt - min(500*time.Millisecond, tt/10)
		if run > stopAt {
			run = stopAt
			resp.Result.State = trial.Failed
			resp.Result.Score, resp.Result.FoldScores = 0, nil
			resp.Result.Error = fmt.Sprintf("worker: timed out: the trial did not finish within the trial timeout (%v) (stopped %v before the deadline): simulated duration %v",
				tt, (tt - stopAt).Round(time.Millisecond), s.opts.Durations.For(req.Trial.Number, req.Trial.Attempt))
		}
	}
	if run > timeout {
		return simFailure(id, "Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds()), timeout)
	}
	if fault.Kind == Crash {
		s.rt.stats.injected.Add(1)
		return simFailure(id, "Runtime.ExitError", "Runtime exited with error: signal: killed (injected crash)", min(fault.CrashAfter, run))
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return simFailure(id, "Runtime.MarshalError", fmt.Sprintf("worker: encode response: %v", err), run)
	}
	return simInvocation{payload: body, run: run, took: took}
}

// simFailure is a function error that took run.
func simFailure(id, typ, msg string, run time.Duration) simInvocation {
	return simInvocation{payload: errorDocument(id, typ, msg), functionError: "Unhandled", run: run}
}

// simReport is the log tail of a simulated invocation: its START, END and
// REPORT lines. Billed Duration includes the init phase, as for
// provided.al2023.
func simReport(id string, run, init time.Duration, memoryMB int) []byte {
	ms := float64(run.Microseconds()) / 1000
	initMS := float64(init.Microseconds()) / 1000
	out := fmt.Appendf(nil, "START RequestId: %s Version: $LATEST\nEND RequestId: %s\nREPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.f ms\tMemory Size: %d MB\t",
		id, id, id, ms, math.Ceil(ms+initMS), memoryMB)
	if init > 0 {
		out = fmt.Appendf(out, "Init Duration: %.2f ms\t", initMS)
	}
	return append(out, '\n')
}

// SimulatedLate returns how many answers of a simulated emulation left
// well after their simulated end (by more than a tenth, and 10 ms), because the worker took longer on this
// machine than the simulated duration (their REPORT lines still say the
// simulated duration). Many late answers mean that this machine, not the
// simulated function, set the rehearsal's pace.
func (e *Emulation) SimulatedLate() int64 {
	if e.sim == nil {
		return 0
	}
	return e.sim.late.Load()
}

// SimulatedEnvironments returns how many virtual execution environments a
// simulated emulation has created (cold starts), and how many are idle
// now; 0, 0 for an emulation that is not simulated.
func (e *Emulation) SimulatedEnvironments() (created, idle int) {
	if e.sim == nil {
		return 0, 0
	}
	return e.sim.fleet.counts()
}
