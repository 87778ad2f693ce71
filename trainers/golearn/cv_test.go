package golearn

// Test helpers: a CSV loader, stratified k-fold, a standard scaler fitted
// on the training fold, and cross-validated scoring. The same file is
// copied into trainers/linear, bayes, mlp and golearn, so that their tests
// need no shared test-only package.

import (
	"cmp"
	"context"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// dataset is a loaded CSV: features, targets, and the number of classes
// (0 for regression).
type dataset struct {
	X       trainers.Matrix
	y       []float64
	classes int
}

// loadCSV reads testdata/<name>.csv, last column the target. String
// targets become class indices in sorted order; numeric targets stay
// values unless classification is asked for, when they are mapped the same
// way.
func loadCSV(tb testing.TB, name string, task trial.Task) dataset {
	tb.Helper()
	f, err := os.Open("testdata/" + name + ".csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	rows = rows[1:]
	cols := len(rows[0]) - 1
	X := trainers.NewMatrix(len(rows), cols)
	raw := make([]string, len(rows))
	for i, r := range rows {
		for j := 0; j < cols; j++ {
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				tb.Fatalf("%s line %d: %v", name, i+2, err)
			}
			X.Data[i*cols+j] = v
		}
		raw[i] = r[cols]
	}
	ds := dataset{X: X, y: make([]float64, len(rows))}
	if task == trial.Regression {
		for i, s := range raw {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatalf("%s line %d: %v", name, i+2, err)
			}
			ds.y[i] = v
		}
		return ds
	}
	labels := slices.Clone(raw)
	numeric := true
	for _, s := range labels {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			numeric = false
		}
	}
	slices.SortFunc(labels, func(a, b string) int {
		if numeric {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			return cmp.Compare(x, y)
		}
		return cmp.Compare(a, b)
	})
	labels = slices.Compact(labels)
	index := map[string]int{}
	for i, s := range labels {
		index[s] = i
	}
	for i, s := range raw {
		ds.y[i] = float64(index[s])
	}
	ds.classes = len(labels)
	return ds
}

// folds returns k test-index sets. For classification each class's rows
// are shuffled and dealt round-robin, so every fold has the class mix of
// the whole; for regression rows are shuffled and cut into k parts.
func folds(y []float64, classes, k int, seed uint64) [][]int {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([][]int, k)
	if classes == 0 {
		perm := r.Perm(len(y))
		for i, p := range perm {
			out[i*k/len(y)] = append(out[i*k/len(y)], p)
		}
		return out
	}
	byClass := make([][]int, classes)
	for i, v := range y {
		byClass[int(v)] = append(byClass[int(v)], i)
	}
	next := 0
	for _, rows := range byClass {
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for _, i := range rows {
			out[next%k] = append(out[next%k], i)
			next++
		}
	}
	for _, f := range out {
		slices.Sort(f)
	}
	return out
}

// subset copies the given rows of X and y.
func subset(X trainers.Matrix, y []float64, rows []int) (trainers.Matrix, []float64) {
	sub := trainers.NewMatrix(len(rows), X.Cols)
	ys := make([]float64, len(rows))
	for i, r := range rows {
		copy(sub.Row(i), X.Row(r))
		ys[i] = y[r]
	}
	return sub, ys
}

// standardize scales train and test in place with train's column means
// and standard deviations (constant columns are only centred).
func standardize(train, test trainers.Matrix) {
	for j := 0; j < train.Cols; j++ {
		var mean, sq float64
		for i := 0; i < train.Rows; i++ {
			mean += train.At(i, j)
		}
		mean /= float64(train.Rows)
		for i := 0; i < train.Rows; i++ {
			d := train.At(i, j) - mean
			sq += d * d
		}
		sd := math.Sqrt(sq / float64(train.Rows))
		if sd == 0 {
			sd = 1
		}
		for _, m := range []trainers.Matrix{train, test} {
			for i := 0; i < m.Rows; i++ {
				m.Data[i*m.Cols+j] = (m.Data[i*m.Cols+j] - mean) / sd
			}
		}
	}
}

// cvScore is the mean k-fold score of a learner: accuracy for
// classification, r2 for regression.
func cvScore(tb testing.TB, l trainers.Learner, p trial.Params, ds dataset, scale bool, seed uint64) float64 {
	tb.Helper()
	info := l.Info()
	rp, err := trainers.Resolve(info, p)
	if err != nil {
		tb.Fatal(err)
	}
	task := trial.Classification
	if ds.classes == 0 {
		task = trial.Regression
	}
	var total float64
	fs := folds(ds.y, ds.classes, 5, seed)
	for fi, test := range fs {
		var train []int
		for fj, f := range fs {
			if fj != fi {
				train = append(train, f...)
			}
		}
		slices.Sort(train)
		Xtr, ytr := subset(ds.X, ds.y, train)
		Xte, yte := subset(ds.X, ds.y, test)
		if scale {
			standardize(Xtr, Xte)
		}
		est, err := l.New(rp, trainers.Config{Task: task, Classes: ds.classes, Seed: seed + uint64(fi)})
		if err != nil {
			tb.Fatal(err)
		}
		if err := est.Fit(context.Background(), Xtr, ytr); err != nil {
			tb.Fatal(err)
		}
		total += score(est.Predict(Xte), yte, task)
	}
	return total / float64(len(fs))
}

func score(pred, y []float64, task trial.Task) float64 {
	if task == trial.Classification {
		var ok int
		for i, p := range pred {
			if p == y[i] {
				ok++
			}
		}
		return float64(ok) / float64(len(y))
	}
	var mean, ssRes, ssTot float64
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	for i, v := range y {
		ssRes += (v - pred[i]) * (v - pred[i])
		ssTot += (v - mean) * (v - mean)
	}
	return 1 - ssRes/ssTot
}
