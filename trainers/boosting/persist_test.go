package boosting_test

import (
	"fmt"
	"github.com/hpsearch/hpsearch/trainers"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers/boosting"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks trainers.Persistent for regression, binary
// classification (one tree per iteration) and multiclass (one per class).
func TestPersist(t *testing.T) {
	for _, file := range []string{"diabetes.csv", "breast_cancer.csv", "iris.csv"} {
		t.Run(file, func(t *testing.T) {
			p := trial.Params{"max_iter": 15, "max_leaf_nodes": 8}
			trainertest.CheckPersistent(t, boosting.GradientBoosting{}, p, trainertest.Load(t, file), 5)
		})
	}
}

// FuzzUnmarshal checks that no bytes make an ensemble panic or loop:
// whatever UnmarshalBinary accepts predicts, or panics as Predict does
// for a matrix of other columns than the model's (a caller's mistake,
// which package model checks before predicting).
func FuzzUnmarshal(f *testing.F) {
	d := trainertest.Load(f, "iris.csv")
	p := trial.Params{"max_iter": 2, "max_leaf_nodes": 4}
	f.Add(trainertest.CheckPersistent(f, boosting.GradientBoosting{}, p, d, 1))
	cfg := trainers.Config{Task: d.Task(), Classes: d.Classes, Seed: 1}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := trainertest.New(t, boosting.GradientBoosting{}, p, cfg).(trainers.Persistent)
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
