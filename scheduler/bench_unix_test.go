//go:build unix

package scheduler

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// waitingExecutor completes trial n after base plus n%50 milliseconds
// of waiting without CPU, as a trial on a remote backend does; the
// spread keeps results arriving all the time, not in waves.
type waitingExecutor struct{ base time.Duration }

func (w waitingExecutor) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	select {
	case <-time.After(w.base + time.Duration(t.Number%50)*time.Millisecond):
	case <-ctx.Done():
		return trial.Result{}, ctx.Err()
	}
	return trial.Result{State: trial.Complete, Score: float64(t.Number), Seconds: w.base.Seconds(),
		Backend: map[string]float64{"billed_ms": 100, "init_ms": 0, "duration_ms": 100}}, nil
}

// BenchmarkRunConcurrency1000 runs 20,000 trials of about 100 ms at
// Parallel 1,000 per op into a durable journal, and reports what the
// scheduler and the journal cost a trial at the concurrency of the
// Lambda rehearsal (see benchmarks/RESULTS.md), without an SDK: the
// process's CPU (getrusage, user + sys, so the timers and the benchmark
// itself too), heap allocations, and journal writes a trial.
func BenchmarkRunConcurrency1000(b *testing.B) {
	const trials, parallel = 20_000, 1000
	var cpu time.Duration
	var mallocs uint64
	var writes int64
	for range b.N {
		b.StopTimer()
		j, err := results.Create(b.TempDir(), "bench", nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		store := &countingStore{Store: j}
		cfg := Config{Sampler: &fakeSampler{}, Executor: waitingExecutor{base: 100 * time.Millisecond}, Store: store,
			Parallel: parallel, MaxTrials: trials, Direction: trial.Maximize, Seed: testSeed}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cpu0 := processCPU(b)
		b.StartTimer()
		out, err := Run(context.Background(), cfg)
		b.StopTimer()
		cpu += processCPU(b) - cpu0
		runtime.ReadMemStats(&after)
		mallocs += after.Mallocs - before.Mallocs
		writes += store.appends.Load()
		if err != nil || out.Complete != trials {
			b.Fatalf("Run: %v after %d trials", err, out.Complete)
		}
		j.Close()
		b.StartTimer()
	}
	n := float64(b.N * trials)
	b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-us/trial")
	b.ReportMetric(float64(mallocs)/n, "allocs/trial")
	b.ReportMetric(float64(writes)/n, "writes/trial")
}

// processCPU is the user and system CPU time the process has used.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
