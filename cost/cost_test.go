package cost

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

func near(tb testing.TB, name string, got, want float64) {
	tb.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		tb.Errorf("%s = %.12g, want %.12g", name, got, want)
	}
}

// lambdaResults are four trials, one of each kind StudyCost prices
// differently; the comments give the hand-computed GB-seconds.
func lambdaResults() []trial.Result {
	return []trial.Result{
		// 1000 ms at 1 GB: 1 GB-s; a lost response made it two attempts.
		{Number: 0, State: trial.Complete, Seconds: 1.1, Backend: map[string]float64{
			"billed_ms": 1000, "duration_ms": 999.5, "memory_size_mb": 1024, "attempt": 2}},
		// Emulator cold start: billed excludes init, so 500 + 200.4 ->
		// 701 ms: 0.701 GB-s.
		{Number: 1, State: trial.Complete, Seconds: 0.8, Backend: map[string]float64{
			"billed_ms": 500, "duration_ms": 499.2, "init_ms": 200.4, "memory_size_mb": 1024, "s3_gets": 1}},
		// Real Lambda cold start: billed already includes init: 701 ms.
		{Number: 2, State: trial.Failed, Seconds: 0.8, Backend: map[string]float64{
			"billed_ms": 701, "duration_ms": 500.1, "init_ms": 200.4, "memory_size_mb": 1024, "s3_gets": 1}},
		// No REPORT line: 0.25 s measured at the backend's 2048 MB: 0.5 GB-s.
		{Number: 3, State: trial.Complete, Seconds: 0.25},
	}
}

func TestStudyCostLambda(t *testing.T) {
	const gbs = 1 + 0.701 + 0.701 + 0.5
	backend := Backend{Kind: Lambda, MemoryMB: 2048, S3Gets: 1, S3Puts: 1}
	tests := []struct {
		name             string
		arch             string
		freeTier         bool
		compute, req, s3 float64
	}{
		{name: "arm64", arch: "arm64", compute: gbs * 0.0000133334, req: 5 * 0.20 / 1e6, s3: 3*0.0004/1000 + 0.005/1000},
		{name: "default arch is arm64", compute: gbs * 0.0000133334, req: 5 * 0.20 / 1e6, s3: 3*0.0004/1000 + 0.005/1000},
		{name: "x86_64", arch: "x86_64", compute: gbs * 0.0000166667, req: 5 * 0.20 / 1e6, s3: 3*0.0004/1000 + 0.005/1000},
		{name: "free tier covers it", arch: "arm64", freeTier: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPrices
			p.FreeTier = tt.freeTier
			b := backend
			b.Arch = tt.arch
			got := StudyCost(lambdaResults(), b, p)
			if got.Invocations != 5 || got.ColdStarts != 2 || got.Estimated != 1 || got.S3Gets != 3 || got.S3Puts != 1 || got.Trials != 4 {
				t.Errorf("counts: %+v", got)
			}
			near(t, "GBSeconds", got.GBSeconds, gbs)
			near(t, "BilledSeconds", got.BilledSeconds, 1+0.701+0.701+0.25)
			near(t, "ComputeUSD", got.ComputeUSD, tt.compute)
			near(t, "RequestUSD", got.RequestUSD, tt.req)
			near(t, "S3USD", got.S3USD, tt.s3)
			near(t, "TotalUSD", got.TotalUSD, tt.compute+tt.req+tt.s3)
			near(t, "PerTrialUSD", got.PerTrialUSD, (tt.compute+tt.req+tt.s3)/4)
		})
	}
}

func TestStudyCostLocal(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rs := []trial.Result{
		{Number: 0, State: trial.Complete, Seconds: 2, Started: t0, Finished: t0.Add(2 * time.Second)},
		{Number: 1, State: trial.Complete, Seconds: 3, Started: t0.Add(time.Second), Finished: t0.Add(3600 * time.Second)},
	}
	tests := []struct {
		name           string
		backend        Backend
		wall, cpu, usd float64
	}{
		// One hour of a $0.0725/h machine.
		{"wall from results", Backend{Kind: Local}, 3600, 5, 0.0725},
		{"given wall and cpu", Backend{Kind: Local, WallSeconds: 1800, CPUSeconds: 1234}, 1800, 1234, 0.03625},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StudyCost(rs, tt.backend, DefaultPrices)
			near(t, "WallSeconds", got.WallSeconds, tt.wall)
			near(t, "CPUSeconds", got.CPUSeconds, tt.cpu)
			near(t, "TotalUSD", got.TotalUSD, tt.usd)
			near(t, "PerTrialUSD", got.PerTrialUSD, tt.usd/2)
			if got.Invocations != 0 || got.RequestUSD != 0 {
				t.Errorf("local study with Lambda charges: %+v", got)
			}
		})
	}
}

func TestBilledMSRoundsUp(t *testing.T) {
	tests := []struct {
		name     string
		r        trial.Result
		want     float64
		measured bool
	}{
		{"billed", trial.Result{Backend: map[string]float64{"billed_ms": 13, "duration_ms": 12.34}}, 13, true},
		{"duration only", trial.Result{Backend: map[string]float64{"duration_ms": 12.34}}, 13, true},
		{"duration and init", trial.Result{Backend: map[string]float64{"duration_ms": 12.34, "init_ms": 80.5}}, 93, true},
		{"measured seconds", trial.Result{Seconds: 0.0121}, 13, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, measured := BilledMS(tt.r)
			if got != tt.want || measured != tt.measured {
				t.Errorf("BilledMS = %v, %v; want %v, %v", got, measured, tt.want, tt.measured)
			}
		})
	}
}

func TestParsePrices(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		check   func(Prices) bool
		wantErr bool
	}{
		{name: "yaml override", doc: "lambda_usd_per_gb_second_arm64: 0.00002\nfree_tier: true\n",
			check: func(p Prices) bool {
				return p.LambdaGBSecondARM == 0.00002 && p.FreeTier && p.LambdaGBSecondX86 == DefaultPrices.LambdaGBSecondX86
			}},
		{name: "json override", doc: `{"local_usd_per_hour": 0.1, "local_source": "my laptop"}`,
			check: func(p Prices) bool {
				return p.LocalUSDPerHour == 0.1 && p.LocalSource == "my laptop" && p.Date == DefaultPrices.Date
			}},
		{name: "empty keeps defaults", doc: "", check: func(p Prices) bool { return p == DefaultPrices }},
		{name: "unknown field", doc: "lambda_gb_second: 1\n", wantErr: true},
		{name: "negative", doc: "s3_usd_per_thousand_put: -1\n", wantErr: true},
		{name: "zero price", doc: "lambda_usd_per_gb_second_arm64: 0\n", wantErr: true},
		{name: "zero local price", doc: `{"local_usd_per_hour": 0}`, wantErr: true},
		{name: "not a number", doc: "lambda_usd_per_million_requests: .nan\n", wantErr: true},
		{name: "infinite", doc: "s3_usd_per_thousand_get: .inf\n", wantErr: true},
		{name: "negative free tier", doc: "free_requests: -1\n", wantErr: true},
		{name: "no free tier", doc: "free_gb_seconds: 0\n", check: func(p Prices) bool { return p.FreeGBSeconds == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePrices(strings.NewReader(tt.doc), DefaultPrices)
			if tt.wantErr {
				if !errors.Is(err, trial.ErrBadInput) {
					t.Fatalf("err = %v, want ErrBadInput", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(p) {
				t.Errorf("prices: %+v", p)
			}
		})
	}
}
