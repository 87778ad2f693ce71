package metrics

import (
	"fmt"
	"math"
	"sort"

	"github.com/hpsearch/hpsearch/trainers"
)

func accuracy(yTrue, yPred []float64) float64 {
	n := 0
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			n++
		}
	}
	return float64(n) / float64(len(yTrue))
}

// confusion counts, for every label seen in yTrue or yPred, the true
// positives, the samples whose true label it is, and the samples predicted
// as it. Labels are kept as float64 so that regression-like or negative
// labels are handled as scikit-learn handles them.
type confusion struct {
	labels           []float64
	tp, trueN, predN map[float64]int
}

func newConfusion(yTrue, yPred []float64) confusion {
	c := confusion{tp: map[float64]int{}, trueN: map[float64]int{}, predN: map[float64]int{}}
	seen := map[float64]bool{}
	for i := range yTrue {
		t, p := yTrue[i], yPred[i]
		c.trueN[t]++
		c.predN[p]++
		if t == p {
			c.tp[t]++
		}
		for _, l := range [2]float64{t, p} {
			if !seen[l] {
				seen[l] = true
				c.labels = append(c.labels, l)
			}
		}
	}
	sort.Float64s(c.labels)
	return c
}

func checkFinite(y []float64, what string) error {
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s %d is %v", ErrInput, what, i, v)
		}
	}
	return nil
}

// balancedAccuracy is the mean recall over the labels present in yTrue;
// labels only predicted do not count, as in scikit-learn.
func balancedAccuracy(yTrue, yPred []float64) (float64, error) {
	if err := checkFinite(yTrue, "label"); err != nil {
		return 0, err
	}
	c := newConfusion(yTrue, yPred)
	var sum float64
	n := 0
	for _, l := range c.labels {
		if c.trueN[l] == 0 {
			continue
		}
		sum += float64(c.tp[l]) / float64(c.trueN[l])
		n++
	}
	return sum / float64(n), nil
}

// f1Macro is the unweighted mean of the per-label F1 scores over the
// labels present in yTrue or yPred. A label with no true positives scores
// 0 (scikit-learn's zero_division=0, which it also applies after its
// warning).
func f1Macro(yTrue, yPred []float64) (float64, error) {
	if err := checkFinite(yTrue, "label"); err != nil {
		return 0, err
	}
	c := newConfusion(yTrue, yPred)
	var sum float64
	for _, l := range c.labels {
		tp := float64(c.tp[l])
		if tp == 0 {
			continue
		}
		// scikit-learn computes 2PR/(P+R) from precision and recall.
		p := tp / float64(c.predN[l])
		r := tp / float64(c.trueN[l])
		sum += 2 * p * r / (p + r)
	}
	return sum / float64(len(c.labels)), nil
}

// logLossEps clips probabilities away from 0 and 1. scikit-learn 1.2's
// default, eps="auto", is the machine epsilon of float64; the 1e-15 of
// earlier versions and of its documentation examples is not what it uses.
const logLossEps = 0x1p-52

// logLoss is the mean negative log-likelihood of the true labels. Each
// probability row is clipped to [eps, 1-eps] and renormalized first.
func logLoss(yTrue []float64, proba trainers.Matrix) (float64, error) {
	if proba.Cols < 2 {
		return 0, fmt.Errorf("%w: log loss needs at least two classes, got %d", ErrUndefined, proba.Cols)
	}
	var total float64
	for i, y := range yTrue {
		row := proba.Row(i)
		var sum float64
		for _, p := range row {
			if math.IsNaN(p) {
				return 0, fmt.Errorf("%w: probability of sample %d is NaN", ErrInput, i)
			}
			sum += clip(p)
		}
		total -= math.Log(clip(row[int(y)]) / sum)
	}
	return total / float64(len(yTrue)), nil
}

func clip(p float64) float64 { return min(max(p, logLossEps), 1-logLossEps) }

// rocAUC is the area under the ROC curve: on column 1 for two classes,
// else the macro average over classes of one-vs-rest areas. Every class
// must be present in yTrue and absent from some sample, or the area is
// undefined.
func rocAUC(yTrue []float64, proba trainers.Matrix) (float64, error) {
	k := proba.Cols
	if k < 2 {
		return 0, fmt.Errorf("%w: ROC AUC needs at least two classes, got %d", ErrUndefined, k)
	}
	score := make([]float64, len(yTrue))
	pos := make([]bool, len(yTrue))
	column := func(c int) {
		for i, y := range yTrue {
			score[i] = proba.Data[i*k+c]
			pos[i] = int(y) == c
		}
	}
	if k == 2 {
		column(1)
		return binaryAUC(pos, score)
	}
	// scikit-learn insists on probabilities here (np.allclose to 1).
	for i := range yTrue {
		var s float64
		for _, p := range proba.Row(i) {
			s += p
		}
		if math.Abs(s-1) > 1e-8+1e-5 {
			return 0, fmt.Errorf("%w: probabilities of sample %d sum to %v, not 1", ErrInput, i, s)
		}
	}
	var sum float64
	for c := range k {
		column(c)
		a, err := binaryAUC(pos, score)
		if err != nil {
			return 0, fmt.Errorf("class %d: %w", c, err)
		}
		sum += a
	}
	return sum / float64(k), nil
}

// binaryAUC is the Mann-Whitney statistic of score between positives and
// negatives, with tied scores given their average rank; it equals the
// trapezoidal area under the ROC curve that scikit-learn computes.
func binaryAUC(pos []bool, score []float64) (float64, error) {
	n := len(score)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
		if math.IsNaN(score[i]) {
			return 0, fmt.Errorf("%w: score of sample %d is NaN", ErrInput, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	var nPos, rankSum float64
	for i := 0; i < n; {
		j := i
		for j < n && score[idx[j]] == score[idx[i]] {
			j++
		}
		// Ranks i+1..j share their mean.
		avg := float64(i+1+j) / 2
		for _, s := range idx[i:j] {
			if pos[s] {
				nPos++
				rankSum += avg
			}
		}
		i = j
	}
	nNeg := float64(n) - nPos
	if nPos == 0 || nNeg == 0 {
		return 0, fmt.Errorf("%w: only one class present in y_true", ErrUndefined)
	}
	return (rankSum - nPos*(nPos+1)/2) / (nPos * nNeg), nil
}
