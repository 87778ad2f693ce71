package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// estimate prints what the study is expected to take and cost, from the
// results of the earlier study in from, or else from a calibration of n
// trials run (not recorded) on exec: run --estimate and validate
// --estimate.
func estimate(ctx context.Context, e *env, spec *search.Spec, exec scheduler.Executor, parallel int, from string, n int) error {
	var (
		calib  []trial.Result
		source string
		err    error
	)
	if from != "" {
		source = "the results of " + from
		calib, err = calibrationFrom(ctx, e, from)
	} else {
		source = fmt.Sprintf("a calibration of %d trials", n)
		calib, err = calibrate(ctx, spec, exec, n, parallel)
	}
	if err != nil {
		return err
	}
	return writeEstimate(e.stdout, spec, exec, parallel, calib, source, cost.DefaultPrices)
}

// calibrate runs the first n trials the study's sampler proposes through
// exec, at most parallel at once, and returns their results: the short
// calibration behind run --estimate. Nothing is journaled.
func calibrate(ctx context.Context, spec *search.Spec, exec scheduler.Executor, n, parallel int) ([]trial.Result, error) {
	sampler, err := search.NewSampler(spec)
	if err != nil {
		return nil, err
	}
	var trials []trial.Trial
	for i := range n {
		t, ok := sampler.Ask(i)
		if !ok {
			break
		}
		t.Number, t.Seed, t.Attempt = i, search.TrialSeed(spec.Search.Seed, i), 1
		trials = append(trials, t)
	}
	out := make([]trial.Result, len(trials))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for i, t := range trials {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			r, err := exec.Execute(ctx, t)
			if err != nil {
				mu.Lock()
				firstErr = cmpErr(firstErr, err)
				mu.Unlock()
				return
			}
			out[i] = r
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("calibration: %w", firstErr)
	}
	return out, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// writeEstimate prints what the study is expected to use and cost, from
// calibration results, for the backend the study would run on.
func writeEstimate(w io.Writer, spec *search.Spec, exec scheduler.Executor, parallel int, calib []trial.Result, source string, p cost.Prices) error {
	trials := spec.Search.MaxTrials
	fmt.Fprintf(w, "estimate for %s: %d trials, from %s\n", spec.Name, trials, source)
	var secs []float64
	failed := 0
	for _, r := range calib {
		if r.State == trial.Failed {
			failed++
		}
		if r.State.Final() && r.Seconds > 0 {
			secs = append(secs, r.Seconds)
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "  warning: %d of %d calibration trials failed\n", failed, len(calib))
	}
	if len(secs) == 0 {
		return fmt.Errorf("estimate: %w", cost.ErrNoCalibration)
	}
	lo, hi := math.Inf(1), 0.0
	var sum float64
	for _, s := range secs {
		sum += s
		lo, hi = min(lo, s), max(hi, s)
	}
	mean := sum / float64(len(secs))
	waves := math.Ceil(float64(trials) / float64(max(parallel, 1)))
	fmt.Fprintf(w, "  trial seconds   mean %.3f (min %.3f, max %.3f) over %d trials\n", mean, lo, hi, len(secs))
	fmt.Fprintf(w, "  wall time       about %.1fs at %d in parallel (%.0f waves of the mean trial)\n", waves*mean, parallel, waves)

	if lx := lambdaOf(exec); lx != nil {
		cfg := lx.Config()
		f, err := cost.Estimate(cost.Plan{Trials: trials, Concurrency: cfg.Concurrency}, calib,
			cost.Backend{Kind: cost.Lambda, MemoryMB: cfg.MemoryMB, Arch: cfg.Arch}, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  invocations     %d (%d cold starts; %s)\n", f.Invocations, f.ColdStarts, f.DescribeColdStart())
		fmt.Fprintf(w, "  GB-seconds      %.1f to %.1f\n", f.GBSecondsLow, f.GBSecondsHigh)
		fmt.Fprintf(w, "  cost            %s to %s on Lambda (%s, %s)\n", cost.FormatUSD(f.USDLow), cost.FormatUSD(f.USDHigh), orDefault(cfg.Arch, "arm64"), p.Source)
		if !f.Billed {
			fmt.Fprintln(w, "  (durations measured outside Lambda; a Lambda vCPU may be slower or faster)")
		}
		return nil
	}
	usd := waves * mean / 3600 * p.LocalUSDPerHour
	fmt.Fprintf(w, "  cost            about %s of this machine at %s/h (%s)\n", cost.FormatUSD(usd), cost.FormatPrice(p.LocalUSDPerHour), p.LocalSource)
	return nil
}

// calibrationFrom returns the results of an earlier study's journal.
func calibrationFrom(ctx context.Context, e *env, dir string) ([]trial.Result, error) {
	st, err := loadStudy(ctx, e, dir)
	if err != nil {
		return nil, err
	}
	return results.Results(st.Events), nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
