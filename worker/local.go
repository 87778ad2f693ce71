package worker

import (
	"context"

	"github.com/hpsearch/hpsearch/trial"
)

// Local executes trials in this process by calling Worker.Run: the local
// backend. It is safe for concurrent use; the scheduler bounds how many
// trials run at once. It satisfies scheduler.Executor.
type Local struct {
	Worker *Worker
	// Base holds the study-level settings; Execute fills in the trial.
	Base Request
}

// Execute runs t and returns its result. A failed trial is a result, not
// an error; a cancelled ctx returns ctx.Err() once the trial's fold loop
// notices it.
func (l *Local) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	req := l.Base
	req.Trial = t
	res := l.Worker.Run(ctx, req)
	if err := ctx.Err(); err != nil && res.State == trial.Failed {
		return res, err
	}
	return res, nil
}
