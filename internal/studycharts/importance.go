package studycharts

import (
	"cmp"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// importanceMethod names how importance computes its shares, for the
// chart's subtitle.
const importanceMethod = "first-order fANOVA estimate: the variance of the mean score across 10 quantile bins of each parameter (categories: one bin each), as a share of the score's variance"

// importance estimates each parameter's main effect on the score of the
// complete trials: the variance, across bins of the parameter, of the
// mean score in the bin (weighted by the bin's size), divided by the
// variance of the score. It is the first-order term of a functional
// ANOVA, estimated from the trials themselves; interactions are not
// shown. Shares are sorted, largest first.
func importance(params []Param, rs []final) ([]Importance, string) {
	// Pointers, not copies: a study may have 100,000 trials.
	done := make([]*final, 0, len(rs))
	for i := range rs {
		if r := &rs[i]; r.State == trial.Complete && !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) {
			done = append(done, r)
		}
	}
	if len(done) < 4 {
		return nil, importanceMethod
	}
	mean := 0.0
	for _, r := range done {
		mean += r.Score
	}
	mean /= float64(len(done))
	total := 0.0
	for _, r := range done {
		total += (r.Score - mean) * (r.Score - mean)
	}
	if total == 0 {
		return nil, importanceMethod
	}
	var out []Importance
	for _, p := range params {
		type obs struct{ x, y float64 }
		xs := make([]obs, 0, len(done))
		for _, r := range done {
			if v := paramValue(p, r.param(p.Name)); v != nil {
				xs = append(xs, obs{*v, r.Score})
			}
		}
		if len(xs) < 4 {
			continue
		}
		slices.SortFunc(xs, func(a, b obs) int { return cmp.Compare(a.x, b.x) })
		// Bins: one per category, or 10 of equal count; equal values stay
		// in one bin.
		var bins [][]float64
		per := max(1, len(xs)/10)
		for i := 0; i < len(xs); {
			j := i + 1
			for j < len(xs) && (xs[j].x == xs[j-1].x || (p.Kind == "number" && j-i < per)) {
				j++
			}
			ys := make([]float64, 0, j-i)
			for _, o := range xs[i:j] {
				ys = append(ys, o.y)
			}
			bins = append(bins, ys)
			i = j
		}
		between := 0.0
		for _, ys := range bins {
			m := 0.0
			for _, y := range ys {
				m += y
			}
			m /= float64(len(ys))
			between += float64(len(ys)) * (m - mean) * (m - mean)
		}
		out = append(out, Importance{Param: p.Name, Share: between / total})
	}
	slices.SortFunc(out, func(a, b Importance) int { return cmp.Compare(b.Share, a.Share) })
	return out, importanceMethod
}
