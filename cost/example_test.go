package cost_test

import (
	"fmt"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/trial"
)

func ExampleStudyCost() {
	results := []trial.Result{
		{Number: 0, State: trial.Complete, Backend: map[string]float64{"billed_ms": 813, "duration_ms": 812.4, "memory_size_mb": 1769}},
		{Number: 1, State: trial.Complete, Backend: map[string]float64{"billed_ms": 902, "duration_ms": 901.2, "memory_size_mb": 1769, "init_ms": 95}},
	}
	b := cost.StudyCost(results, cost.Backend{Kind: cost.Lambda, Arch: "arm64"}, cost.DefaultPrices)
	fmt.Printf("%d invocations, %.3f GB-s, $%.8f ($%.8f a trial)\n", b.Invocations, b.GBSeconds, b.TotalUSD, b.PerTrialUSD)
	// Output: 2 invocations, 3.127 GB-s, $0.00004209 ($0.00002105 a trial)
}
