package tree

import "math"

// The scans walk one feature's sorted rows of a node, moving one row at a
// time from the right child to the left, and score every position where
// the value changes. Each keeps the criterion's sufficient statistics
// incrementally so that a position costs O(1), whatever the number of
// classes. Scores are scikit-learn's proxies: larger is better, and only
// positions within one node and criterion are compared.

// scanGini scores splits by the Gini proxy Σc L_c²/W_L + Σc R_c²/W_R.
func (g *grower) scanGini(f int, ord []int32, x []float64, w float64, best *split) {
	left, right := g.left, g.right
	clear(left)
	copy(right, g.node)
	var sqL, sqR float64
	for _, c := range right {
		sqR += c * c
	}
	wL, wR := 0.0, w
	cls, wt := g.ts.class, g.weight
	minLeaf, n := g.rule.minSamplesLeaf, len(ord)
	for k := 0; k < n-1; k++ {
		i := ord[k]
		wi, c := wt[i], cls[i]
		lc, rc := left[c], right[c]
		sqL += wi * (2*lc + wi)
		sqR += wi * (wi - 2*rc)
		left[c], right[c] = lc+wi, rc-wi
		wL += wi
		wR -= wi
		if k+1 < minLeaf {
			continue
		}
		if n-k-1 < minLeaf {
			break
		}
		if x[ord[k+1]] <= x[i]+featureThreshold {
			continue
		}
		consider(best, f, k, ord, x, sqL/wL+sqR/wR)
	}
}

// xlogx is x·ln x, with 0·ln 0 = 0.
func xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
}

// scanEntropy scores splits by the entropy proxy
// Σc L_c ln L_c − W_L ln W_L + Σc R_c ln R_c − W_R ln W_R.
func (g *grower) scanEntropy(f int, ord []int32, x []float64, w float64, best *split) {
	left, right := g.left, g.right
	clear(left)
	copy(right, g.node)
	var sL, sR float64
	for _, c := range right {
		sR += xlogx(c)
	}
	wL, wR := 0.0, w
	cls, wt := g.ts.class, g.weight
	minLeaf, n := g.rule.minSamplesLeaf, len(ord)
	for k := 0; k < n-1; k++ {
		i := ord[k]
		wi, c := wt[i], cls[i]
		lc, rc := left[c], right[c]
		sL += xlogx(lc+wi) - xlogx(lc)
		sR += xlogx(rc-wi) - xlogx(rc)
		left[c], right[c] = lc+wi, rc-wi
		wL += wi
		wR -= wi
		if k+1 < minLeaf {
			continue
		}
		if n-k-1 < minLeaf {
			break
		}
		if x[ord[k+1]] <= x[i]+featureThreshold {
			continue
		}
		consider(best, f, k, ord, x, sL-xlogx(wL)+sR-xlogx(wR))
	}
}

// scanSquared scores splits by the squared-error proxy
// S_L²/W_L + S_R²/W_R, where S is the weighted sum of targets.
func (g *grower) scanSquared(f int, ord []int32, x []float64, w, sum float64, best *split) {
	y, wt := g.ts.y, g.weight
	sL, wL := 0.0, 0.0
	minLeaf, n := g.rule.minSamplesLeaf, len(ord)
	for k := 0; k < n-1; k++ {
		i := ord[k]
		sL += wt[i] * y[i]
		wL += wt[i]
		if k+1 < minLeaf {
			continue
		}
		if n-k-1 < minLeaf {
			break
		}
		if x[ord[k+1]] <= x[i]+featureThreshold {
			continue
		}
		sR, wR := sum-sL, w-wL
		consider(best, f, k, ord, x, sL*sL/wL+sR*sR/wR)
	}
}
