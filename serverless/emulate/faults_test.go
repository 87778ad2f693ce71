package emulate

import (
	"math"
	"testing"
	"time"
)

func TestRandomFaultsRates(t *testing.T) {
	f := &RandomFaults{Seed: 3, Throttle: 0.10, ServerError: 0.05, DropResponse: 0.05, Crash: 0.02, Timeout: 0.02,
		CrashWithin: 10 * time.Millisecond, Delay: 0.01, DelayFor: time.Second}
	const n = 100000
	counts := map[FaultKind]int{}
	delays := 0
	for range n {
		out := f.Inject("fn")
		counts[out.Kind]++
		if out.Delay > 0 {
			delays++
		}
		if out.Kind == Crash && (out.CrashAfter < 0 || out.CrashAfter >= f.CrashWithin) {
			t.Fatalf("CrashAfter %v outside [0, %v)", out.CrashAfter, f.CrashWithin)
		}
		if out.Kind != Crash && out.CrashAfter != 0 {
			t.Fatalf("%v fault with CrashAfter %v", out.Kind, out.CrashAfter)
		}
	}
	for kind, rate := range map[FaultKind]float64{Throttle: 0.10, ServerError: 0.05, DropResponse: 0.05, Crash: 0.02, Timeout: 0.02, NoFault: 0.76} {
		if got := float64(counts[kind]) / n; math.Abs(got-rate) > 0.01 {
			t.Errorf("kind %d: rate %.4f, want %.2f", kind, got, rate)
		}
	}
	if got := float64(delays) / n; math.Abs(got-0.01) > 0.003 {
		t.Errorf("delay rate %.4f, want 0.01", got)
	}

	// The same seed gives the same faults.
	a, b := &RandomFaults{Seed: 9, Crash: 0.5, CrashWithin: time.Second}, &RandomFaults{Seed: 9, Crash: 0.5, CrashWithin: time.Second}
	for i := range 100 {
		if x, y := a.Inject("fn"), b.Inject("fn"); x != y {
			t.Fatalf("invocation %d: %+v and %+v from one seed", i, x, y)
		}
	}
}
