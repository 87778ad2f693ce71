package linear

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// refCase is one family's CV score against scikit-learn 1.2.1's, from
// benchmarks/sklearn_refs/linear_refs.py: the mean over five shuffles of
// five-fold CV, standardized per fold. Ours uses its own folds, averaged
// over the same number of shuffles.
type refCase struct {
	learner trainers.Learner
	params  trial.Params
	data    string
	task    trial.Task
	seeds   int
	ref     float64
}

func TestCVMatchesSklearn(t *testing.T) {
	cases := map[string]refCase{
		"logistic/digits":        {Logistic{}, trial.Params{"max_iter": 1000}, "digits", trial.Classification, 2, 0.9688},
		"logistic/breast_cancer": {Logistic{}, trial.Params{}, "breast_cancer", trial.Classification, 5, 0.9807},
		"svm/digits":             {SVM{}, trial.Params{}, "digits", trial.Classification, 1, 0.9560},
		"svm/breast_cancer":      {SVM{}, trial.Params{}, "breast_cancer", trial.Classification, 5, 0.9708},
		"ridge/diabetes":         {Ridge{}, trial.Params{}, "diabetes", trial.Regression, 5, 0.4822},
		"ridge/diabetes/100":     {Ridge{}, trial.Params{"alpha": 100.0}, "diabetes", trial.Regression, 5, 0.4758},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ds := trainertest.LoadCSV(t, c.data, c.task)
			var sum float64
			for s := range c.seeds {
				sum += trainertest.FiveFold(t, c.learner, c.params, ds, true, uint64(s))
			}
			got := sum / float64(c.seeds)
			slack := 0.01
			if c.task == trial.Regression {
				slack = 0.02
			}
			t.Logf("ours %.4f, sklearn %.4f", got, c.ref)
			if got < c.ref-slack {
				t.Errorf("CV score %.4f, want at least sklearn's %.4f - %.2f", got, c.ref, slack)
			}
		})
	}
}

func TestLogisticProbaSumsToOne(t *testing.T) {
	ds := trainertest.LoadCSV(t, "iris", trial.Classification)
	for _, classes := range []int{2, 3} {
		X, y := ds.X, ds.Y
		if classes == 2 { // setosa vs the rest
			y = slices.Clone(y)
			for i := range y {
				y[i] = min(y[i], 1)
			}
		}
		est := fit(t, Logistic{}, trial.Params{}, X, y, classes, 0)
		proba := est.(trainers.ProbaEstimator).PredictProba(X)
		pred := est.Predict(X)
		for i := 0; i < proba.Rows; i++ {
			row := proba.Row(i)
			var s float64
			for _, p := range row {
				s += p
			}
			if s < 1-1e-9 || s > 1+1e-9 {
				t.Fatalf("row %d sums to %v", i, s)
			}
			if argmax(row) != int(pred[i]) {
				t.Fatalf("row %d: argmax proba %d, Predict %v", i, argmax(row), pred[i])
			}
		}
	}
}

func TestSameSeedSamePredictions(t *testing.T) {
	ds := trainertest.LoadCSV(t, "breast_cancer", trial.Classification)
	trainertest.Standardize(ds.X, trainers.Matrix{})
	for _, l := range []trainers.Learner{Logistic{}, SVM{}} {
		a := fit(t, l, trial.Params{"max_iter": 5}, ds.X, ds.Y, 2, 7).Predict(ds.X)
		b := fit(t, l, trial.Params{"max_iter": 5}, ds.X, ds.Y, 2, 7).Predict(ds.X)
		if !slices.Equal(a, b) {
			t.Errorf("%s: predictions differ for the same seed", l.Info().Name)
		}
	}
}

func TestFitHonoursCancelledContext(t *testing.T) {
	ds := trainertest.LoadCSV(t, "iris", trial.Classification)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, l := range []trainers.Learner{Logistic{}, SVM{}, Ridge{}} {
		p, _ := trainers.Resolve(l.Info(), nil)
		cfg := trainers.Config{Task: trial.Classification, Classes: 3}
		if l.Info().Name == "ridge" {
			cfg = trainers.Config{Task: trial.Regression}
		}
		est, err := l.New(p, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := est.Fit(ctx, ds.X, ds.Y); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Fit with cancelled ctx = %v, want context.Canceled", l.Info().Name, err)
		}
	}
}

func TestDeclarations(t *testing.T) {
	for _, name := range []string{"logistic_regression", "linear_svm", "ridge"} {
		f, ok := trainers.Lookup(name)
		if !ok {
			t.Fatalf("%s not registered", name)
		}
		if s, ok := f.(trainers.Scaled); !ok || s.DefaultScale() != "standard" {
			t.Errorf("%s: want DefaultScale standard", name)
		}
		if _, err := trainers.Resolve(f.Info(), nil); err != nil {
			t.Errorf("%s: defaults do not resolve: %v", name, err)
		}
	}
	if _, err := trainers.Resolve(Logistic{}.Info(), trial.Params{"C": 0.0}); err == nil {
		t.Error("C=0 accepted")
	}
}

func TestBadInput(t *testing.T) {
	X := trainers.Matrix{Rows: 2, Cols: 1, Data: []float64{0, 1}}
	p, _ := trainers.Resolve(Logistic{}.Info(), nil)
	est, _ := Logistic{}.New(p, trainers.Config{Task: trial.Classification, Classes: 2})
	if err := est.Fit(context.Background(), X, []float64{0, 2}); err == nil {
		t.Error("label 2 with 2 classes accepted")
	}
	if err := est.Fit(context.Background(), X, []float64{0}); err == nil {
		t.Error("mismatched lengths accepted")
	}
}

func fit(tb testing.TB, l trainers.Learner, p trial.Params, X trainers.Matrix, y []float64, classes int, seed uint64) trainers.Estimator {
	tb.Helper()
	rp, err := trainers.Resolve(l.Info(), p)
	if err != nil {
		tb.Fatal(err)
	}
	est, err := l.New(rp, trainers.Config{Task: trial.Classification, Classes: classes, Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	if err := est.Fit(context.Background(), X, y); err != nil {
		tb.Fatal(err)
	}
	return est
}
