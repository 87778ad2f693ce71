package scheduler

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// maxStack bounds the stack trace kept in a panicked trial's error, so a
// deep panic does not bloat the journal.
const maxStack = 4 << 10

// execute runs one trial on a worker goroutine.
func (s *study) execute(ctx context.Context, t trial.Trial) execution {
	started := s.now()
	r, err := safeExecute(ctx, s.cfg.Executor, t)
	finished := s.now()
	e := execution{
		trial:       t,
		result:      settle(t, r, err, started, finished),
		interrupted: ctx.Err() != nil && (err != nil || r.State != trial.Complete && r.State != trial.Pruned),
	}
	if err != nil && !e.interrupted && errors.Is(err, trial.ErrUnavailable) {
		e.unavailable = err
	}
	return e
}

// safeExecute calls Execute, turning a panic into a failed result.
func safeExecute(ctx context.Context, ex Executor, t trial.Trial) (r trial.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			stack := debug.Stack()
			if len(stack) > maxStack {
				stack = append(stack[:maxStack:maxStack], "\n... (stack truncated)"...)
			}
			r, err = trial.Result{State: trial.Failed, Error: fmt.Sprintf("executor panicked: %v\n%s", p, stack)}, nil
		}
	}()
	return ex.Execute(ctx, t)
}

// settle makes an executor's answer a final, journalable result of t: an
// error becomes a failed result, the trial's identity is the scheduler's,
// and a result JSON cannot encode (a NaN score) becomes a failure saying
// so instead of breaking the journal.
func settle(t trial.Trial, r trial.Result, err error, started, finished time.Time) trial.Result {
	if err != nil {
		r = trial.Result{State: trial.Failed, Error: err.Error()}
	}
	r.Number, r.Seed = t.Number, t.Seed
	if r.Model == "" {
		r.Model = t.Model
	}
	if r.Params == nil {
		r.Params = t.Params
	}
	if r.Budget == (trial.Budget{}) {
		r.Budget = t.Budget
	}
	r.Started, r.Finished = started, finished
	if r.Seconds == 0 {
		r.Seconds = finished.Sub(started).Seconds()
	}
	switch {
	case !r.State.Final():
		r.Error = fmt.Sprintf("executor returned a result in state %q", r.State)
		r.State = trial.Failed
	case r.State == trial.Failed && r.Error == "":
		r.Error = "executor reported a failure without a reason"
	case r.State != trial.Failed && !finite(r.Score):
		r.Error = fmt.Sprintf("score is %v", r.Score)
		r.State = trial.Failed
	}
	for i, f := range r.FoldScores {
		if !finite(f) {
			if r.State != trial.Failed {
				r.Error = fmt.Sprintf("fold %d score is %v", i, f)
				r.State = trial.Failed
			}
			r.FoldScores = nil
			break
		}
	}
	if !finite(r.Score) {
		r.Score = 0
	}
	for _, v := range r.Backend {
		if !finite(v) {
			r.Backend = finiteOnly(r.Backend)
			break
		}
	}
	return r
}

// finiteOnly returns a copy of m without its non-finite values; the
// executor's map is left alone.
func finiteOnly(m map[string]float64) map[string]float64 {
	c := make(map[string]float64, len(m))
	for k, v := range m {
		if finite(v) {
			c[k] = v
		}
	}
	return c
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
