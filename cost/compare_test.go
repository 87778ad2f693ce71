package cost

import (
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestCompare(t *testing.T) {
	local := []trial.Result{
		{Number: 0, State: trial.Complete, Score: 0.9, Seconds: 1},
		{Number: 1, State: trial.Complete, Score: 0.95, Seconds: 1},
		{Number: 2, State: trial.Complete, Score: math.NaN(), Seconds: 1},
	}
	lambda := []trial.Result{
		{Number: 0, State: trial.Complete, Score: 0.9, Backend: map[string]float64{"billed_ms": 1000, "duration_ms": 1000, "memory_size_mb": 1024}},
		{Number: 1, State: trial.Complete, Score: 0.95, Backend: map[string]float64{"billed_ms": 1000, "duration_ms": 1000, "memory_size_mb": 1024}},
		{Number: 2, State: trial.Complete, Score: math.NaN(), Backend: map[string]float64{"billed_ms": 1000, "duration_ms": 1000, "memory_size_mb": 1024}},
	}
	c := Compare(
		Run{Dir: "l", Results: local, Backend: Backend{WallSeconds: 3600, CPUSeconds: 7200}},
		Run{Dir: "λ", Results: lambda, Backend: Backend{WallSeconds: 1800}},
		trial.Maximize, 10, DefaultPrices)
	if !c.SameBest || c.Local.Best.Trial != 1 || c.Lambda.Best.Trial != 1 || c.BestScoreDifference != 0 {
		t.Errorf("best: same %v, local %+v, lambda %+v", c.SameBest, c.Local.Best, c.Lambda.Best)
	}
	if c.ScoresCompared != 3 || c.ScoresDiffering != 0 {
		t.Errorf("scores compared %d, differing %d; want 3, 0", c.ScoresCompared, c.ScoresDiffering)
	}
	near(t, "Speedup", c.Speedup, 2)
	lambdaUSD := 3*0.0000133334 + 3*0.2/1e6
	near(t, "Lambda USD", c.Lambda.USD, lambdaUSD)
	near(t, "Local USD", c.Local.USD, 0.0725)
	near(t, "CostRatio", c.CostRatio, lambdaUSD/0.0725)
	near(t, "Local TrialsPerSecond", c.Local.TrialsPerSecond, 3.0/3600)
	near(t, "Local ComputeSeconds", c.Local.ComputeSeconds, 7200)
	near(t, "Lambda ComputeSeconds", c.Lambda.ComputeSeconds, 3)

	lambda[1].Score = 0.96
	c = Compare(Run{Results: local}, Run{Results: lambda}, trial.Maximize, 10, DefaultPrices)
	if c.SameBest || c.ScoresDiffering != 1 {
		t.Errorf("same best %v, differing %d; want false, 1", c.SameBest, c.ScoresDiffering)
	}
	near(t, "BestScoreDifference", c.BestScoreDifference, 0.01)
}
