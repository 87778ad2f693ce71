package bayes

// Test helpers: thin adapters over trainertest, under the names and the
// split that this package's tests and reference figures were written with.

import (
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

// loadCSV reads a shared testdata CSV (see trainertest.LoadCSV).
func loadCSV(tb testing.TB, name string, task trial.Task) dataset {
	tb.Helper()
	d := trainertest.LoadCSV(tb, name, task)
	return dataset{X: d.X, y: d.Y, classes: d.Classes}
}

// cvScore is the mean five-fold score of a learner (accuracy or r2), on
// folds shuffled by seed, fold i's estimator seeded with seed+i, and each
// fold standardized when scale is set.
func cvScore(tb testing.TB, l trainers.Learner, p trial.Params, ds dataset, scale bool, seed uint64) float64 {
	tb.Helper()
	cv := trainertest.CV{
		Split:       trainertest.Split{K: 5, Seed: seed, Stream: 0x5eed, Contiguous: true},
		Scale:       scale,
		SeedPerFold: true,
	}
	return cv.Score(tb, l, p, trainertest.Dataset{X: ds.X, Y: ds.y, Classes: ds.classes})
}
