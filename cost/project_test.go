package cost

import (
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestProjectWaves(t *testing.T) {
	// Four 1 s trials, 0.05 s of overhead each; the measured cold start
	// took 0.2 s. Two environments: each runs two trials and one init:
	// 2·(1 + 0.05) + 0.2 = 2.3 s.
	rs := []trial.Result{
		{Number: 0, State: trial.Complete, Seconds: 1.25, Backend: map[string]float64{"duration_ms": 1000, "billed_ms": 1000, "init_ms": 200, "memory_size_mb": 1024}},
		{Number: 1, State: trial.Complete, Seconds: 1.05, Backend: map[string]float64{"duration_ms": 1000, "billed_ms": 1000, "memory_size_mb": 1024}},
		{Number: 2, State: trial.Complete, Seconds: 1.05, Backend: map[string]float64{"duration_ms": 1000, "billed_ms": 1000, "memory_size_mb": 1024}},
		{Number: 3, State: trial.Complete, Seconds: 1.05, Backend: map[string]float64{"duration_ms": 1000, "billed_ms": 1000, "memory_size_mb": 1024}},
	}
	p := Project(rs, 2, Backend{Kind: Lambda}, DefaultPrices)
	if p.Waves != 2 || p.ColdStarts != 2 || p.Trials != 4 {
		t.Errorf("waves %d, cold starts %d, trials %d; want 2, 2, 4", p.Waves, p.ColdStarts, p.Trials)
	}
	near(t, "OverheadSeconds", p.OverheadSeconds, 0.05)
	near(t, "ColdStartSeconds", p.ColdStartSeconds, 0.2)
	near(t, "WallSeconds", p.WallSeconds, 2.3)
	near(t, "TrialsPerSecond", p.TrialsPerSecond, 4/2.3)
	// 4 warm seconds and 2 inits of 0.2 s at 1 GB.
	near(t, "GBSeconds", p.Cost.GBSeconds, 4.4)
	near(t, "USD", p.Cost.TotalUSD, 4.4*0.0000133334+4*0.2/1e6)

	// More environments than trials: one wave, every trial cold.
	p = Project(rs, 100, Backend{Kind: Lambda}, DefaultPrices)
	near(t, "WallSeconds one wave", p.WallSeconds, 1.25)
	if p.Waves != 1 || p.ColdStarts != 4 {
		t.Errorf("waves %d, cold starts %d; want 1, 4", p.Waves, p.ColdStarts)
	}
}

func TestProjectScalingRate(t *testing.T) {
	// 2,500 trials of 30 s with room for all at once: Lambda starts 1,000
	// environments at 0 s, 1,000 more at 10 s and the rest at 20 s, so
	// the last trials end at 50 s, not 30 s.
	rs := make([]trial.Result, 2500)
	for i := range rs {
		rs[i] = trial.Result{Number: i, State: trial.Complete, Backend: map[string]float64{"duration_ms": 30000}}
	}
	p := Project(rs, 3000, Backend{Kind: Lambda}, DefaultPrices)
	near(t, "WallSeconds", p.WallSeconds, 50)
	if p.Waves != 1 {
		t.Errorf("waves = %d, want 1", p.Waves)
	}
	// Short trials reuse warm environments instead of waiting for new ones.
	for i := range rs {
		rs[i].Backend["duration_ms"] = 1000
	}
	p = Project(rs, 3000, Backend{Kind: Lambda}, DefaultPrices)
	near(t, "WallSeconds short", p.WallSeconds, 3)
}

// TestProjectColdStartsMeasured: a projection says whether its cold-start
// figure was measured, so a study whose invocations were all warm does not
// pass for one with instant cold starts.
func TestProjectColdStartsMeasured(t *testing.T) {
	warm := map[string]float64{"duration_ms": 1000, "billed_ms": 1000}
	cold := map[string]float64{"duration_ms": 1000, "billed_ms": 1000, "init_ms": 150}
	// The emulator measures sub-millisecond inits: not "0.000 s" either.
	emulatedCold := map[string]float64{"duration_ms": 1000, "billed_ms": 1000, "init_ms": 0.22}
	for _, tc := range []struct {
		name     string
		backends []map[string]float64
		measured int
		seconds  float64
		text     string
	}{
		{"all warm", []map[string]float64{warm, warm, warm}, 0, 0, "cold start not measured (every invocation was warm), so not included"},
		{"one cold", []map[string]float64{cold, warm, warm}, 1, 0.15, "cold start 0.150 s (1 measured)"},
		{"two cold", []map[string]float64{cold, cold, warm}, 2, 0.15, "cold start 0.150 s (mean of 2 measured)"},
		{"emulated", []map[string]float64{emulatedCold, emulatedCold, warm}, 2, 0.00022, "cold start 0.22 ms (mean of 2 measured)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := make([]trial.Result, len(tc.backends))
			for i, b := range tc.backends {
				rs[i] = trial.Result{Number: i, State: trial.Complete, Backend: b}
			}
			p := Project(rs, 2, Backend{Kind: Lambda}, DefaultPrices)
			if p.ColdStartsMeasured != tc.measured {
				t.Errorf("ColdStartsMeasured = %d, want %d", p.ColdStartsMeasured, tc.measured)
			}
			near(t, "ColdStartSeconds", p.ColdStartSeconds, tc.seconds)
			if got := p.DescribeColdStart(); got != tc.text {
				t.Errorf("DescribeColdStart() = %q, want %q", got, tc.text)
			}
		})
	}
}
