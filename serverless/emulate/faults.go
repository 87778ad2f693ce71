package emulate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults decides, for each invocation the router receives, whether to
// inject a fault. Inject is called once per Invoke request, before the
// router looks for an idle environment, and must be safe for concurrent
// use.
type Faults interface {
	Inject(function string) Fault
}

// FaultKind is what the router does instead of, or after, running an
// invocation.
type FaultKind int

const (
	// NoFault runs the invocation normally.
	NoFault FaultKind = iota
	// Throttle answers 429 TooManyRequestsException without running.
	Throttle
	// ServerError answers 500 ServiceException without running.
	ServerError
	// DropResponse runs the invocation, then closes the connection
	// without answering, as a lost response does: the work was done
	// (and may have written results) but the caller cannot know.
	DropResponse
	// Crash kills the environment's runtime while the invocation runs
	// (Fault.CrashAfter after it is handed over, or when it ends if that
	// is sooner) and answers the function error Lambda gives for a
	// runtime that died, Unhandled Runtime.ExitError. Whatever the
	// function did before it died (a result stored) stays done. The
	// environment restarts before its next invocation.
	Crash
	// Timeout holds an environment for the function's timeout without
	// running the invocation, as a function that hung would, then answers
	// Unhandled Sandbox.Timedout.
	Timeout
)

// Fault is one decision of a Faults.
type Fault struct {
	Kind FaultKind
	// Delay is added before the invocation is dispatched (or the fault
	// answered), as network or service latency.
	Delay time.Duration
	// CrashAfter is how long a Crash lets the invocation run.
	CrashAfter time.Duration
}

// RandomFaults injects faults at independent rates with a seeded source,
// so a run of invocations arriving in the same order sees the same
// faults. The zero value injects nothing. Rates are probabilities in
// [0, 1]; Throttle, ServerError, DropResponse, Crash and Timeout are
// exclusive and their sum must not exceed 1.
type RandomFaults struct {
	Seed         uint64
	Throttle     float64
	ServerError  float64
	DropResponse float64
	Crash        float64
	Timeout      float64
	// CrashWithin bounds how long a crashing invocation runs: its
	// CrashAfter is drawn uniformly from [0, CrashWithin).
	CrashWithin time.Duration
	// Delay is the probability of adding DelayFor before dispatch.
	Delay    float64
	DelayFor time.Duration

	mu  sync.Mutex
	rng *rand.Rand
}

var _ Faults = (*RandomFaults)(nil)

// Inject implements Faults.
func (f *RandomFaults) Inject(string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rng == nil {
		f.rng = rand.New(rand.NewPCG(f.Seed, 0x6870736561726368)) // "hpsearch"
	}
	var out Fault
	u := f.rng.Float64()
	switch {
	case u < f.Throttle:
		out.Kind = Throttle
	case u < f.Throttle+f.ServerError:
		out.Kind = ServerError
	case u < f.Throttle+f.ServerError+f.DropResponse:
		out.Kind = DropResponse
	case u < f.Throttle+f.ServerError+f.DropResponse+f.Crash:
		out.Kind = Crash
		out.CrashAfter = time.Duration(f.rng.Float64() * float64(f.CrashWithin))
	case u < f.Throttle+f.ServerError+f.DropResponse+f.Crash+f.Timeout:
		out.Kind = Timeout
	}
	if f.rng.Float64() < f.Delay {
		out.Delay = f.DelayFor
	}
	return out
}

// run runs an invocation on env, or the fault that replaces it.
func (rt *router) run(ctx context.Context, env *environment, fault Fault, id string, payload []byte, clientContext string) invocation {
	switch fault.Kind {
	case Crash:
		rt.stats.injected.Add(1)
		return env.crash(ctx, id, payload, clientContext, fault.CrashAfter)
	case Timeout:
		rt.stats.injected.Add(1)
		return env.hang(id, rt.timeout)
	}
	return env.invoke(ctx, id, payload, clientContext)
}

// crash runs the invocation and kills the runtime after at most after;
// see Crash.
func (e *environment) crash(ctx context.Context, id string, payload []byte, clientContext string, after time.Duration) invocation {
	if p := e.current(); e.broken || p == nil || p.exited() {
		if err := e.restart(ctx); err != nil {
			e.broken = true
			return failure(id, "Runtime.Unavailable", fmt.Sprintf("execution environment could not start: %v", err), nil)
		}
	}
	p := e.current()
	ended := make(chan struct{})
	var killer sync.WaitGroup
	killer.Go(func() {
		t := time.NewTimer(after)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ended:
		}
		p.stop(0)
	})
	inv := e.invoke(ctx, id, payload, clientContext)
	close(ended)
	killer.Wait()
	e.broken = true
	return failure(id, "Runtime.ExitError", "Runtime exited with error: signal: killed (injected crash)", inv.log)
}

// hang holds the environment for the function's timeout d and answers as
// Lambda does for an invocation that overran it; see Timeout. It ends
// early, with the same answer, when the emulation closes.
func (e *environment) hang(id string, d time.Duration) invocation {
	start := time.Now()
	t := time.NewTimer(time.Duration(timeoutSeconds(d)) * time.Second)
	defer t.Stop()
	select {
	case <-t.C:
	case <-e.stopped:
	}
	return failure(id, "Sandbox.Timedout", fmt.Sprintf("Task timed out after %.2f seconds", float64(timeoutSeconds(d))),
		reportLines(id, time.Since(start), e.memoryMB))
}
