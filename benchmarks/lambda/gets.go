package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// knnTrial is trial n of a k-nearest-neighbours study.
func knnTrial(n int) trial.Trial {
	return trial.Trial{Number: n, Model: "knn", Seed: uint64(n), Params: trial.Params{
		"n_neighbors": float64(1 + n%30),
		"weights":     []string{"uniform", "distance"}[n/30%2],
	}}
}

// s3Gets runs a study of c.getsTrials knn trials on a bundled dataset
// pushed to S3, on fresh emulations of each size in c.getsEnvs, and counts
// the GETs each execution environment made: its s3_gets after its last
// trial, which the worker counts since the runtime started.
func (b *bench) s3Gets(ctx context.Context, c config) error {
	d, err := datasets.Load(c.getsDataset, datasets.Options{})
	if err != nil {
		return err
	}
	t := &table{header: []string{"environments", "load avg", "trials", "trials/s", "envs used", "total GETs", "GETs/trial", "GETs/env", "GETs on warm trials", "sources (1st trial per env)", "sources (all trials)"}}
	for _, n := range c.getsEnvs {
		b.log.Info("s3 gets", "environments", n, "trials", c.getsTrials, "dataset", c.getsDataset)
		row, err := b.getsOnce(ctx, d, n, c.getsTrials)
		if err != nil {
			return err
		}
		t.add(append([]any{n, loadAverage()}, row...)...)
	}
	fmt.Fprintf(b.out, "## S3 GETs per trial: knn on %s (5-fold CV), pushed to S3, executor concurrency = environments, fresh emulation per row\n\n", c.getsDataset)
	t.write(b.out)
	fmt.Fprintln(b.out, "total GETs = sum over environments of the largest s3_gets it reported; GETs on warm trials = that sum minus the sum of the smallest (the count after each environment's first trial).")
	fmt.Fprintln(b.out)
	return nil
}

func (b *bench) getsOnce(ctx context.Context, d *datasets.Dataset, envs, trials int) ([]any, error) {
	em, err := b.startEmulation(ctx, envs)
	if err != nil {
		return nil, err
	}
	defer em.Close()
	ex, rec := newExecutor(em, envs)
	if ex.Base, err = ex.Prepare(ctx, worker.Request{Study: "bench-gets", Metric: "accuracy", CV: trial.CV{Folds: 5, Seed: 0}}, d); err != nil {
		return nil, err
	}
	wall, _, err := fanOut(ctx, ex, knnTrial, 0, trials, envs)
	if err != nil {
		return nil, err
	}
	type envStats struct {
		lo, hi      int64
		firstSource string
	}
	per := map[string]*envStats{}
	all := map[string]int{}
	for _, r := range rec.snapshot() {
		all[r.DatasetSource]++
		s, ok := per[r.Environment]
		if !ok {
			per[r.Environment] = &envStats{lo: r.S3Gets, hi: r.S3Gets, firstSource: r.DatasetSource}
			continue
		}
		// Responses of one environment can be recorded out of order (it is
		// free again before its caller reads the answer), so the first
		// trial is the one with the fewest GETs counted.
		if r.S3Gets < s.lo {
			s.lo, s.firstSource = r.S3Gets, r.DatasetSource
		}
		s.hi = max(s.hi, r.S3Gets)
	}
	var total, warm int64
	first := map[string]int{}
	for _, s := range per {
		total += s.hi
		warm += s.hi - s.lo
		first[s.firstSource]++
	}
	return []any{trials, float64(trials) / wall.Seconds(), len(per), total,
		float64(total) / float64(trials), float64(total) / float64(len(per)), warm,
		counts(first), counts(all)}, nil
}

// counts formats a map of counts as "a 3, b 1", keys sorted.
func counts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
