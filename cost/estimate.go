package cost

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// ErrNoCalibration is returned by Estimate when the calibration has no
// result with a duration to go on.
var ErrNoCalibration = errors.New("no calibration results")

// AssumedInitMSHigh is the init duration the high end of an estimate
// assumes per cold start when the calibration measured none (a local
// calibration, or only warm invocations): a generous bound for a Go
// binary on provided.al2023, whose init is usually tens of milliseconds.
const AssumedInitMSHigh = 250

// Plan is the study to estimate: how many trials at which budgets.
type Plan struct {
	// Trials is the number of trials run at full budget (no early
	// stopping). Ignored when Budgets is set.
	Trials int `json:"trials"`
	// Budgets lists, for early stopping, how many trials run at each
	// budget value (rung 0's value with all trials, the next rung's with
	// the promoted ones, ...).
	Budgets []BudgetTrials `json:"budgets,omitempty"`
	// Concurrency is the number of execution environments the study uses,
	// each starting cold once; 0 means every trial may start cold.
	Concurrency int `json:"concurrency,omitempty"`
}

// BudgetTrials is a number of trials run at one budget value.
type BudgetTrials struct {
	Value  float64 `json:"value"`
	Trials int     `json:"trials"`
}

// Forecast is what a planned study is expected to use and cost on
// Lambda, as a range.
type Forecast struct {
	Invocations int `json:"invocations"`
	ColdStarts  int `json:"cold_starts"`
	// ColdStartsMeasured counts the calibration results that began with
	// an init phase; InitSeconds is their mean init duration. With none
	// measured, each cold start is assumed to take 0 to
	// AssumedInitMSHigh, and InitSeconds is 0.
	ColdStartsMeasured int     `json:"cold_starts_measured"`
	InitSeconds        float64 `json:"init_seconds"`
	// GBSecondsLow and GBSecondsHigh bound the compute, init phases
	// included.
	GBSecondsLow  float64 `json:"gb_seconds_low"`
	GBSecondsHigh float64 `json:"gb_seconds_high"`
	USDLow        float64 `json:"usd_low"`
	USDHigh       float64 `json:"usd_high"`
	// Calibration counts the results used; Billed says whether their
	// durations are Lambda billed durations (else durations measured by
	// a local run, which only approximate a Lambda vCPU's).
	Calibration int  `json:"calibration"`
	Billed      bool `json:"billed"`
}

// Estimate forecasts the invocations, GB-seconds and cost of plan on
// backend from calibration: the results of a few trials at each budget,
// or every result of an earlier study's journal, on Lambda (billed
// durations) or locally (measured seconds).
//
// For each budget the plan runs, the calibration results at that budget
// (or, failing that, at the nearest calibrated budget, scaled in
// proportion to the budget value) give per-trial GB-seconds x with mean
// m, standard deviation s and count k. The n planned trials then use
// n·(m ± 2s/√k) GB-seconds, an approximate 95% interval for the total,
// clipped to [n·min x, n·max x]; a single calibration result gives
// n·x/2 to 2·n·x. Cold starts add their measured mean init duration (0
// to AssumedInitMSHigh when none was measured), one per environment.
func Estimate(plan Plan, calibration []trial.Result, backend Backend, p Prices) (Forecast, error) {
	byBudget := map[float64][]trial.Result{}
	var f Forecast
	var inits []float64
	for _, r := range calibration {
		if !r.State.Final() || (r.Seconds <= 0 && r.Backend["duration_ms"] <= 0 && r.Backend["billed_ms"] <= 0) {
			continue
		}
		byBudget[r.Budget.Value] = append(byBudget[r.Budget.Value], r)
		f.Calibration++
		if _, ok := r.Backend["billed_ms"]; ok {
			f.Billed = true
		}
		if init := r.Backend["init_ms"]; init > 0 {
			inits = append(inits, init)
		}
	}
	if f.Calibration == 0 {
		return Forecast{}, fmt.Errorf("cost: estimate: %w", ErrNoCalibration)
	}
	budgets := plan.Budgets
	if len(budgets) == 0 {
		budgets = []BudgetTrials{{Value: 0, Trials: plan.Trials}}
	}
	calibrated := make([]float64, 0, len(byBudget))
	for v := range byBudget {
		calibrated = append(calibrated, v)
	}
	slices.Sort(calibrated)

	for _, bt := range budgets {
		if bt.Trials <= 0 {
			continue
		}
		near := nearest(calibrated, bt.Value)
		scale := 1.0
		if near > 0 && bt.Value > 0 {
			scale = bt.Value / near
		}
		xs := make([]float64, 0, len(byBudget[near]))
		for _, r := range byBudget[near] {
			xs = append(xs, warmSeconds(r)*memoryMB(r, backend)/1024*scale)
		}
		lo, hi := totalRange(xs, bt.Trials)
		f.GBSecondsLow += lo
		f.GBSecondsHigh += hi
		f.Invocations += bt.Trials
	}

	f.ColdStarts = f.Invocations
	if plan.Concurrency > 0 {
		f.ColdStarts = min(f.Invocations, plan.Concurrency)
	}
	gb := float64(max(backend.MemoryMB, 0)) / 1024
	if gb == 0 {
		gb = DefaultMemoryMB / 1024.0
	}
	initLo, initHi := 0.0, AssumedInitMSHigh/1000.0
	if len(inits) > 0 {
		initLo = mean(inits) / 1000
		initHi = initLo
		f.ColdStartsMeasured, f.InitSeconds = len(inits), initLo
	}
	f.GBSecondsLow += float64(f.ColdStarts) * initLo * gb
	f.GBSecondsHigh += float64(f.ColdStarts) * initHi * gb

	fixed := float64(f.Invocations)/1e6*p.LambdaPerMillionRequests +
		float64(backend.S3Gets)/1000*p.S3GetPerThousand + float64(backend.S3Puts)/1000*p.S3PutPerThousand
	price := p.GBSecond(backend.Arch)
	f.USDLow = f.GBSecondsLow*price + fixed
	f.USDHigh = f.GBSecondsHigh*price + fixed
	return f, nil
}

// totalRange bounds the sum of n draws like xs; see Estimate.
func totalRange(xs []float64, n int) (lo, hi float64) {
	k := float64(len(xs))
	m := mean(xs)
	if len(xs) == 1 {
		return float64(n) * m / 2, float64(n) * m * 2
	}
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	half := 2 * math.Sqrt(ss/(k-1)) / math.Sqrt(k)
	return float64(n) * max(m-half, slices.Min(xs)), float64(n) * min(m+half, slices.Max(xs))
}

// nearest returns the value of sorted closest to v.
func nearest(sorted []float64, v float64) float64 {
	best := sorted[0]
	for _, x := range sorted[1:] {
		if math.Abs(x-v) < math.Abs(best-v) {
			best = x
		}
	}
	return best
}

// DescribeColdStart says what the forecast took a cold start to cost, for
// people: the mean measured init duration, or, when the calibration
// measured none, the range assumed, never a measured-looking "0.000 s".
func (f Forecast) DescribeColdStart() string {
	if f.ColdStartsMeasured == 0 {
		return fmt.Sprintf("cold start not measured: 0 to %.3f s assumed each", AssumedInitMSHigh/1000.0)
	}
	return fmt.Sprintf("cold start %s, the mean of %d measured", formatInit(f.InitSeconds), f.ColdStartsMeasured)
}
