package tree_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/tree"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks trainers.Persistent for a tree and a forest, in
// both tasks.
func TestPersist(t *testing.T) {
	cases := []struct {
		name string
		l    trainers.Learner
		p    trial.Params
		data string
	}{
		{"tree classification", tree.DecisionTree{}, nil, "wine.csv"},
		{"tree regression", tree.DecisionTree{}, trial.Params{"criterion": "squared_error", "max_depth": 6}, "diabetes.csv"},
		{"forest classification", tree.RandomForest{}, trial.Params{"n_estimators": 10, "n_jobs": 2}, "breast_cancer.csv"},
		{"forest regression", tree.RandomForest{}, trial.Params{"n_estimators": 5, "criterion": "squared_error", "max_depth": 5}, "diabetes.csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			trainertest.CheckPersistent(t, c.l, c.p, trainertest.Load(t, c.data), 3)
		})
	}
}

// FuzzForestUnmarshal checks that no bytes make a forest panic or loop:
// whatever UnmarshalBinary accepts predicts, or panics as Predict does
// for a matrix of other columns than the model's (a caller's mistake,
// which package model checks before predicting).
func FuzzForestUnmarshal(f *testing.F) {
	d := trainertest.Load(f, "iris.csv")
	p := trial.Params{"n_estimators": 2, "max_depth": 3}
	f.Add(trainertest.CheckPersistent(f, tree.RandomForest{}, p, d, 1))
	cfg := trainers.Config{Task: d.Task(), Classes: d.Classes, Seed: 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := trainertest.New(t, tree.RandomForest{}, p, cfg).(trainers.Persistent)
		if e.UnmarshalBinary(data) == nil {
			predictOrColumnsPanic(t, e.(trainers.ProbaEstimator), d.X)
		}
	})
}

func predictOrColumnsPanic(t *testing.T, e trainers.ProbaEstimator, X trainers.Matrix) {
	defer func() {
		if r := recover(); r != nil && !strings.Contains(fmt.Sprint(r), "columns") {
			panic(r)
		}
	}()
	e.PredictProba(X)
}
