package emulate

import (
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
)

// Fault is one decision of a Faults.
type Fault struct {
	Kind FaultKind
	// Delay is added before the invocation is dispatched (or the fault
	// answered), as network or service latency.
	Delay time.Duration
}

// RandomFaults injects faults at independent rates with a seeded source,
// so a run of invocations arriving in the same order sees the same
// faults. The zero value injects nothing. Rates are probabilities in
// [0, 1]; Throttle, ServerError and DropResponse are exclusive and their
// sum must not exceed 1.
type RandomFaults struct {
	Seed         uint64
	Throttle     float64
	ServerError  float64
	DropResponse float64
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
	}
	if f.rng.Float64() < f.Delay {
		out.Delay = f.DelayFor
	}
	return out
}
