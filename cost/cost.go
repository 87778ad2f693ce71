package cost

import (
	"math"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Backend kinds.
const (
	Local  = "local"
	Lambda = "lambda"
)

// DefaultMemoryMB is the function memory assumed when neither the REPORT
// line nor the Backend gives one: hpsearch deploy's default, the size at
// which a function gets one full vCPU.
const DefaultMemoryMB = 1769

// Backend is where a study's trials ran, as far as pricing them needs.
// The zero values of the optional fields are documented on each.
type Backend struct {
	// Kind is Local or Lambda.
	Kind string `json:"kind"`
	// MemoryMB is the function's memory, used for results whose REPORT
	// line has no Memory Size; 0 means DefaultMemoryMB. Lambda only.
	MemoryMB int `json:"memory_mb,omitempty"`
	// Arch is arm64 (the default when empty) or x86_64. Lambda only.
	Arch string `json:"arch,omitempty"`
	// WallSeconds is how long the study ran; 0 means the span from the
	// first result's Started to the last one's Finished.
	WallSeconds float64 `json:"wall_seconds,omitempty"`
	// CPUSeconds is the CPU time the local study used (getrusage of the
	// process, see ProcessCPUSeconds); 0 means the sum of the trials'
	// Seconds. Local only: it is reported, not priced, since the machine
	// costs the same busy or idle.
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
	// S3Gets and S3Puts count S3 requests made outside the trials, such
	// as pushing the dataset (a HEAD, priced as a GET, then a PUT when the
	// object was missing). GETs made by the workers are read from each
	// result's Backend["s3_gets"].
	S3Gets int `json:"s3_gets,omitempty"`
	S3Puts int `json:"s3_puts,omitempty"`
}

// DatasetPushGets and DatasetPushPuts bound the S3 requests of pushing a
// study's dataset before its first Lambda trial: a HEAD, priced as a GET,
// and a PUT unless the object was already there. Both compare and report
// count the bound, so their Lambda totals agree.
const (
	DatasetPushGets = 1
	DatasetPushPuts = 1
)

// Breakdown is what a study cost and why.
type Breakdown struct {
	Kind string `json:"kind"`
	// Trials counts the results priced.
	Trials int `json:"trials"`
	// Invocations counts Lambda invocations, retried attempts included;
	// ColdStarts those that began with an init phase.
	Invocations int `json:"invocations"`
	ColdStarts  int `json:"cold_starts"`
	// BilledSeconds is the sum of billed durations, init phases included;
	// Estimated counts the results that had no REPORT line, priced from
	// the duration the executor measured instead.
	BilledSeconds float64 `json:"billed_seconds"`
	Estimated     int     `json:"estimated,omitempty"`
	GBSeconds     float64 `json:"gb_seconds"`
	// WallSeconds is the study's wall time; CPUSeconds the CPU time it
	// used (local) or BilledSeconds (Lambda).
	WallSeconds float64 `json:"wall_seconds"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	S3Gets      int     `json:"s3_gets"`
	S3Puts      int     `json:"s3_puts"`

	ComputeUSD  float64 `json:"compute_usd"`
	RequestUSD  float64 `json:"request_usd"`
	S3USD       float64 `json:"s3_usd"`
	TotalUSD    float64 `json:"total_usd"`
	PerTrialUSD float64 `json:"per_trial_usd"`
}

// StudyCost prices results, the final results of a study (a retried trial
// once, by its last result), run on backend.
//
// On Lambda each result costs its billed duration, rounded up to the
// millisecond, times its memory in GB, at the architecture's GB-second
// price, plus one request per attempt. The billed duration is billed_ms
// from the REPORT line. The init phase of a cold start is billed too
// (always for provided.al2023, the worker's runtime): real Lambda's REPORT
// line then includes it in Billed Duration, the runtime interface emulator
// does not, so init_ms is added whenever billed_ms is less than
// duration_ms + init_ms. A result without a REPORT line is priced from the
// duration the executor measured (Result.Seconds).
//
// Locally the study costs its wall time at Prices.LocalUSDPerHour.
func StudyCost(results []trial.Result, backend Backend, p Prices) Breakdown {
	m := NewMeter(backend) // see meter.go
	for _, r := range results {
		m.Add(r)
	}
	return m.Breakdown(p)
}

// BilledMS returns the milliseconds Lambda bills for result r, init phase
// included (see StudyCost), and whether they come from a REPORT line
// (false: from the executor's measured Seconds).
func BilledMS(r trial.Result) (ms float64, measured bool) {
	init := r.Backend["init_ms"]
	if billed, ok := r.Backend["billed_ms"]; ok {
		if init > 0 && billed < r.Backend["duration_ms"]+init {
			billed += init
		}
		return math.Ceil(billed), true
	}
	if d, ok := r.Backend["duration_ms"]; ok {
		return math.Ceil(d + init), true
	}
	return math.Ceil(r.Seconds * 1000), false
}

// memoryMB is the memory r was billed for.
func memoryMB(r trial.Result, backend Backend) float64 {
	if m := r.Backend["memory_size_mb"]; m > 0 {
		return m
	}
	if backend.MemoryMB > 0 {
		return float64(backend.MemoryMB)
	}
	return DefaultMemoryMB
}

// WallSeconds is the span of results from the earliest Started to the
// latest Finished; 0 when no result has both.
func WallSeconds(results []trial.Result) float64 {
	var first, last time.Time
	for _, r := range results {
		if r.Started.IsZero() || r.Finished.IsZero() {
			continue
		}
		if first.IsZero() || r.Started.Before(first) {
			first = r.Started
		}
		if r.Finished.After(last) {
			last = r.Finished
		}
	}
	if first.IsZero() {
		return 0
	}
	return last.Sub(first).Seconds()
}

func perTrial(usd float64, trials int) float64 {
	if trials == 0 {
		return 0
	}
	return usd / float64(trials)
}
