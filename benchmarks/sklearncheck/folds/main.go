// Command folds writes a dataset as hpsearch's worker sees it (features
// encoded, the target as class indices or values) and its validation
// splits as the worker computes them, as one JSON object on stdout, so
// that the scikit-learn cross-check (../check.py) fits scikit-learn on
// the same rows and the same folds as an hpsearch study:
//
//	{"features": [...], "classes": [...], "task": "classification",
//	 "X": [[...], ...], "y": [...], "splits": [{"train": [...], "valid": [...]}, ...]}
//
// A missing cell of X is null.
//
// Usage:
//
//	go run ./benchmarks/sklearncheck/folds -dataset breast_cancer -folds 5 -seed 0
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "folds:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		ref      = flag.String("dataset", "", "bundled dataset name or CSV/Parquet path")
		target   = flag.String("target", "", "target column (default: the last)")
		encoding = flag.String("encoding", "", "onehot or ordinal")
		impute   = flag.Bool("missing", false, "allow missing cells (as a spec with preprocess.impute)")
		folds    = flag.Int("folds", 0, "cv.folds (0: 5)")
		seed     = flag.Uint64("seed", 0, "cv.seed")
		holdout  = flag.Float64("holdout", 0, "cv.holdout")
	)
	flag.Parse()
	d, err := datasets.Load(*ref, datasets.Options{Target: *target, Encoding: *encoding, AllowMissing: *impute})
	if err != nil {
		return err
	}
	splits, err := worker.Splits(d.Y, d.Task, d.Classes, trial.CV{Folds: *folds, Seed: *seed, Holdout: *holdout})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, `{"task":%q,"features":[`, d.Task)
	for j, f := range d.Features {
		if j > 0 {
			w.WriteByte(',')
		}
		w.WriteString(strconv.Quote(f))
	}
	w.WriteString(`],"classes":[`)
	for j, c := range d.Classes {
		if j > 0 {
			w.WriteByte(',')
		}
		w.WriteString(strconv.Quote(c))
	}
	w.WriteString(`],"X":[`)
	for i := range d.Rows {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('[')
		for j, v := range d.X[i*d.Cols : (i+1)*d.Cols] {
			if j > 0 {
				w.WriteByte(',')
			}
			writeNumber(w, v)
		}
		w.WriteByte(']')
	}
	w.WriteString(`],"y":[`)
	for i, v := range d.Y {
		if i > 0 {
			w.WriteByte(',')
		}
		writeNumber(w, v)
	}
	w.WriteString(`],"splits":[`)
	for k, sp := range splits {
		if k > 0 {
			w.WriteByte(',')
		}
		w.WriteString(`{"train":`)
		writeInts(w, sp.Train)
		w.WriteString(`,"valid":`)
		writeInts(w, sp.Valid)
		w.WriteByte('}')
	}
	w.WriteString("]}\n")
	return w.Flush()
}

func writeNumber(w *bufio.Writer, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		w.WriteString("null")
		return
	}
	w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
}

func writeInts(w *bufio.Writer, xs []int) {
	w.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(strconv.Itoa(x))
	}
	w.WriteByte(']')
}
