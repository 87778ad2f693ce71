package boosting

// Test helpers: thin adapters over trainertest, under the names and the
// split that this package's tests and reference figures were written with.

import (
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// dataset is a trainertest.Dataset under the field names these tests use.
type dataset struct {
	X       trainers.Matrix
	y       []float64
	classes int
}

// loadCSV reads a shared testdata CSV by file name; diabetes.csv is the
// regression one.
func loadCSV(tb testing.TB, name string) dataset {
	tb.Helper()
	task := trial.Classification
	if name == "diabetes.csv" {
		task = trial.Regression
	}
	d := trainertest.LoadCSV(tb, strings.TrimSuffix(name, ".csv"), task)
	return dataset{X: d.X, y: d.Y, classes: d.Classes}
}

// subset copies the given rows of d.
func subset(d dataset, rows []int) (trainers.Matrix, []float64) {
	return trainertest.Subset(d.X, d.y, rows)
}

// crossValidate returns the mean 5-fold score (accuracy or r2) of the
// model built by learner with params, on folds dealt round-robin after a
// shuffle by seed, every fold's estimator seeded with seed.
func crossValidate(tb testing.TB, d dataset, l trainers.Learner, params trial.Params, seed uint64) float64 {
	tb.Helper()
	cv := trainertest.CV{Split: trainertest.Split{K: 5, Seed: seed, Stream: 1}}
	return cv.Score(tb, l, params, trainertest.Dataset{X: d.X, Y: d.y, Classes: d.classes})
}

// score is the accuracy (classification) or r2 of pred against y.
func score(y, pred []float64, classification bool) float64 {
	if classification {
		return trainertest.Accuracy(pred, y)
	}
	return trainertest.R2(pred, y)
}
