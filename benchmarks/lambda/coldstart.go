package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// coldTrial is, by default (--cold-model naive_bayes), a cheap learner
// on the generated data: Gaussian naive Bayes is one pass over the rows,
// so the first invocation's time is mostly the start and the dataset
// load. --cold-model and --cold-params choose another.
func (c config) coldTrial(n int) trial.Trial {
	p := c.coldParams
	if c.coldModel == "naive_bayes" && p == nil {
		p = trial.Params{"var_smoothing": 1e-9}
	}
	return trial.Trial{Number: n, Model: c.coldModel, Seed: uint64(n), Params: p}
}

// coldRequest is the study-level request of the cold-start trials: a 20%
// holdout, so one fit per trial.
var coldRequest = worker.Request{Study: "bench-cold", Metric: "accuracy", CV: trial.CV{Holdout: 0.2, Seed: 1}}

// coldStart measures, for each dataset size, the first two invocations
// of a fresh emulation: the first starts the runtime and fetches the
// dataset from S3, the second finds it in memory. The local peer is a
// fresh worker.Local reading the CSV.
func (b *bench) coldStart(ctx context.Context, c config) error {
	coldRequest, cvText := coldRequest, fmt.Sprintf("%g%% holdout", 100*c.coldHoldout)
	coldRequest.CV.Holdout = c.coldHoldout
	coldRequest.Metric = c.coldMetric
	coldTrial := c.coldTrial
	if c.coldFolds > 0 {
		coldRequest.CV, cvText = trial.CV{Folds: c.coldFolds, Seed: 1}, fmt.Sprintf("%d-fold CV", c.coldFolds)
	}
	t := &table{header: []string{"CSV MB", "pushed MB", "rows", "rep", "load avg",
		"1st round trip ms", "init_ms", "1st REPORT duration ms", "1st load s", "1st source", "max memory MB",
		"2nd round trip ms", "2nd load s", "2nd source", "local 1st ms (CSV parse s)", "local 2nd ms"}}
	// A no-op trial first: the cold start without a dataset.
	var rt1, init, rt2, loc1, loc2, mem, dur []float64
	for rep := range c.coldReps {
		b.log.Info("cold start", "dataset", "none", "rep", rep+1)
		loc := &worker.Local{Worker: worker.New(nil), Base: noopRequest}
		dl1, _, err := timeTrial(ctx, loc, noopTrial(1))
		if err != nil {
			return fmt.Errorf("local: %w", err)
		}
		dl2, _, err := timeTrial(ctx, loc, noopTrial(2))
		if err != nil {
			return fmt.Errorf("local: %w", err)
		}
		r, err := b.coldOnce(ctx, noopRequest, nil, noopTrial)
		if err != nil {
			return err
		}
		t.add("none (noop)", "", "", rep+1, loadAverage(),
			ms(r.rt1), r.first.Backend["init_ms"], r.first.Backend["duration_ms"], "", "", r.first.Backend["max_memory_mb"],
			ms(r.rt2), "", "", ms(dl1), ms(dl2))
		rt1, init, rt2 = append(rt1, ms(r.rt1)), append(init, r.first.Backend["init_ms"]), append(rt2, ms(r.rt2))
		mem, dur = append(mem, r.first.Backend["max_memory_mb"]), append(dur, r.first.Backend["duration_ms"])
		loc1, loc2 = append(loc1, ms(dl1)), append(loc2, ms(dl2))
	}
	t.add("none (noop)", "", "", "median", "", median(rt1), median(init), median(dur), "", "", median(mem),
		median(rt2), "", "", median(loc1), median(loc2))

	for _, size := range c.coldSizes {
		path, rows, err := b.generate(size, c.coldCols)
		if err != nil {
			return err
		}
		d, err := datasets.Load(path, datasets.Options{})
		if err != nil {
			return err
		}
		bin, err := d.MarshalBinary()
		if err != nil {
			return err
		}
		csvMB := float64(size) / 1e6
		if fi, err := os.Stat(path); err == nil {
			csvMB = float64(fi.Size()) / 1e6
		}
		binMB := float64(len(bin)) / 1e6
		bin = nil
		rt1, init, rt2, loc1, loc2, mem, dur = nil, nil, nil, nil, nil, nil, nil
		var load1, load2, locLoad []float64
		for rep := range c.coldReps {
			b.log.Info("cold start", "csv_mb", csvMB, "rep", rep+1)
			// The local peer first: a fresh worker parses the CSV.
			locReq := coldRequest
			locReq.Dataset = worker.DatasetRef{Path: path}
			loc := &worker.Local{Worker: worker.New(nil), Base: locReq}
			var dl1, dl2 time.Duration
			var lres1 trial.Result
			if !c.coldNoLocal {
				if dl1, lres1, err = timeTrial(ctx, loc, coldTrial(1)); err != nil {
					return fmt.Errorf("local: %w", err)
				}
				if dl2, _, err = timeTrial(ctx, loc, coldTrial(2)); err != nil {
					return fmt.Errorf("local: %w", err)
				}
			}

			r, err := b.coldOnce(ctx, coldRequest, d, coldTrial)
			if err != nil {
				return err
			}
			// Full precision, to compare workers' scores to the bit.
			b.log.Info("cold trial scores", "first", strconv.FormatFloat(r.first.Score, 'g', -1, 64),
				"second", strconv.FormatFloat(r.second.Score, 'g', -1, 64), "local", strconv.FormatFloat(lres1.Score, 'g', -1, 64),
				"first_state", r.first.State, "first_error", r.first.Error, "fit_s", r.first.FitSeconds, "score_s", r.first.ScoreSeconds)
			t.add(csvMB, binMB, rows, rep+1, loadAverage(),
				ms(r.rt1), r.first.Backend["init_ms"], r.first.Backend["duration_ms"], r.first.LoadSeconds, r.first.DatasetSource, r.first.Backend["max_memory_mb"],
				ms(r.rt2), r.second.LoadSeconds, r.second.DatasetSource,
				fmt.Sprintf("%s (%s)", formatFloat(ms(dl1)), formatFloat(lres1.LoadSeconds)), ms(dl2))
			rt1, init, load1 = append(rt1, ms(r.rt1)), append(init, r.first.Backend["init_ms"]), append(load1, r.first.LoadSeconds)
			rt2, load2 = append(rt2, ms(r.rt2)), append(load2, r.second.LoadSeconds)
			mem, dur = append(mem, r.first.Backend["max_memory_mb"]), append(dur, r.first.Backend["duration_ms"])
			loc1, locLoad, loc2 = append(loc1, ms(dl1)), append(locLoad, lres1.LoadSeconds), append(loc2, ms(dl2))
		}
		t.add(csvMB, binMB, rows, "median", "", median(rt1), median(init), median(dur), median(load1), "", median(mem),
			median(rt2), median(load2), "", fmt.Sprintf("%s (%s)", formatFloat(median(loc1)), formatFloat(median(locLoad))), median(loc2))
	}
	fmt.Fprintf(b.out, "## Cold start: a fresh emulation (1 environment) per rep; trial %s %v, %s, %d feature columns\n\n", c.coldModel, coldTrial(1).Params, cvText, c.coldCols)
	t.write(b.out)
	fmt.Fprintln(b.out, "1st = the environment's first invocation (runtime start, dataset GET from S3, decode, copy to /tmp); 2nd = the next one (dataset in memory). The local peer is a fresh worker.Local reading the CSV.")
	fmt.Fprintln(b.out)
	return nil
}

type coldResult struct {
	rt1, rt2      time.Duration
	first, second trial.Result
}

// coldOnce pushes d (unless nil) to a fresh emulation and runs trials 1
// and 2 of gen on its one environment.
func (b *bench) coldOnce(ctx context.Context, base worker.Request, d *datasets.Dataset, gen func(int) trial.Trial) (coldResult, error) {
	var r coldResult
	em, err := b.startEmulation(ctx, 1)
	if err != nil {
		return r, err
	}
	defer em.Close()
	ex, _ := newExecutor(em, 1)
	start := time.Now()
	if ex.Base, err = ex.Prepare(ctx, base, d); err != nil {
		return r, err
	}
	b.log.Info("dataset pushed", "seconds", time.Since(start).Seconds())
	if r.rt1, r.first, err = timeTrial(ctx, ex, gen(1)); err != nil {
		return r, fmt.Errorf("lambda: %w", err)
	}
	if r.rt2, r.second, err = timeTrial(ctx, ex, gen(2)); err != nil {
		// The first invocation's figures still stand (an old worker's
		// warm trial may run out of memory where its first did not).
		b.log.Warn("the second invocation failed", "err", err)
		r.second = trial.Result{State: trial.Failed, Error: err.Error()}
	}
	if _, ok := r.first.Backend["init_ms"]; !ok {
		b.log.Warn("first invocation's REPORT line has no Init Duration: not a cold start?")
	}
	return r, nil
}

// generate writes a CSV of about size bytes (GenerateCSV, 3 classes, cols
// features) into the work directory, and returns its path and row count.
func (b *bench) generate(size int64, cols int) (string, int, error) {
	var probe countWriter
	const probeRows = 2000
	if err := datasets.GenerateCSV(&probe, probeRows, cols, 1); err != nil {
		return "", 0, err
	}
	var header countWriter
	if err := datasets.GenerateCSV(&header, 0, cols, 1); err != nil {
		return "", 0, err
	}
	perRow := float64(probe.n-header.n) / probeRows
	rows := max(int(float64(size-header.n)/perRow), 10)
	path := filepath.Join(b.work, fmt.Sprintf("synth-%d.csv", size))
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	if err := datasets.GenerateCSV(f, rows, cols, 1); err != nil {
		f.Close()
		return "", 0, err
	}
	return path, rows, f.Close()
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
