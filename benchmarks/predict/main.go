// Command predict measures hpsearch's prediction with a refitted random
// forest against scikit-learn's, side by side (see run.sh): it generates
// a training set and a prediction set with datasets.GenerateCSV, refits
// random_forest on the training set with model.Fit, and times
//
//   - predict: (*model.Model).Predict on the rows already in memory,
//     with n_jobs 1 and 2 (scikit-learn's predict on a numpy array);
//   - stream: (*model.Model).PredictFile from the CSV to a discarded
//     output (scikit-learn: pandas.read_csv, predict, DataFrame.to_csv).
//
// It prints one JSON object per measurement on stdout.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

func main() {
	dir := flag.String("dir", "", "directory for train.csv and predict.csv (generated when missing)")
	trainRows := flag.Int("train", 20000, "training rows")
	rows := flag.Int("rows", 1_000_000, "rows to predict")
	cols := flag.Int("cols", 10, "feature columns")
	trees := flag.Int("trees", 100, "n_estimators")
	repeats := flag.Int("repeats", 3, "timed repetitions; the best is reported")
	genOnly := flag.Bool("generate", false, "only generate the CSVs")
	flag.Parse()
	if err := run(*dir, *trainRows, *rows, *cols, *trees, *repeats, *genOnly); err != nil {
		fmt.Fprintln(os.Stderr, "predict:", err)
		os.Exit(1)
	}
}

// generate writes train and rows rows to predict, drawn from the same
// clusters: one GenerateCSV output split after its first trainRows rows.
func generate(train, pred string, trainRows, rows, cols int) error {
	if _, err := os.Stat(pred); err == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := datasets.GenerateCSV(&buf, trainRows+rows, cols, 1); err != nil {
		return err
	}
	all := buf.Bytes()
	header, rest, _ := bytes.Cut(all, []byte("\n"))
	cut := 0
	for range trainRows {
		cut += bytes.IndexByte(rest[cut:], '\n') + 1
	}
	join := func(body []byte) []byte { return append(append(append([]byte(nil), header...), '\n'), body...) }
	if err := os.WriteFile(train, join(rest[:cut]), 0o644); err != nil {
		return err
	}
	return os.WriteFile(pred, join(rest[cut:]), 0o644)
}

func run(dir string, trainRows, rows, cols, trees, repeats int, genOnly bool) error {
	train, pred := filepath.Join(dir, "train.csv"), filepath.Join(dir, "predict.csv")
	if err := generate(train, pred, trainRows, rows, cols); err != nil {
		return err
	}
	if genOnly {
		return nil
	}
	d, err := datasets.Load(pred, datasets.Options{Target: "label", Task: trial.Classification})
	if err != nil {
		return err
	}
	X := trainers.Matrix{Rows: d.Rows, Cols: d.Cols, Data: d.X}
	for _, jobs := range []int{1, 2} {
		m, err := model.Fit(context.Background(), worker.New(nil), model.FitRequest{Request: worker.Request{
			Trial:   trial.Trial{Model: "random_forest", Params: trial.Params{"n_estimators": trees, "n_jobs": jobs}, Seed: 1},
			Dataset: worker.DatasetRef{Path: train},
		}})
		if err != nil {
			return err
		}
		var acc float64
		wall, cpu, err := best(repeats, func() error {
			p, err := m.Predict(X)
			if err == nil {
				acc = accuracy(p.Labels, d)
			}
			return err
		})
		if err != nil {
			return err
		}
		report("predict", jobs, rows, wall, cpu, acc)
		wall, cpu, err = best(repeats, func() error {
			_, err := m.PredictFile(context.Background(), pred, io.Discard, model.StreamOptions{})
			return err
		})
		if err != nil {
			return err
		}
		report("stream", jobs, rows, wall, cpu, acc)
	}
	return nil
}

// best runs f repeats times and returns its best wall-clock and CPU
// seconds (user+system of the process: the machine may be shared).
func best(repeats int, f func() error) (wall, cpu float64, err error) {
	wall, cpu = math.Inf(1), math.Inf(1)
	for range repeats {
		runtime.GC()
		start, c0 := time.Now(), cpuSeconds()
		if err := f(); err != nil {
			return 0, 0, err
		}
		wall = min(wall, time.Since(start).Seconds())
		cpu = min(cpu, cpuSeconds()-c0)
	}
	return wall, cpu, nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func accuracy(labels []string, d *datasets.Dataset) float64 {
	n := 0
	for i, l := range labels {
		if l == d.Classes[int(d.Y[i])] {
			n++
		}
	}
	return float64(n) / float64(len(labels))
}

func report(what string, jobs, rows int, wall, cpu, acc float64) {
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"impl": "hpsearch", "what": what, "n_jobs": jobs, "rows": rows,
		"seconds": wall, "cpu_seconds": cpu, "accuracy": acc,
	})
}
