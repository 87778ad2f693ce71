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
// A non-nil error means the executor could not run the trial at all
// (for example the backend is unreachable) and the scheduler records the
// trial as failed with that error. When ctx is cancelled, Execute returns
// promptly with ctx.Err().
type Executor interface {
	Execute(ctx context.Context, t trial.Trial) (trial.Result, error)
}
