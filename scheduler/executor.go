package scheduler

import (
	"context"

	"github.com/hpsearch/hpsearch/trial"
)

// Executor runs one trial somewhere (a goroutine, a Lambda invocation) and
// returns its result. Implementations are safe for concurrent use; the
// scheduler calls Execute from up to `parallel` goroutines at once.
//
// A trial that ran and failed (its trainer erred or panicked, a metric was
// undefined, Lambda reported a function error) is not an error: Execute
// returns a Result with State trial.Failed and the reason in Result.Error.
// A non-nil error means the executor could not run the trial. If the
// error wraps trial.ErrUnavailable the fault is the infrastructure's, not
// the trial's (the backend is unreachable, its credentials expired, it
// throttles without end): the scheduler holds the trial in flight and
// runs it again once the backend answers (see Run). Any other error is
// the trial's, and the scheduler records the trial as failed with it.
// When ctx is cancelled, Execute returns promptly with ctx.Err().
//
// Run sets the trial's identity (Number, Seed, and Model, Params and
// Budget when the executor leaves them empty) and its Started and Finished
// times on the result, so an executor need not copy them. A panic in
// Execute is recovered by Run and recorded as a failed trial, but it is a
// bug in the executor. After cancellation a failed result or an error is
// taken to mean the trial was cut short, and it is not journaled; see Run.
type Executor interface {
	Execute(ctx context.Context, t trial.Trial) (trial.Result, error)
}

// Prober is implemented by an Executor that can check, without running a
// trial, whether its backend answers again after an execution failed with
// trial.ErrUnavailable. Probe returns nil when the backend is reachable,
// and otherwise an error saying why not; it returns promptly when ctx is
// cancelled, and is safe for concurrent use with Execute. Run probes an
// executor that implements it before running the held trials again; for
// one that does not, running the first of them again is the probe.
type Prober interface {
	Probe(ctx context.Context) error
}
