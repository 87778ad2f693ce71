package trainertest

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// Split says how Folds deals rows into K folds. Its fields are spelled out
// rather than defaulted because each package's reference figures were
// measured with its own split, and changing one changes the scores.
type Split struct {
	K int
	// Seed and Stream seed the PCG that shuffles the rows.
	Seed, Stream uint64
	// Contiguous cuts a regression permutation into K consecutive parts
	// rather than dealing it round-robin. Classes are always dealt
	// round-robin.
	Contiguous bool
}

// Folds returns the rows of each of the K folds. For classification
// (classes > 0) each class's rows are shuffled and dealt round-robin, so
// every fold has the class mix of the whole; for regression the rows are
// shuffled and dealt round-robin or, if Contiguous, cut into K parts. A
// fold's rows are in ascending order, except a Contiguous part's, which
// keep the order of the shuffle.
func (s Split) Folds(y []float64, classes int) [][]int {
	r := rand.New(rand.NewPCG(s.Seed, s.Stream))
	groups := make([][]int, max(classes, 1))
	for i, v := range y {
		c := 0
		if classes > 0 {
			c = int(v)
		}
		groups[c] = append(groups[c], i)
	}
	out := make([][]int, s.K)
	next := 0
	for _, g := range groups {
		r.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
		if s.Contiguous && classes == 0 {
			for pos, i := range g {
				out[pos*s.K/len(g)] = append(out[pos*s.K/len(g)], i)
			}
			return out
		}
		for _, i := range g {
			out[next%s.K] = append(out[next%s.K], i)
			next++
		}
	}
	for _, f := range out {
		slices.Sort(f)
	}
	return out
}

// CV is a cross-validation: how rows are split, and how each fold is fitted.
type CV struct {
	Split
	// Scale standardizes each fold with its training rows' statistics.
	Scale bool
	// SeedPerFold seeds fold i's estimator with Split.Seed+i; otherwise
	// every fold's estimator gets Split.Seed.
	SeedPerFold bool
}

// Score is the mean score over the folds of learner l with params p on d:
// accuracy for classification, r2 for regression. Each fold trains on the
// other folds' rows, in row order, and tests on its own.
func (cv CV) Score(tb testing.TB, l trainers.Learner, p trial.Params, d Dataset) float64 {
	tb.Helper()
	rp, err := trainers.Resolve(l.Info(), p)
	if err != nil {
		tb.Fatal(err)
	}
	folds := cv.Folds(d.Y, d.Classes)
	var total float64
	for f, test := range folds {
		var train []int
		for g, rows := range folds {
			if g != f {
				train = append(train, rows...)
			}
		}
		slices.Sort(train)
		Xtr, ytr := Subset(d.X, d.Y, train)
		Xte, yte := Subset(d.X, d.Y, test)
		if cv.Scale {
			Standardize(Xtr, Xte)
		}
		cfg := trainers.Config{Task: d.Task(), Classes: d.Classes, Seed: cv.Seed}
		if cv.SeedPerFold {
			cfg.Seed += uint64(f)
		}
		est := newResolved(tb, l, rp, cfg)
		if err := est.Fit(context.Background(), Xtr, ytr); err != nil {
			tb.Fatal(err)
		}
		total += Score(est.Predict(Xte), yte, d.Task())
	}
	return total / float64(len(folds))
}

// New resolves p against l's declarations and builds an estimator.
func New(tb testing.TB, l trainers.Learner, p trial.Params, cfg trainers.Config) trainers.Estimator {
	tb.Helper()
	rp, err := trainers.Resolve(l.Info(), p)
	if err != nil {
		tb.Fatal(err)
	}
	return newResolved(tb, l, rp, cfg)
}

func newResolved(tb testing.TB, l trainers.Learner, rp trial.Params, cfg trainers.Config) trainers.Estimator {
	tb.Helper()
	est, err := l.New(rp, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return est
}

// ShuffledCV returns the mean 5-fold score (accuracy or r2) of the model
// built by l with p, on folds dealt round-robin after a shuffle by seed,
// every fold's estimator seeded with seed: the split the tree and
// boosting packages' reference figures were measured with.
func ShuffledCV(tb testing.TB, d Dataset, l trainers.Learner, p trial.Params, seed uint64) float64 {
	tb.Helper()
	cv := CV{Split: Split{K: 5, Seed: seed, Stream: 1}}
	return cv.Score(tb, l, p, d)
}

// Score is the accuracy of pred against y for classification, r2 for
// regression.
func Score(pred, y []float64, task trial.Task) float64 {
	if task == trial.Classification {
		return Accuracy(pred, y)
	}
	return R2(pred, y)
}

// Accuracy is the fraction of pred equal to y.
func Accuracy(pred, y []float64) float64 {
	var ok int
	for i, p := range pred {
		if p == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

// R2 is the coefficient of determination of pred against y.
func R2(pred, y []float64) float64 {
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

// FiveFold is the cross-validation that the bayes, golearn, linear and mlp
// tests, and the scikit-learn reference figures stored in them, were
// written with: five stratified folds shuffled by seed, fold i's
// estimator seeded with seed+i, each fold standardized when scale is set.
func FiveFold(tb testing.TB, l trainers.Learner, p trial.Params, d Dataset, scale bool, seed uint64) float64 {
	tb.Helper()
	cv := CV{
		Split:       Split{K: 5, Seed: seed, Stream: 0x5eed, Contiguous: true},
		Scale:       scale,
		SeedPerFold: true,
	}
	return cv.Score(tb, l, p, d)
}
