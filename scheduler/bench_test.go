package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// noopExecutor completes every trial at once: what is left is the
// scheduler's and the store's overhead.
type noopExecutor struct{}

func (noopExecutor) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	return trial.Result{State: trial.Complete, Score: float64(t.Number), Seconds: 0.001}, nil
}

func runTrials(b *testing.B, store results.Store, trials, parallel int) {
	cfg := Config{Sampler: &fakeSampler{}, Executor: noopExecutor{}, Store: store,
		Parallel: parallel, MaxTrials: trials, Direction: trial.Maximize, Seed: testSeed}
	out, err := Run(context.Background(), cfg)
	if err != nil || out.Complete != trials {
		b.Fatalf("Run: %v after %d trials", err, out.Complete)
	}
}

// BenchmarkRun10kTrials runs 10,000 no-op trials per op through Run, with
// a Memory store and with a durable Journal in a temporary directory. The
// journal sub-benchmarks also report their time as a ratio to the Memory
// store's on the same workload in the same run (x-memory): the price of
// an fsync per batch of events, which at Parallel 1 overlaps the next
// trials.
func BenchmarkRun10kTrials(b *testing.B) {
	const trials = 10_000
	for _, parallel := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("memory/parallel=%d", parallel), func(b *testing.B) {
			for range b.N {
				runTrials(b, results.NewMemory(), trials, parallel)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*trials), "ns/trial")
		})
	}
	for _, parallel := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("journal/parallel=%d", parallel), func(b *testing.B) {
			var memory time.Duration
			for range b.N {
				b.StopTimer()
				start := time.Now()
				runTrials(b, results.NewMemory(), trials, parallel)
				memory += time.Since(start)
				j, err := results.Create(b.TempDir(), "bench", nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				runTrials(b, j, trials, parallel)
				b.StopTimer()
				j.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*trials), "ns/trial")
			b.ReportMetric(float64(b.Elapsed())/float64(memory), "x-memory")
		})
	}
}
