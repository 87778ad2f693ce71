package knn_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/knn"
	"github.com/hpsearch/hpsearch/trial"
)

// The hand-made case of benchmarks/sklearn_refs/knn_small.py.
var (
	smallX = trainers.Matrix{Rows: 6, Cols: 2, Data: []float64{0, 0, 1, 0, 0, 2, 3, 1, 2, 2, 4, 4}}
	smallY = []float64{0, 1, 1, 2, 0, 2}
	smallR = []float64{1.5, -2.0, 3.25, 0.0, 7.0, 10.0}
	smallQ = trainers.Matrix{Rows: 4, Cols: 2, Data: []float64{0.5, 0.5, 0, 2, 3, 3, 2.5, 0.2}}
)

// scikit-learn 1.2.1's outputs for smallQ with n_neighbors=3.
var smallRefs = []struct {
	weights string
	p       int
	proba   [][]float64
	class   []float64
	regress []float64
}{
	{"uniform", 1,
		[][]float64{{1. / 3, 2. / 3, 0}, {2. / 3, 1. / 3, 0}, {1. / 3, 0, 2. / 3}, {1. / 3, 1. / 3, 1. / 3}},
		[]float64{1, 0, 2, 0},
		[]float64{0.9166666666666666, 3.9166666666666665, 5.666666666666667, 1.6666666666666667}},
	{"uniform", 2,
		[][]float64{{1. / 3, 2. / 3, 0}, {2. / 3, 1. / 3, 0}, {1. / 3, 0, 2. / 3}, {1. / 3, 1. / 3, 1. / 3}},
		[]float64{1, 0, 2, 0},
		[]float64{0.9166666666666666, 3.9166666666666665, 5.666666666666667, 1.6666666666666667}},
	{"distance", 1,
		[][]float64{{0.4, 0.6, 0}, {0, 1, 0}, {0.3333333333333333, 0, 0.6666666666666666},
			{0.24259055982436886, 0.32821075740944017, 0.42919868276619094}},
		[]float64{1, 1, 2, 2},
		[]float64{0.45, 3.25, 5.666666666666667, 1.0417124039517014}},
	{"distance", 2,
		[][]float64{{0.4086280011842216, 0.5913719988157784, 0}, {0, 1, 0}, {0.3693980625181293, 0, 0.6306019374818708},
			{0.23726196940110844, 0.2929025166931637, 0.46983551390572775}},
		[]float64{1, 1, 2, 2},
		[]float64{0.38960399171044885, 3.25, 6.2797670628081965, 1.0750287524214317}},
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }

func TestSmallMatchesSklearn(t *testing.T) {
	ctx := context.Background()
	for _, ref := range smallRefs {
		p := trial.Params{"n_neighbors": 3, "weights": ref.weights, "p": ref.p}
		t.Run(p.Format(), func(t *testing.T) {
			c := newEstimator(t, p, trainers.Config{Task: trial.Classification, Classes: 3})
			if err := c.Fit(ctx, smallX, smallY); err != nil {
				t.Fatal(err)
			}
			proba := c.PredictProba(smallQ)
			for i, want := range ref.proba {
				for j, w := range want {
					if got := proba.At(i, j); !near(got, w) {
						t.Errorf("proba[%d][%d] = %v, want %v", i, j, got, w)
					}
				}
			}
			for i, got := range c.Predict(smallQ) {
				if got != ref.class[i] {
					t.Errorf("class[%d] = %v, want %v", i, got, ref.class[i])
				}
			}
			r := newEstimator(t, p, trainers.Config{Task: trial.Regression})
			if err := r.Fit(ctx, smallX, smallR); err != nil {
				t.Fatal(err)
			}
			for i, got := range r.Predict(smallQ) {
				if !near(got, ref.regress[i]) {
					t.Errorf("regress[%d] = %v, want %v", i, got, ref.regress[i])
				}
			}
		})
	}
}

func TestDiabetesMatchesSklearn(t *testing.T) {
	X, y := dataset(readCSV(t, "testdata/diabetes.csv"))
	ref := readCSV(t, "testdata/diabetes_sklearn_pred.csv")
	train, test := make([]int, 350), make([]int, X.Rows-350)
	for i := range train {
		train[i] = i
	}
	for i := range test {
		test[i] = 350 + i
	}
	Xtr, ytr := subset(X, y, train)
	Xte, _ := subset(X, y, test)
	col := 0
	for _, w := range []string{"uniform", "distance"} {
		for _, pow := range []int{1, 2} {
			for _, k := range []int{1, 7} {
				p := trial.Params{"n_neighbors": k, "weights": w, "p": pow}
				c := col
				col++
				t.Run(p.Format(), func(t *testing.T) {
					e := newEstimator(t, p, trainers.Config{Task: trial.Regression})
					if err := e.Fit(context.Background(), Xtr, ytr); err != nil {
						t.Fatal(err)
					}
					for i, got := range e.Predict(Xte) {
						if want := ref[i][c]; !near(got, want) {
							t.Errorf("row %d: got %v, want %v", 350+i, got, want)
						}
					}
				})
			}
		}
	}
}

// TestTies checks that among equally distant training rows the earlier one
// is a neighbour, and that a tied vote goes to the lowest class.
func TestTies(t *testing.T) {
	// Four rows at distance 1 from the origin, labelled 3, 1, 2, 0.
	X := trainers.Matrix{Rows: 4, Cols: 2, Data: []float64{1, 0, 0, 1, -1, 0, 0, -1}}
	y := []float64{3, 1, 2, 0}
	q := trainers.Matrix{Rows: 1, Cols: 2, Data: []float64{0, 0}}
	cases := []struct {
		k    int
		want float64
	}{
		{1, 3}, // the first row
		{2, 1}, // rows 0 and 1 tie 3 against 1: the lower class
		{3, 1},
		{4, 0},
	}
	for _, pow := range []int{1, 2} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("p=%d/k=%d", pow, c.k), func(t *testing.T) {
				e := newEstimator(t, trial.Params{"n_neighbors": c.k, "p": pow}, trainers.Config{Task: trial.Classification, Classes: 4})
				if err := e.Fit(context.Background(), X, y); err != nil {
					t.Fatal(err)
				}
				if got := e.Predict(q)[0]; got != c.want {
					t.Errorf("got class %v, want %v", got, c.want)
				}
			})
		}
	}
}

func TestErrors(t *testing.T) {
	f := knn.Family{}
	ctx := context.Background()
	e := newEstimator(t, trial.Params{"n_neighbors": 7}, trainers.Config{Task: trial.Classification, Classes: 3})
	if err := e.Fit(ctx, smallX, smallY); !errors.Is(err, knn.ErrTooFewRows) {
		t.Errorf("k > rows: got %v, want ErrTooFewRows", err)
	}
	e = newEstimator(t, nil, trainers.Config{Task: trial.Classification, Classes: 2})
	if err := e.Fit(ctx, smallX, smallY); err == nil {
		t.Error("label 2 with 2 classes: no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := e.Fit(cancelled, smallX, smallY); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	for _, p := range []trial.Params{
		{"n_neighbors": 0},
		{"p": 3},
		{"weights": "gaussian"},
		{"n_neighbors": 2.5},
	} {
		if _, err := trainers.Resolve(f.Info(), p); err == nil {
			t.Errorf("Resolve(%v): no error", p)
		}
	}
	if _, err := f.New(trial.Params{"n_neighbors": 5, "weights": "uniform", "p": 2}, trainers.Config{Task: "ranking"}); err == nil {
		t.Error("unknown task: no error")
	}
}

// TestJSONParams checks parameters as they arrive after a JSON round trip,
// every number a float64.
func TestJSONParams(t *testing.T) {
	f := knn.Family{}
	p, err := trainers.Resolve(f.Info(), trial.Params{"n_neighbors": 3.0, "p": 1.0, "weights": "distance"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.New(p, trainers.Config{Task: trial.Regression}); err != nil {
		t.Fatal(err)
	}
	if f.DefaultScale() != "standard" {
		t.Errorf("DefaultScale = %q", f.DefaultScale())
	}
	if _, ok := trainers.Lookup("knn"); !ok {
		t.Error("knn not registered")
	}
}
