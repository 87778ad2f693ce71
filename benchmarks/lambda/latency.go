package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// noopTrial is trial n of the no-op objective, which needs no dataset.
func noopTrial(n int) trial.Trial {
	return trial.Trial{Number: n, Model: "noop", Seed: uint64(n), Params: trial.Params{"x": float64(n)}}
}

// noopRequest is the study-level request of the no-op trials.
var noopRequest = worker.Request{Study: "bench-noop", Metric: "value"}

// timeTrial runs one trial through ex and returns how long Execute took.
func timeTrial(ctx context.Context, ex scheduler.Executor, t trial.Trial) (time.Duration, trial.Result, error) {
	start := time.Now()
	res, err := ex.Execute(ctx, t)
	d := time.Since(start)
	if err != nil {
		return d, res, err
	}
	if res.State != trial.Complete {
		return d, res, fmt.Errorf("trial %d: %s: %s", t.Number, res.State, res.Error)
	}
	return d, res, nil
}

// latency measures warm no-op trials one at a time, alternating the
// emulated Lambda backend and worker.Local invocation by invocation so
// both see the same machine load.
func (b *bench) latency(ctx context.Context, c config) error {
	b.log.Info("latency", "reps", c.reps, "n", c.latencyN, "warmup", c.warmup)
	em, err := b.startEmulation(ctx, 1)
	if err != nil {
		return err
	}
	defer em.Close()
	lam, _ := newExecutor(em, 1)
	lam.Base = noopRequest
	loc := &worker.Local{Worker: worker.New(nil), Base: noopRequest}

	t := &table{header: []string{"rep", "load avg", "local p50 ms", "local p90 ms", "lambda p50 ms", "lambda p90 ms", "added p50 ms", "added p90 ms", "REPORT duration p50 ms"}}
	var p50s, p90s, added50s, added90s, loc50s, loc90s, durs []float64
	number := 0
	for rep := range c.reps {
		for range c.warmup {
			number++
			if _, _, err := timeTrial(ctx, lam, noopTrial(number)); err != nil {
				return err
			}
			if _, _, err := timeTrial(ctx, loc, noopTrial(number)); err != nil {
				return err
			}
		}
		var lamMS, locMS, added, dur []float64
		for i := range c.latencyN {
			number++
			tr := noopTrial(number)
			var dl, dloc time.Duration
			var res trial.Result
			// Alternate which goes first, so neither always follows the other.
			if i%2 == 0 {
				if dl, res, err = timeTrial(ctx, lam, tr); err == nil {
					dloc, _, err = timeTrial(ctx, loc, tr)
				}
			} else {
				if dloc, _, err = timeTrial(ctx, loc, tr); err == nil {
					dl, res, err = timeTrial(ctx, lam, tr)
				}
			}
			if err != nil {
				return err
			}
			lamMS = append(lamMS, ms(dl))
			locMS = append(locMS, ms(dloc))
			added = append(added, ms(dl)-ms(dloc))
			dur = append(dur, res.Backend["duration_ms"])
		}
		row := []float64{median(locMS), quantile(locMS, 0.9), median(lamMS), quantile(lamMS, 0.9), median(added), quantile(added, 0.9), median(dur)}
		t.add(append([]any{rep + 1, loadAverage()}, anys(row)...)...)
		loc50s, loc90s = append(loc50s, row[0]), append(loc90s, row[1])
		p50s, p90s = append(p50s, row[2]), append(p90s, row[3])
		added50s, added90s = append(added50s, row[4]), append(added90s, row[5])
		durs = append(durs, row[6])
		b.log.Info("latency rep", "rep", rep+1, "lambda_p50_ms", row[2], "local_p50_ms", row[0], "added_p50_ms", row[4])
	}
	t.add("median", "", median(loc50s), median(loc90s), median(p50s), median(p90s), median(added50s), median(added90s), median(durs))
	fmt.Fprintf(b.out, "## Warm no-op latency: %d sequential trials per rep after %d warm-up, 1 environment\n\n", c.latencyN, c.warmup)
	t.write(b.out)
	fmt.Fprintln(b.out, "added = lambda minus local, paired invocation by invocation; REPORT duration is the emulator's own figure for the invocation.")
	fmt.Fprintln(b.out)
	return nil
}

func anys(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
