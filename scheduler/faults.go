package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// ErrInjected is the error Faulty returns for an injected failure.
var ErrInjected = errors.New("injected fault")

// Faults says which faults Faulty injects and how often. Rates are the
// probabilities, in [0, 1], that one execution meets each fault; they are
// drawn independently.
type Faults struct {
	// DelayRate is the share of executions delayed, before they run, by
	// a duration drawn uniformly from [0, MaxDelay).
	DelayRate float64
	MaxDelay  time.Duration
	// PanicRate is the share of executions that panic instead of running.
	PanicRate float64
	// ErrorRate is the share that return ErrInjected instead of running,
	// as an unreachable backend would.
	ErrorRate float64
	// Seed makes the faults reproducible: whether and how an execution
	// meets a fault depends only on Seed and the trial's Number and
	// Attempt, whatever the order or concurrency of executions, so a
	// trial run again after a resume draws afresh.
	Seed uint64
}

// Faulty is an Executor that injects Faults into Executor's executions,
// for tests: the decorator restic wraps its backends in to test retries.
// It is safe for concurrent use when Executor is.
type Faulty struct {
	Executor Executor
	Faults   Faults
}

var _ Executor = (*Faulty)(nil)

// Execute delays, panics or fails as Faults draw for t, then runs t. A
// delay ends early, with ctx.Err(), when ctx is cancelled.
func (f *Faulty) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	rng := rand.New(rand.NewPCG(f.Faults.Seed^0x6661756c7473, uint64(t.Number)<<16^uint64(t.Attempt)))
	delay, length, fail, crash := rng.Float64(), rng.Float64(), rng.Float64(), rng.Float64()
	if delay < f.Faults.DelayRate && f.Faults.MaxDelay > 0 {
		timer := time.NewTimer(time.Duration(length * float64(f.Faults.MaxDelay)))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return trial.Result{}, ctx.Err()
		}
	}
	if crash < f.Faults.PanicRate {
		panic(fmt.Sprintf("scheduler: injected panic in trial %d, attempt %d", t.Number, t.Attempt))
	}
	if fail < f.Faults.ErrorRate {
		return trial.Result{}, fmt.Errorf("scheduler: trial %d, attempt %d: %w", t.Number, t.Attempt, ErrInjected)
	}
	return f.Executor.Execute(ctx, t)
}

var _ Prober = (*Faulty)(nil)

// Probe probes Executor when it is a Prober; otherwise it returns nil.
func (f *Faulty) Probe(ctx context.Context) error { return probe(ctx, f.Executor) }
