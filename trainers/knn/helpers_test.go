package knn_test

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/knn"
	"github.com/hpsearch/hpsearch/trial"
)

// readCSV reads a numeric CSV with a header row into rows of floats.
func readCSV(tb testing.TB, path string) [][]float64 {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows [][]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		row := make([]float64, len(fields))
		for i, s := range fields {
			if row[i], err = strconv.ParseFloat(s, 64); err != nil {
				tb.Fatalf("%s: %v", path, err)
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// dataset splits rows into features (all columns but the last) and target.
func dataset(rows [][]float64) (trainers.Matrix, []float64) {
	X := trainers.NewMatrix(len(rows), len(rows[0])-1)
	y := make([]float64, len(rows))
	for i, r := range rows {
		copy(X.Row(i), r[:len(r)-1])
		y[i] = r[len(r)-1]
	}
	return X, y
}

// subset returns the rows idx of X and y.
func subset(X trainers.Matrix, y []float64, idx []int) (trainers.Matrix, []float64) {
	return trainertest.Subset(X, y, idx)
}

// digitsFolds loads digits.csv and the fold of each row under scikit-learn's
// StratifiedKFold(5, shuffle=True, random_state=0).
func digitsFolds(tb testing.TB) (X trainers.Matrix, y []float64, folds [5][2][]int) {
	tb.Helper()
	X, y = dataset(readCSV(tb, "testdata/digits.csv"))
	fold := readCSV(tb, "testdata/digits_folds.csv")
	for i, f := range fold {
		for k := range 5 {
			if int(f[0]) == k {
				folds[k][1] = append(folds[k][1], i)
			} else {
				folds[k][0] = append(folds[k][0], i)
			}
		}
	}
	return X, y, folds
}

func newEstimator(tb testing.TB, p trial.Params, cfg trainers.Config) *knn.Estimator {
	tb.Helper()
	return trainertest.New(tb, knn.Family{}, p, cfg).(*knn.Estimator)
}

// crossValPredict returns the out-of-fold predictions of a knn with p.
func crossValPredict(tb testing.TB, X trainers.Matrix, y []float64, folds [5][2][]int, p trial.Params) []float64 {
	tb.Helper()
	pred := make([]float64, len(y))
	for _, f := range folds {
		Xtr, ytr := subset(X, y, f[0])
		Xva, _ := subset(X, y, f[1])
		e := newEstimator(tb, p, trainers.Config{Task: trial.Classification, Classes: 10})
		if err := e.Fit(context.Background(), Xtr, ytr); err != nil {
			tb.Fatal(err)
		}
		for i, v := range e.Predict(Xva) {
			pred[f[1][i]] = v
		}
	}
	return pred
}
