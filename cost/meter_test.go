package cost_test

import (
	"math"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/trial"
)

// TestMeterIsStudyCost: a Meter given a study's results one at a time
// prices them as StudyCost prices the slice, on Lambda (billed, estimated
// and cold-started results, retries, S3 GETs, the free tier) and
// locally, with and without a wall time given.
func TestMeterIsStudyCost(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rs := []trial.Result{
		{Number: 0, Seconds: 1.5, Started: t0, Finished: t0.Add(2 * time.Second),
			Backend: map[string]float64{"billed_ms": 1400, "duration_ms": 1390, "init_ms": 120, "attempt": 2, "s3_gets": 3}},
		{Number: 1, Seconds: 0.25, Started: t0.Add(-time.Second), Finished: t0.Add(time.Second),
			Backend: map[string]float64{"duration_ms": 240.5, "memory_size_mb": 512}},
		{Number: 2, Seconds: 0.7}, // no REPORT line, no times
	}
	free := cost.DefaultPrices
	free.FreeTier = true
	for _, tc := range []struct {
		name    string
		backend cost.Backend
		prices  cost.Prices
	}{
		{"lambda", cost.Backend{Kind: cost.Lambda, MemoryMB: 1024, S3Gets: 1, S3Puts: 1}, cost.DefaultPrices},
		{"lambda free tier", cost.Backend{Kind: cost.Lambda, Arch: "x86_64"}, free},
		{"local", cost.Backend{Kind: cost.Local}, cost.DefaultPrices},
		{"local with wall and cpu", cost.Backend{Kind: cost.Local, WallSeconds: 60, CPUSeconds: 30}, cost.DefaultPrices},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := cost.StudyCost(rs, tc.backend, tc.prices)
			m := cost.NewMeter(tc.backend)
			for _, r := range rs {
				m.Add(r)
			}
			if got := m.Breakdown(tc.prices); got != want {
				t.Errorf("Meter:     %+v\nStudyCost: %+v", got, want)
			}
			if want.Trials != len(rs) || want.WallSeconds <= 0 || math.IsNaN(want.TotalUSD) {
				t.Errorf("StudyCost %+v: want the %d results priced over a wall time", want, len(rs))
			}
		})
	}
}
