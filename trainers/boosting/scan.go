package boosting

// scanNode is what the scan of one feature's bins needs to know of the
// node besides the bins. The assembly scans rely on its layout.
type scanNode struct {
	g, h    float64 // the node's sums
	maxLeft int     // the most rows the left side may have: n − min_samples_leaf
	minHess float64
	l2      float64
	parent  float64 // the node's own score, g²/(h + l2)
	shrink  float64 // 1 − 1e-9, for bound (see scanGo)
	n       int     // the node's rows
}

// scanGo returns the best gain above bestGain of the splits after the
// bins before hb (whose sums are lg, lh, ln, and meet the left side's
// limits) and after each bin of hb, and where the split falls, counting
// the one before hb as -1 and those after hb[b] as b; where is -2 if none
// beats bestGain. It is the portable scan.
//
// The division is skipped for a bin whose num/den is below bound, a
// hair under bestGain + parent: its gain would not be better, and the
// margin of 1e-9 is far above the few roundings in num, den and bound, so
// this skips no bin that the exact comparison would take (den > 0 since
// both sides' hessian sums are at least minHess). Most bins are far below
// the best split and skip their division.
func scanGo(hb []bucket, lg, lh float64, ln int, c *scanNode, bestGain float64) (float64, int) {
	bestBin := -2
	bound := (bestGain + c.parent) * c.shrink
	for b := -1; ; {
		rh := c.h - lh
		if ln > c.maxLeft || rh < c.minHess {
			break
		}
		rg := c.g - lg
		// One division instead of two: l²/dl + r²/dr = (l²dr + r²dl)/(dl dr).
		dl, dr := lh+c.l2, rh+c.l2
		// The conversions round each product, as the assembly does: Go
		// may otherwise fuse a multiply and an add (it does on arm64 and
		// with GOAMD64=v3), and the kernels would part in the last bit.
		num, den := float64(lg*lg*dr)+float64(rg*rg*dl), dl*dr
		if num >= float64(bound*den) {
			if gain := num/den - c.parent; gain > bestGain {
				bestGain, bestBin = gain, b
				bound = (bestGain + c.parent) * c.shrink
			}
		}
		if b++; b == len(hb) {
			break
		}
		lg += hb[b].g
		lh += hb[b].h
		ln += hb[b].n
	}
	return bestGain, bestBin
}

// scanUnitGo is scanGo when every hessian is 1 (lh is ln) and inv holds
// 1/(k + l2) for k = 0..c.n: no divisions to skip. It is the portable
// scanUnit.
func scanUnitGo(hb []bucket, lg float64, ln int, c *scanNode, inv []float64, bestGain float64) (float64, int) {
	bestBin := -2
	inv = inv[:c.n+1]
	for b := -1; ln <= c.maxLeft; {
		rg := c.g - lg
		if gain := float64(lg*lg*inv[ln]) + float64(rg*rg*inv[c.n-ln]) - c.parent; gain > bestGain {
			bestGain, bestBin = gain, b
		}
		if b++; b == len(hb) {
			break
		}
		lg += hb[b].g
		ln += hb[b].n
	}
	return bestGain, bestBin
}
