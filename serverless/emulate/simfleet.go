package emulate

import (
	"strconv"
	"sync"
	"time"
)

// Lambda's scaling limits, as documented in "Lambda scaling behavior"
// (https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html):
// each function scales by up to ScalingBurst new execution environments
// every ScalingWindow, up to its concurrency limit.
const (
	ScalingBurst  = 1000
	ScalingWindow = 10 * time.Second
)

// DefaultColdStart is the simulated Init Duration of a new execution
// environment. Published measurements of Go on provided.al2023 (and
// provided.al2, the same runtime on the previous Amazon Linux) put a
// hello-world function's Init Duration at about 40 ms (the daily
// lambda-perf benchmark, https://maxday.github.io/lambda-perf/, 128 MB)
// to 170 ms (tecRacer, "Custom runtime on Amazon Linux 2 - GO outperforms
// Node (3x)", 2023, 2048 MB). The worker is a larger binary than a hello
// world (every model family is linked in), so the default is the middle
// of that range rather than its floor.
const DefaultColdStart = 100 * time.Millisecond

// Throttle reasons the simulation gives in a TooManyRequestsException,
// from the Reason values of Lambda's Invoke API reference.
const (
	// ReasonConcurrency: every environment the concurrency limit allows
	// is busy.
	ReasonConcurrency = "ReservedFunctionConcurrentInvocationLimitExceeded"
	// ReasonScaling: a new environment is needed but ScalingBurst were
	// created in the last ScalingWindow.
	ReasonScaling = "ReservedFunctionInvocationRateLimitExceeded"
)

// fleet holds the scaling and throttling rules of one simulated function:
// which virtual environment an invocation arriving at a given time gets,
// or why it is throttled. Its methods take the time as an argument, so
// that tests decide it; it is safe for concurrent use.
//
// The rules, as Lambda's: an invocation takes an idle environment when
// there is one (a warm start, the most recently used first, as Lambda
// prefers warm environments); otherwise a new one is created (a cold
// start) if fewer than limit exist and fewer than burst were created in
// the window before now; otherwise it is throttled. Environments are never
// reclaimed: a rehearsal is shorter than the minutes Lambda keeps an idle
// environment.
type fleet struct {
	limit  int
	burst  int
	window time.Duration

	mu   sync.Mutex
	idle []*virtualEnv
	envs int
	// created holds the creation times of the last burst environments,
	// oldest first, as a ring starting at head.
	created []time.Time
	head    int
}

// virtualEnv is one simulated execution environment. It is used by one
// invocation at a time.
type virtualEnv struct {
	id   int
	name string // random-looking, as worker.LambdaResponse.Environment
	// gets counts the S3 GET requests made while this environment ran.
	gets int64
}

func newFleet(limit, burst int, window time.Duration) *fleet {
	return &fleet{limit: limit, burst: burst, window: window, created: make([]time.Time, 0, min(burst, limit))}
}

// acquire returns the environment for an invocation arriving at now and
// whether it is new (a cold start), or the throttle reason when there is
// none.
func (f *fleet) acquire(now time.Time) (env *virtualEnv, cold bool, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.idle); n > 0 {
		env = f.idle[n-1]
		f.idle = f.idle[:n-1]
		return env, false, ""
	}
	if f.envs >= f.limit {
		return nil, false, ReasonConcurrency
	}
	if len(f.created) == f.burst {
		// The oldest of the last burst creations must have left the
		// window for another to fit in it.
		if now.Sub(f.created[f.head]) < f.window {
			return nil, false, ReasonScaling
		}
		f.created[f.head] = now
		f.head = (f.head + 1) % f.burst
	} else {
		f.created = append(f.created, now)
	}
	env = &virtualEnv{id: f.envs, name: envID(f.envs)}
	f.envs++
	return env, true, ""
}

// release returns env to the idle pool.
func (f *fleet) release(env *virtualEnv) {
	f.mu.Lock()
	f.idle = append(f.idle, env)
	f.mu.Unlock()
}

// counts returns the environments that exist and those idle.
func (f *fleet) counts() (envs, idle int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.envs, len(f.idle)
}

// envID is a 16-hex-digit name for environment i, distinct for every i.
func envID(i int) string {
	s := strconv.FormatUint(uint64(i)*0x9E3779B97F4A7C15, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}
