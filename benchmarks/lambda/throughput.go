package main

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// fanOut runs trials first..first+n-1 from gen through ex with at most
// parallel in flight, as the scheduler dispatches, and returns the wall
// time and the results.
func fanOut(ctx context.Context, ex scheduler.Executor, gen func(int) trial.Trial, first, n, parallel int) (time.Duration, []trial.Result, error) {
	results := make([]trial.Result, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	start := time.Now()
	for i := range n {
		g.Go(func() error {
			t := gen(first + i)
			res, err := ex.Execute(gctx, t)
			if err != nil {
				return err
			}
			if res.State != trial.Complete {
				return fmt.Errorf("trial %d: %s: %s", t.Number, res.State, res.Error)
			}
			results[i] = res
			return nil
		})
	}
	err := g.Wait()
	return time.Since(start), results, err
}

// throughput measures no-op trials per second with c.envs environments
// and as many in flight, against worker.Local with c.localParallel,
// alternating the two repetition by repetition.
func (b *bench) throughput(ctx context.Context, c config) error {
	b.log.Info("throughput", "envs", c.envs, "trials", c.throughputTrials, "reps", c.reps)
	em, err := b.startEmulation(ctx, c.envs)
	if err != nil {
		return err
	}
	defer em.Close()
	lam, _ := newExecutor(em, c.envs)
	lam.Base = noopRequest
	loc := &worker.Local{Worker: worker.New(nil), Base: noopRequest}
	// Warm every environment (each first invocation is a cold start).
	if _, _, err := fanOut(ctx, lam, noopTrial, 0, 4*c.envs, c.envs); err != nil {
		return err
	}

	t := &table{header: []string{"rep", "load avg", "lambda trials/s", "lambda wall s", "round trip p50 ms", "round trip p90 ms", "throttles", fmt.Sprintf("local (parallel %d) trials/s", c.localParallel), "ratio local/lambda"}}
	var lamRates, locRates, ratios []float64
	first := 1000
	for rep := range c.reps {
		wall, results, err := fanOut(ctx, lam, noopTrial, first, c.throughputTrials, c.envs)
		if err != nil {
			return err
		}
		var rts []float64
		var throttles float64
		for _, r := range results {
			rts = append(rts, r.Seconds*1000)
			throttles += r.Backend["throttles"]
		}
		lwall, _, err := fanOut(ctx, loc, noopTrial, first, c.throughputTrials, c.localParallel)
		if err != nil {
			return err
		}
		first += c.throughputTrials
		lamRate := float64(c.throughputTrials) / wall.Seconds()
		locRate := float64(c.throughputTrials) / lwall.Seconds()
		t.add(rep+1, loadAverage(), lamRate, wall.Seconds(), median(rts), quantile(rts, 0.9), throttles, locRate, locRate/lamRate)
		lamRates, locRates, ratios = append(lamRates, lamRate), append(locRates, locRate), append(ratios, locRate/lamRate)
		b.log.Info("throughput rep", "rep", rep+1, "lambda_per_s", lamRate, "local_per_s", locRate)
	}
	t.add("median", "", median(lamRates), "", "", "", "", median(locRates), median(ratios))
	fmt.Fprintf(b.out, "## Throughput: %d no-op trials per rep, %d environments and executor concurrency %d, against the local backend with parallel %d\n\n",
		c.throughputTrials, c.envs, c.envs, c.localParallel)
	t.write(b.out)
	fmt.Fprintf(b.out, "router stats over the whole measurement (warm-up included): %+v\n\n", em.Stats())
	return nil
}
