package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// cv is the validation both sides use: worker.Splits' stratified (for
// classification) 5-fold split with seed 0.
var cv = trial.CV{Folds: 5, Seed: 0}

// Synthetic data sets: 20,000 rows and 20 features.
const (
	synthRows = 20_000
	synthCols = 20
	synthSeed = 1
)

// prepared is a data set ready for both sides: the worker's request base,
// and the files the Python side reads.
type prepared struct {
	Name  string
	Base  worker.Request
	Rows  int
	Cols  int
	Data  string // CSV of X as the worker sees it, then the target (class index or value)
	Folds string // JSON: {"folds": [{"train": [...], "test": [...]}, ...]}
}

// prepare generates the data set if it is synthetic, loads it through w
// (warming the worker's cache, so that timed runs do not load), computes
// its folds with w.Splits, and writes the data and folds for Python.
func prepare(ctx context.Context, w *worker.Worker, dir, name string, task trial.Task) (*prepared, error) {
	ref := worker.DatasetRef{Name: name}
	switch name {
	case "synth20k-class":
		ref = worker.DatasetRef{Path: filepath.Join(dir, name+".csv")}
		if err := writeFile(ref.Path, func(w io.Writer) error {
			return datasets.GenerateCSV(w, synthRows, synthCols, synthSeed)
		}); err != nil {
			return nil, err
		}
	case "synth20k-reg":
		ref = worker.DatasetRef{Path: filepath.Join(dir, name+".csv")}
		if err := writeFile(ref.Path, func(w io.Writer) error {
			return generateRegressionCSV(w, synthRows, synthCols, synthSeed)
		}); err != nil {
			return nil, err
		}
	}
	metric := "accuracy"
	if task == trial.Regression {
		metric = "r2"
	}
	base := worker.Request{Study: "bench", Dataset: ref, Task: task, Metric: metric, CV: cv}
	d, _, err := w.Load(ctx, base)
	if err != nil {
		return nil, err
	}
	splits, err := w.Splits(d, cv)
	if err != nil {
		return nil, err
	}
	p := &prepared{
		Name: name, Base: base, Rows: d.Rows, Cols: d.Cols,
		Data:  filepath.Join(dir, name+".data.csv"),
		Folds: filepath.Join(dir, name+".folds.json"),
	}
	if err := writeFile(p.Data, func(w io.Writer) error { return writeMatrix(w, d) }); err != nil {
		return nil, err
	}
	type fold struct {
		Train []int `json:"train"`
		Test  []int `json:"test"`
	}
	folds := make([]fold, len(splits))
	for i, s := range splits {
		folds[i] = fold{s.Train, s.Valid}
	}
	if err := writeFile(p.Folds, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(map[string]any{"dataset": name, "task": task, "cv": cv, "folds": folds})
	}); err != nil {
		return nil, err
	}
	return p, nil
}

// writeMatrix writes d's X and Y as a headerless CSV, exactly (shortest
// round-tripping decimal).
func writeMatrix(w io.Writer, d *datasets.Dataset) error {
	var line []byte
	for i := range d.Rows {
		line = line[:0]
		for _, v := range d.X[i*d.Cols : (i+1)*d.Cols] {
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
			line = append(line, ',')
		}
		line = strconv.AppendFloat(line, d.Y[i], 'g', -1, 64)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// generateRegressionCSV writes a synthetic regression set: features
// x0..x{cols-1} uniform in [0, 1] and
//
//	y = 10 sin(π x0 x1) + 20 (x2 − 0.5)² + 10 x3 + 5 x4 + Σ_{j=5..9} (j−4) x_j + ε,  ε ~ N(0, 1)
//
// (Friedman's #1 function plus five linear terms; the other features are
// noise). It needs cols >= 10.
func generateRegressionCSV(w io.Writer, rows, cols int, seed uint64) error {
	if cols < 10 {
		return fmt.Errorf("regression generator needs at least 10 columns, got %d", cols)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x51ed2701))
	var line []byte
	for j := range cols {
		line = fmt.Appendf(line, "x%d,", j)
	}
	line = append(line, "y\n"...)
	if _, err := w.Write(line); err != nil {
		return err
	}
	x := make([]float64, cols)
	for range rows {
		for j := range x {
			x[j] = rng.Float64()
		}
		y := 10*math.Sin(math.Pi*x[0]*x[1]) + 20*(x[2]-0.5)*(x[2]-0.5) + 10*x[3] + 5*x[4] + rng.NormFloat64()
		for j := 5; j < 10; j++ {
			y += float64(j-4) * x[j]
		}
		line = line[:0]
		for _, v := range x {
			line = strconv.AppendFloat(line, v, 'f', 6, 64)
			line = append(line, ',')
		}
		line = strconv.AppendFloat(line, y, 'f', 6, 64)
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// writeFile creates path and writes it through a buffer with fill.
func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
