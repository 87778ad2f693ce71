package zoo_test

import (
	"bufio"
	"context"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
	"github.com/hpsearch/hpsearch/trial"
)

func TestNames(t *testing.T) {
	names := trainers.Names()
	if len(names) == 0 {
		t.Fatal("no family registered")
	}
	for _, want := range []string{"knn", "noop", "branin", "hartmann6", "rosenbrock"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s not registered; have %v", want, names)
		}
	}
	if got := len(trainers.Catalog.Models()); got != len(names) {
		t.Errorf("Catalog has %d models, Names %d", got, len(names))
	}
	t.Logf("registered: %v", names)
}

// TestDeclarations checks every family's declaration: its defaults pass
// Resolve and come back unchanged, its kind (Learner or Objective) agrees
// with ModelInfo, and it builds an estimator or evaluates at its defaults.
func TestDeclarations(t *testing.T) {
	for _, name := range trainers.Names() {
		t.Run(name, func(t *testing.T) {
			f, _ := trainers.Lookup(name)
			info := f.Info()
			if info.Name != name {
				t.Errorf("registered as %q, Info().Name is %q", name, info.Name)
			}
			p, err := trainers.Resolve(info, nil)
			if err != nil {
				t.Fatalf("defaults do not pass Resolve: %v", err)
			}
			again, err := trainers.Resolve(info, p)
			if err != nil {
				t.Fatalf("resolved defaults do not pass Resolve: %v", err)
			}
			for _, d := range info.Param {
				if again[d.Name] != p[d.Name] {
					t.Errorf("%s: resolved twice %v, once %v", d.Name, again[d.Name], p[d.Name])
				}
			}
			switch f := f.(type) {
			case trainers.Objective:
				if !info.Objective || info.DefaultMetric != "value" {
					t.Errorf("an Objective with Objective=%v DefaultMetric=%q", info.Objective, info.DefaultMetric)
				}
				if _, err := f.Evaluate(context.Background(), p); err != nil {
					t.Errorf("Evaluate at defaults: %v", err)
				}
			case trainers.Learner:
				if info.Objective || len(info.Tasks) == 0 {
					t.Errorf("a Learner with Objective=%v Tasks=%v", info.Objective, info.Tasks)
				}
				for _, task := range info.Tasks {
					if _, err := f.New(p, trainers.Config{Task: task, Classes: 3}); err != nil {
						t.Errorf("New at defaults for %s: %v", task, err)
					}
				}
			default:
				t.Errorf("%T is neither a Learner nor an Objective", f)
			}
		})
	}
}

// TestLearnersFit fits every learner at its defaults on a small dataset of
// each task it supports and checks the shape of what it predicts.
func TestLearnersFit(t *testing.T) {
	if testing.Short() {
		t.Skip("fits every learner")
	}
	type dataset struct {
		X       trainers.Matrix
		y       []float64
		classes int
	}
	data := map[trial.Task]dataset{}
	X, y, classes := readCSV(t, "testdata/iris.csv")
	data[trial.Classification] = dataset{X, y, classes}
	X, y, _ = readCSV(t, "testdata/diabetes.csv")
	data[trial.Regression] = dataset{X, y, 0}
	for _, name := range trainers.Names() {
		f, _ := trainers.Lookup(name)
		l, ok := f.(trainers.Learner)
		if !ok {
			continue
		}
		for _, task := range f.Info().Tasks {
			t.Run(name+"/"+string(task), func(t *testing.T) {
				d := data[task]
				p, err := trainers.Resolve(f.Info(), nil)
				if err != nil {
					t.Fatal(err)
				}
				e, err := l.New(p, trainers.Config{Task: task, Classes: d.classes, Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Fit(context.Background(), d.X, d.y); err != nil {
					t.Fatal(err)
				}
				pred := e.Predict(d.X)
				if len(pred) != d.X.Rows {
					t.Fatalf("%d predictions for %d rows", len(pred), d.X.Rows)
				}
				for i, v := range pred {
					if math.IsNaN(v) || task == trial.Classification && (v != math.Trunc(v) || v < 0 || int(v) >= d.classes) {
						t.Fatalf("prediction %d is %v", i, v)
					}
				}
				pe, ok := e.(trainers.ProbaEstimator)
				if !ok || task != trial.Classification {
					return
				}
				proba := pe.PredictProba(d.X)
				if proba.Rows != d.X.Rows || proba.Cols != d.classes {
					t.Fatalf("probabilities %dx%d for %d rows and %d classes", proba.Rows, proba.Cols, d.X.Rows, d.classes)
				}
				for i := range proba.Rows {
					var s float64
					for _, v := range proba.Row(i) {
						s += v
					}
					if math.Abs(s-1) > 1e-9 {
						t.Fatalf("probabilities of row %d sum to %v", i, s)
					}
				}
			})
		}
	}
}

// readCSV reads a dataset with a header row whose last column is the
// target. String targets become class indices in order of first
// appearance, and classes is their number (0 for a numeric target).
func readCSV(tb testing.TB, path string) (trainers.Matrix, []float64, int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var (
		cells  []float64
		y      []float64
		labels = map[string]int{}
		cols   int
	)
	sc := bufio.NewScanner(f)
	sc.Scan()
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		cols = len(fields) - 1
		for _, s := range fields[:cols] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
			cells = append(cells, v)
		}
		last := fields[cols]
		if v, err := strconv.ParseFloat(last, 64); err == nil && len(labels) == 0 {
			y = append(y, v)
			continue
		}
		if _, ok := labels[last]; !ok {
			labels[last] = len(labels)
		}
		y = append(y, float64(labels[last]))
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return trainers.Matrix{Rows: len(y), Cols: cols, Data: cells}, y, len(labels)
}
