package cost

import (
	"errors"
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func calib(budget float64, seconds ...float64) []trial.Result {
	var rs []trial.Result
	for i, s := range seconds {
		rs = append(rs, trial.Result{Number: i, State: trial.Complete, Budget: trial.Budget{Name: "n_estimators", Value: budget},
			Backend: map[string]float64{"duration_ms": s * 1000, "billed_ms": math.Ceil(s * 1000), "memory_size_mb": 1024}})
	}
	return rs
}

func TestEstimate(t *testing.T) {
	withInit := calib(0, 1, 2, 3)
	withInit[0].Backend["init_ms"] = 100
	tests := []struct {
		name          string
		plan          Plan
		calibration   []trial.Result
		invocations   int
		cold          int
		gbLow, gbHigh float64
		billed        bool
		coldStart     string
	}{
		{
			// x = 1, 2, 3 GB-s: m = 2, s = 1, 2s/√3 = 1.155, clipped to
			// [1, 3] per trial; 5 cold starts of 0.1 s at 1 GB.
			name: "full budget", plan: Plan{Trials: 10, Concurrency: 5}, calibration: withInit,
			invocations: 10, cold: 5, gbLow: 10 + 0.5, gbHigh: 30 + 0.5, billed: true,
			coldStart: "cold start 0.100 s, the mean of 1 measured",
		},
		{
			// One result at budget 10 (1 GB-s): ×½ to ×2. Budget 30 is
			// scaled ×3. No init measured: 0 to 0.25 s per cold start,
			// every trial cold.
			name:        "budgets",
			plan:        Plan{Budgets: []BudgetTrials{{Value: 10, Trials: 9}, {Value: 30, Trials: 3}}},
			calibration: calib(10, 1),
			invocations: 12, cold: 12, gbLow: 4.5 + 4.5, gbHigh: 18 + 18 + 12*0.25, billed: true,
			coldStart: "cold start not measured: 0 to 0.250 s assumed each",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Estimate(tt.plan, tt.calibration, Backend{Kind: Lambda, MemoryMB: 1024}, DefaultPrices)
			if err != nil {
				t.Fatal(err)
			}
			if f.Invocations != tt.invocations || f.ColdStarts != tt.cold || f.Billed != tt.billed {
				t.Errorf("forecast %+v", f)
			}
			near(t, "GBSecondsLow", f.GBSecondsLow, tt.gbLow)
			near(t, "GBSecondsHigh", f.GBSecondsHigh, tt.gbHigh)
			if got := f.DescribeColdStart(); got != tt.coldStart {
				t.Errorf("DescribeColdStart() = %q, want %q", got, tt.coldStart)
			}
			req := float64(tt.invocations) * 0.2 / 1e6
			near(t, "USDLow", f.USDLow, tt.gbLow*0.0000133334+req)
			near(t, "USDHigh", f.USDHigh, tt.gbHigh*0.0000133334+req)
		})
	}
}

func TestEstimateNeedsCalibration(t *testing.T) {
	_, err := Estimate(Plan{Trials: 3}, []trial.Result{{State: trial.Running}}, Backend{Kind: Lambda}, DefaultPrices)
	if !errors.Is(err, ErrNoCalibration) {
		t.Fatalf("err = %v, want ErrNoCalibration", err)
	}
}
