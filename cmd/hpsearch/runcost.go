package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// What a study on the Lambda backend cost is shown where the work
// happens: live in the progress output (the sum of the results journaled
// so far), and in the summary of run and resume, text and --json. Both
// price at cost.DefaultPrices, the list prices, with the free tier not
// subtracted, as the executor's per-result cost_usd and the HTML report
// do. A local study shows no cost there: the machine costs the same busy
// or idle (hpsearch compare and estimate price its time).

// costBackend is the backend a study's results are priced on for its
// summary (see runTally): false unless the study ran on Lambda, as its
// spec.json's backend: block records. Like the HTML report, a study with
// a dataset also pays for pushing it to S3 (cost.DatasetPushGets,
// cost.DatasetPushPuts).
func costBackend(spec *search.Spec) (cost.Backend, bool) {
	kind, _ := spec.Backend["type"].(string)
	if kind != backendLambda {
		return cost.Backend{}, false
	}
	b := cost.Backend{Kind: cost.Lambda}
	b.Arch, _ = spec.Backend["arch"].(string)
	switch m := spec.Backend["memory_mb"].(type) {
	case int:
		b.MemoryMB = m
	case float64:
		b.MemoryMB = int(m)
	}
	if spec.Dataset != "" {
		b.S3Gets, b.S3Puts = cost.DatasetPushGets, cost.DatasetPushPuts
	}
	return b, true
}

// LambdaCost is the cost part of run's --json, present on the Lambda
// backend only.
type LambdaCost struct {
	USD             float64 `json:"cost_usd"`
	PerTrialUSD     float64 `json:"cost_per_trial_usd"`
	BilledGBSeconds float64 `json:"billed_gb_seconds"`
	// Invocations counts Lambda invocations, retries included.
	Invocations int `json:"invocations"`
}

// newLambdaCost returns b for --json; nil when b is.
func newLambdaCost(b *cost.Breakdown) *LambdaCost {
	if b == nil {
		return nil
	}
	return &LambdaCost{USD: b.TotalUSD, PerTrialUSD: b.PerTrialUSD, BilledGBSeconds: b.GBSeconds, Invocations: b.Invocations}
}

// writeCostLine prints b, a Lambda study's cost, as a line of the
// summary; nothing when b is nil (a local study).
func writeCostLine(w io.Writer, b *cost.Breakdown, arch string) {
	if b == nil {
		return
	}
	fmt.Fprintf(w, "cost %s on Lambda (%s a trial; %.1f GB-s billed over %d invocations; %s, %s list prices)\n",
		cost.FormatUSD(b.TotalUSD), cost.FormatUSD(b.PerTrialUSD), b.GBSeconds, b.Invocations,
		orDefault(arch, "arm64"), cost.DefaultPrices.Region)
	switch {
	case emulated(os.Getenv) && os.Getenv(emulate.EnvSimulated) != "":
		fmt.Fprintln(w, "  (billed durations simulated by 'hpsearch emulate --simulate' from its --trial-seconds and --cold-start, as Lambda bills them)")
	case emulated(os.Getenv):
		fmt.Fprintln(w, "  (billed durations from the local emulation, i.e. this machine's cores: what real Lambda would bill for them)")
	case b.Estimated > 0:
		fmt.Fprintf(w, "  (%d results had no billed duration and are priced from the time measured)\n", b.Estimated)
	}
}

// costMeter is a results.Store that sums the cost of the results written
// through it (their Backend[scheduler.CostKey], set by the Lambda
// executor), for the progress output. It is safe for concurrent use.
type costMeter struct {
	results.Store
	mu  sync.Mutex
	usd float64
}

// Append writes events to the store and, once they are written, counts
// the cost of their results.
func (m *costMeter) Append(ctx context.Context, events ...results.Event) error {
	if err := m.Store.Append(ctx, events...); err != nil {
		return err
	}
	m.add(events)
	return nil
}

func (m *costMeter) add(events []results.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range events {
		if e.Type == results.EventResult && e.Result != nil {
			m.usd += e.Result.Backend[scheduler.CostKey]
		}
	}
}

// USD is the cost of the results written so far.
func (m *costMeter) USD() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.usd
}

// meterCost makes p show the cost of cfg's study, priorUSD being what the
// results of its earlier runs cost, when it runs on Lambda: it wraps cfg.Store in a
// costMeter. The meter starts from what pushing the study's dataset cost,
// as studyCost counts it, so that the last progress line and the summary
// agree. A nil p (--quiet) or a local study is left as it is.
func meterCost(p *progressReporter, cfg *scheduler.Config, priorUSD float64) {
	if p == nil || lambdaOf(cfg.Executor) == nil {
		return
	}
	m := &costMeter{Store: cfg.Store}
	if p.spec.Dataset != "" {
		m.usd = cost.StudyCost(nil, cost.Backend{Kind: cost.Lambda,
			S3Gets: cost.DatasetPushGets, S3Puts: cost.DatasetPushPuts}, cost.DefaultPrices).TotalUSD
	}
	m.usd += priorUSD
	cfg.Store = m
	p.cost = m
}

// costText is the progress output's cost, "" when it shows none.
func (p *progressReporter) costText() string {
	if p.cost == nil {
		return ""
	}
	return "cost " + cost.FormatUSD(p.cost.USD())
}
