package cost

import (
	"container/heap"
	"fmt"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// Lambda's scaling rate: each function may add ScaleStep execution
// environments every ScaleIntervalSeconds, up to its concurrency limit
// (https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html).
const (
	ScaleStep            = 1000
	ScaleIntervalSeconds = 10
)

// Projection is what the same trials would take and cost on real Lambda
// at a given concurrency: a model, not a measurement.
type Projection struct {
	Concurrency int `json:"concurrency"`
	Trials      int `json:"trials"`
	// Waves is ceil(Trials / Concurrency): how many trials each
	// environment runs, near enough.
	Waves int `json:"waves"`
	// ColdStarts is how many environments start: min(Trials,
	// Concurrency).
	ColdStarts int `json:"cold_starts"`
	// The measured figures the model uses: the mean warm duration of a
	// trial (REPORT Duration), the mean init duration of the measured
	// cold starts, and the median time an invocation took beyond its
	// duration (network and routing).
	TrialSeconds     float64 `json:"trial_seconds"`
	ColdStartSeconds float64 `json:"cold_start_seconds"`
	OverheadSeconds  float64 `json:"overhead_seconds"`
	// ColdStartsMeasured counts the results that began with an init
	// phase. When it is 0 (every invocation measured was warm) no cold
	// start was measured: ColdStartSeconds is then 0, the projection
	// leaves init phases out of its wall time and cost, and whoever
	// prints it must say so rather than show a measured 0.
	ColdStartsMeasured int `json:"cold_starts_measured"`
	// WallSeconds is the projected study wall time; TrialsPerSecond is
	// Trials / WallSeconds.
	WallSeconds     float64 `json:"wall_seconds"`
	TrialsPerSecond float64 `json:"trials_per_second"`
	// Cost prices the projected invocations: each trial's warm billed
	// duration, plus one init phase per cold start.
	Cost Breakdown `json:"cost"`
}

// Project predicts the wall time and cost of running results' trials
// again on real Lambda with concurrency environments.
//
// The model schedules the trials, in number order, each on the
// environment that frees up first. Environment k can start no earlier
// than floor(k/ScaleStep)·ScaleIntervalSeconds, Lambda's scaling rate;
// its first trial pays the mean measured init duration. Every trial takes
// its own measured warm duration plus the median measured invocation
// overhead. So with durations all equal to d the wall time is
// Waves·(d + overhead) + init, as long as concurrency is within the first
// scaling step.
//
// Results measured on the emulator run on this machine's cores, whose
// speed differs from a Lambda vCPU's (1769 MB buys one); the projection
// inherits that difference.
func Project(results []trial.Result, concurrency int, backend Backend, p Prices) Projection {
	pr := Projection{Concurrency: max(concurrency, 1), Trials: len(results)}
	if len(results) == 0 {
		return pr
	}
	sorted := slices.Clone(results)
	slices.SortFunc(sorted, func(a, b trial.Result) int { return a.Number - b.Number })

	warm := make([]float64, len(sorted)) // seconds
	var inits, overheads []float64
	var coldGets, warmGets []float64
	for i, r := range sorted {
		warm[i] = warmSeconds(r)
		pr.TrialSeconds += warm[i]
		init := r.Backend["init_ms"] / 1000
		if init > 0 {
			inits = append(inits, init)
			coldGets = append(coldGets, r.Backend["s3_gets"])
		} else {
			warmGets = append(warmGets, r.Backend["s3_gets"])
		}
		if d, ok := r.Backend["duration_ms"]; ok && r.Seconds > 0 {
			overheads = append(overheads, max(r.Seconds-d/1000-init, 0))
		}
	}
	pr.TrialSeconds /= float64(len(sorted))
	pr.ColdStartSeconds = mean(inits)
	pr.ColdStartsMeasured = len(inits)
	pr.OverheadSeconds = median(overheads)
	pr.Waves = (pr.Trials + pr.Concurrency - 1) / pr.Concurrency
	pr.ColdStarts = min(pr.Trials, pr.Concurrency)

	envs := make(envHeap, pr.ColdStarts)
	for k := range envs {
		envs[k] = env{free: float64(k/ScaleStep) * ScaleIntervalSeconds, cold: true}
	}
	heap.Init(&envs)
	for _, w := range warm {
		e := heap.Pop(&envs).(env)
		e.free += w + pr.OverheadSeconds
		if e.cold {
			e.free += pr.ColdStartSeconds
			e.cold = false
		}
		pr.WallSeconds = max(pr.WallSeconds, e.free)
		heap.Push(&envs, e)
	}
	if pr.WallSeconds > 0 {
		pr.TrialsPerSecond = float64(pr.Trials) / pr.WallSeconds
	}

	// A cold environment fetches the dataset; a warm one may not: keep
	// the measured mean GETs of each kind of invocation.
	getsCold, getsWarm := mean(coldGets), mean(warmGets)
	if len(coldGets) == 0 {
		getsCold = getsWarm
	}
	projected := make([]trial.Result, len(sorted))
	for i, r := range sorted {
		fig := map[string]float64{
			"duration_ms": warm[i] * 1000,
			"billed_ms":   math.Ceil(warm[i] * 1000),
		}
		if m := r.Backend["memory_size_mb"]; m > 0 {
			fig["memory_size_mb"] = m
		}
		fig["s3_gets"] = getsWarm
		if i < pr.ColdStarts {
			fig["init_ms"] = pr.ColdStartSeconds * 1000
			fig["s3_gets"] = getsCold
		}
		projected[i] = trial.Result{Number: r.Number, State: r.State, Backend: fig}
	}
	b := backend
	b.Kind, b.WallSeconds = Lambda, pr.WallSeconds
	pr.Cost = StudyCost(projected, b, p)
	return pr
}

// warmSeconds is a trial's duration without its init phase: REPORT's
// Duration, else the billed duration less any init, else the measured
// Seconds.
func warmSeconds(r trial.Result) float64 {
	if d, ok := r.Backend["duration_ms"]; ok {
		return d / 1000
	}
	if b, ok := r.Backend["billed_ms"]; ok {
		return max(b-r.Backend["init_ms"], 0) / 1000
	}
	return r.Seconds
}

type env struct {
	free float64 // when it can start its next trial, in seconds
	cold bool    // its next trial is its first
}

type envHeap []env

func (h envHeap) Len() int           { return len(h) }
func (h envHeap) Less(i, j int) bool { return h[i].free < h[j].free }
func (h envHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *envHeap) Push(x any)        { *h = append(*h, x.(env)) }
func (h *envHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// DescribeColdStart says what the projection assumed for a cold start, for
// people: the mean measured init duration and how many it is the mean of,
// or, when none was measured, that it was not and is left out, never a
// measured-looking "0.000 s".
func (p Projection) DescribeColdStart() string {
	switch p.ColdStartsMeasured {
	case 0:
		return "cold start not measured (every invocation was warm), so not included"
	case 1:
		return fmt.Sprintf("cold start %s (1 measured)", formatInit(p.ColdStartSeconds))
	}
	return fmt.Sprintf("cold start %s (mean of %d measured)", formatInit(p.ColdStartSeconds), p.ColdStartsMeasured)
}

// formatInit renders an init duration in seconds: in milliseconds, to
// three significant digits, below a tenth of a second, so that the
// emulator's sub-millisecond inits do not read as "0.000 s".
func formatInit(seconds float64) string {
	if seconds >= 0.1 {
		return fmt.Sprintf("%.3f s", seconds)
	}
	return fmt.Sprintf("%.3g ms", seconds*1000)
}
