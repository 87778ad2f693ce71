package tree

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

func fitOn(t *testing.T, l trainers.Learner, params trial.Params, d dataset, seed uint64) trainers.Estimator {
	t.Helper()
	p, err := trainers.Resolve(l.Info(), params)
	if err != nil {
		t.Fatal(err)
	}
	cfg := trainers.Config{Task: trial.Regression, Seed: seed}
	if d.Classes > 0 {
		cfg = trainers.Config{Task: trial.Classification, Classes: d.Classes, Seed: seed}
	}
	e, err := l.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Fit(context.Background(), d.X, d.Y); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRegistered(t *testing.T) {
	for _, name := range []string{"decision_tree", "random_forest"} {
		f, ok := trainers.Lookup(name)
		if !ok {
			t.Fatalf("%s is not registered", name)
		}
		if _, err := trainers.Resolve(f.Info(), trial.Params{}); err != nil {
			t.Errorf("%s: defaults do not resolve: %v", name, err)
		}
	}
}

func TestForestSameForAnyJobs(t *testing.T) {
	d := trainertest.Load(t, "iris.csv")
	for _, task := range []string{"classification", "regression"} {
		t.Run(task, func(t *testing.T) {
			dd := d
			if task == "regression" {
				dd.Classes = 0 // predict the class index as a number
			}
			var want []float64
			for _, jobs := range []int{1, 2, 3} {
				e := fitOn(t, RandomForest{}, trial.Params{"n_estimators": 20, "n_jobs": jobs}, dd, 42)
				got := e.(trainers.ProbaEstimator).PredictProba(dd.X).Data
				if want == nil {
					want = got
				} else if !slices.Equal(got, want) {
					t.Fatalf("n_jobs=%d predicts differently from n_jobs=1", jobs)
				}
			}
		})
	}
}

func TestSeedChangesForest(t *testing.T) {
	d := trainertest.Load(t, "iris.csv")
	a := fitOn(t, RandomForest{}, trial.Params{"n_estimators": 5}, d, 1).(trainers.ProbaEstimator)
	b := fitOn(t, RandomForest{}, trial.Params{"n_estimators": 5}, d, 2).(trainers.ProbaEstimator)
	if slices.Equal(a.PredictProba(d.X).Data, b.PredictProba(d.X).Data) {
		t.Error("different seeds gave identical forests")
	}
}

func TestProbabilitiesSumToOne(t *testing.T) {
	d := trainertest.Load(t, "iris.csv")
	for _, l := range []trainers.Learner{DecisionTree{}, RandomForest{}} {
		e := fitOn(t, l, trial.Params{"max_depth": 2}, d, 0).(trainers.ProbaEstimator)
		P := e.PredictProba(d.X)
		pred := e.Predict(d.X)
		for i := range P.Rows {
			s := 0.0
			for _, v := range P.Row(i) {
				s += v
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("%s row %d: probabilities sum to %v", l.Info().Name, i, s)
			}
			if int(pred[i]) != argmax(P.Row(i)) {
				t.Fatalf("%s row %d: Predict %v disagrees with PredictProba", l.Info().Name, i, pred[i])
			}
		}
	}
}

func TestUnlimitedTreeFitsTrainingData(t *testing.T) {
	d := trainertest.Load(t, "iris.csv")
	e := fitOn(t, DecisionTree{}, trial.Params{"criterion": "entropy"}, d, 0)
	// Iris has two identical rows with different species, so 149/150 is
	// the best a tree can do.
	if acc := trainertest.Score(e.Predict(d.X), d.Y, trial.Classification); acc < 149.0/150 {
		t.Errorf("training accuracy %v, want at least 149/150", acc)
	}
}

func TestCriterionPerTask(t *testing.T) {
	tests := []struct {
		criterion string
		task      trial.Task
		ok        bool
	}{
		{"gini", trial.Classification, true},
		{"entropy", trial.Classification, true},
		{"squared_error", trial.Classification, false},
		{"gini", trial.Regression, true}, // the default, read as squared_error
		{"squared_error", trial.Regression, true},
		{"entropy", trial.Regression, false},
	}
	for _, tc := range tests {
		t.Run(tc.criterion+"/"+string(tc.task), func(t *testing.T) {
			for _, l := range []trainers.Learner{DecisionTree{}, RandomForest{}} {
				p, err := trainers.Resolve(l.Info(), trial.Params{"criterion": tc.criterion})
				if err != nil {
					t.Fatal(err)
				}
				_, err = l.New(p, trainers.Config{Task: tc.task, Classes: 3})
				if (err == nil) != tc.ok {
					t.Errorf("%s: New error %v, want ok=%v", l.Info().Name, err, tc.ok)
				}
				if err != nil && !errors.Is(err, trial.ErrBadInput) {
					t.Errorf("%s: error %v does not wrap ErrBadInput", l.Info().Name, err)
				}
			}
		})
	}
}

func TestMaxFeatures(t *testing.T) {
	tests := []struct {
		v    any
		p    int
		want int
	}{
		{"sqrt", 64, 8}, {"log2", 64, 6}, {"none", 64, 64}, {0.5, 64, 32},
		{1.0, 10, 10}, {0.01, 10, 1}, {"sqrt", 1, 1}, {"log2", 1, 1},
	}
	for _, tc := range tests {
		got, err := featureCount(tc.v, tc.p)
		if err != nil || got != tc.want {
			t.Errorf("featureCount(%v, %d) = %d, %v; want %d", tc.v, tc.p, got, err, tc.want)
		}
	}
	if _, err := trainers.Resolve(DecisionTree{}.Info(), trial.Params{"max_features": 1.5}); err == nil {
		t.Error("max_features 1.5 was accepted")
	}
}

func TestFitCancelled(t *testing.T) {
	d := trainertest.Load(t, "digits.csv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, l := range []trainers.Learner{DecisionTree{}, RandomForest{}} {
		p, _ := trainers.Resolve(l.Info(), trial.Params{})
		e, err := l.New(p, trainers.Config{Task: trial.Classification, Classes: 10})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Fit(ctx, d.X, d.Y); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: Fit on a cancelled context returned %v", l.Info().Name, err)
		}
	}
}

func TestFitRejectsBadLabels(t *testing.T) {
	X := trainers.Matrix{Rows: 2, Cols: 1, Data: []float64{0, 1}}
	e, _ := DecisionTree{}.New(trial.Params{"criterion": "gini"}, trainers.Config{Task: trial.Classification, Classes: 2})
	if err := e.Fit(context.Background(), X, []float64{0, 2}); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("label 2 of 2 classes: got %v", err)
	}
}
