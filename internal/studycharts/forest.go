package studycharts

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/tree"
	"github.com/hpsearch/hpsearch/trial"
)

// Sizes of the forest importance. MaxForestTrials bounds the work on a
// large study: a 100,000-trial study's page is rebuilt on every poll.
const (
	MaxForestTrials = 2000
	forestTrees     = 50
	forestRepeats   = 3
	minForestTrials = 8
	forestSeed      = 16
)

// forestMethod names how forestImportance computes its shares.
const forestMethod = "random forest (our random_forest, 50 trees, seed 16) fitted on two thirds of the most recent %d complete trials; " +
	"a parameter's bar is the rise of the error on the other third when its column is shuffled (mean of 3 seeded shuffles), " +
	"as a share of the score's variance"

// forestImportance fits a random_forest regressor of the score on the
// parameters of the most recent MaxForestTrials complete trials (a
// parameter a trial lacks is encoded below the parameter's smallest
// value, so that a tree can split it off), and measures each parameter's
// permutation importance on held-out trials: how much the mean squared
// error grows when that parameter's column is shuffled, divided by the
// variance of the held-out scores. It is deterministic: the split, the
// forest and the shuffles are seeded. Shares are sorted, largest first;
// negative ones (noise) are shown as zero. With fewer than
// minForestTrials complete trials, or scores that do not vary, it
// returns nil. The fitted forest comes back as a surface for the contour
// plots (nil when there is none).
func forestImportance(params []Param, rs []final, dir trial.Direction) ([]Importance, string, *surface, error) {
	// The most recent complete trials, found from the end: a study may
	// have 100,000, and only MaxForestTrials are copied.
	var done []final
	for i := len(rs) - 1; i >= 0 && len(done) < MaxForestTrials; i-- {
		if r := &rs[i]; r.State == trial.Complete && !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) {
			done = append(done, *r)
		}
	}
	slices.Reverse(done)
	method := fmt.Sprintf(forestMethod, len(done))
	if len(done) < minForestTrials || len(params) == 0 {
		return nil, method, nil, nil
	}
	X, y, cols := encodeTrials(params, done)

	// A seeded split: every third trial of a shuffled order is held out.
	rng := rand.New(rand.NewPCG(forestSeed, uint64(len(done))))
	order := rng.Perm(len(done))
	var trainRows, testRows []int
	for k, i := range order {
		if k%3 == 2 {
			testRows = append(testRows, i)
		} else {
			trainRows = append(trainRows, i)
		}
	}
	trainX, trainY := rowsOf(X, y, trainRows)
	testX, testY := rowsOf(X, y, testRows)
	variance := varianceOf(testY)
	if variance == 0 {
		return nil, method, nil, nil
	}

	est, err := tree.RandomForest{}.New(trial.Params{"n_estimators": forestTrees, "criterion": "squared_error", "min_samples_leaf": 2},
		trainers.Config{Task: trial.Regression, Seed: forestSeed})
	if err != nil {
		return nil, method, nil, fmt.Errorf("studycharts: forest importance: %w", err)
	}
	if err := est.Fit(context.Background(), trainX, trainY); err != nil {
		return nil, method, nil, fmt.Errorf("studycharts: forest importance: fit on %d trials: %w", len(trainRows), err)
	}
	base := mse(est.Predict(testX), testY)
	shuffled := trainers.NewMatrix(testX.Rows, testX.Cols)
	out := make([]Importance, 0, len(params))
	for j, p := range params {
		rise := 0.0
		for rep := range forestRepeats {
			copy(shuffled.Data, testX.Data)
			perm := rand.New(rand.NewPCG(forestSeed+uint64(rep), uint64(j))).Perm(testX.Rows)
			for i, from := range perm {
				shuffled.Data[i*testX.Cols+j] = testX.At(from, j)
			}
			rise += mse(est.Predict(shuffled), testY) - base
		}
		out = append(out, Importance{Param: p.Name, Share: max(0, rise/forestRepeats/variance)})
	}
	slices.SortStableFunc(out, func(a, b Importance) int { return cmp.Compare(b.Share, a.Share) })
	numbers := make([]int, len(done))
	for i, r := range done {
		numbers[i] = r.Number
	}
	sf := &surface{params: params, est: est, cols: cols, X: X, y: y, numbers: numbers, dir: dir, fitted: len(trainRows), of: len(done)}
	return out, method, sf, nil
}

// column is how encodeTrials encoded a parameter: the range of its
// values (log10 of them for a log parameter) and the value that stands
// for its absence. Lo > Hi when no trial has it.
type column struct{ lo, hi, missing float64 }

// encodeTrials is the forest's design matrix: one column per parameter,
// numbers as they are (log ones as their logarithm), categories as their
// index, and a missing value one unit of the parameter's range below its
// smallest value.
func encodeTrials(params []Param, done []final) (trainers.Matrix, []float64, []column) {
	X := trainers.NewMatrix(len(done), len(params))
	y := make([]float64, len(done))
	cols := make([]column, len(params))
	for j, p := range params {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range done {
			v := paramValue(p, done[i].param(p.Name))
			if v == nil {
				X.Data[i*X.Cols+j] = math.NaN()
				continue
			}
			x := *v
			if p.Log && x > 0 {
				x = math.Log10(x)
			}
			X.Data[i*X.Cols+j] = x
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		missing := -1.0
		if !math.IsInf(lo, 0) {
			missing = lo - (hi - lo) - 1
		}
		cols[j] = column{lo, hi, missing}
		for i := range done {
			if math.IsNaN(X.Data[i*X.Cols+j]) {
				X.Data[i*X.Cols+j] = missing
			}
		}
	}
	for i, r := range done {
		y[i] = r.Score
	}
	return X, y, cols
}

func rowsOf(X trainers.Matrix, y []float64, rows []int) (trainers.Matrix, []float64) {
	m := trainers.NewMatrix(len(rows), X.Cols)
	ys := make([]float64, len(rows))
	for k, i := range rows {
		copy(m.Row(k), X.Row(i))
		ys[k] = y[i]
	}
	return m, ys
}

func varianceOf(y []float64) float64 {
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	s := 0.0
	for _, v := range y {
		s += (v - mean) * (v - mean)
	}
	return s / float64(len(y))
}

func mse(pred, y []float64) float64 {
	s := 0.0
	for i := range y {
		d := pred[i] - y[i]
		s += d * d
	}
	return s / float64(len(y))
}
