package boosting

// bucket sums the gradients and hessians of the rows in one bin.
type bucket struct {
	g, h float64
	n    int
}

// histogram is one node's buckets for every feature, laid out by
// binMapper.offset.
type histogram []bucket

// build sums the gradients of rows into h, which must be zeroed. bins is
// row-major with p features per row. When unitHess is set every hessian
// is 1 and only counts are summed: the buckets' hessian sums are left at
// zero, bestSplitUnit reading the counts instead.
func (h histogram) build(rows []int32, bins []uint8, p int, offset []int, grad, hess []float64, unitHess bool) {
	off := offset[:p]
	if unitHess {
		for _, i := range rows {
			g := grad[i]
			row := bins[int(i)*p : int(i)*p+p]
			off := off[:len(row)]
			for f, b := range row {
				e := &h[off[f]+int(b)]
				e.g += g
				e.n++
			}
		}
		return
	}
	for _, i := range rows {
		g, hs := grad[i], hess[i]
		row := bins[int(i)*p : int(i)*p+p]
		off := off[:len(row)]
		for f, b := range row {
			e := &h[off[f]+int(b)]
			e.g += g
			e.h += hs
			e.n++
		}
	}
}

// buildRoot is build over every row, in order, for a root node: the
// per-bin row counts of the root are the same for every tree, so they are
// copied from counts (countRoot) instead of being summed again; with
// unitHess the hessians are not summed at all (see build).
func (h histogram) buildRoot(bins []uint8, p int, offset []int, grad, hess []float64, unitHess bool, counts []int) {
	off := offset[:p]
	n := len(bins) / p
	grad = grad[:n]
	if unitHess {
		for i, g := range grad {
			row := bins[i*p : i*p+p]
			off := off[:len(row)]
			for f, b := range row {
				h[off[f]+int(b)].g += g
			}
		}
		for k, c := range counts[:len(h)] {
			h[k].n = c
		}
		return
	}
	hess = hess[:n]
	for i, g := range grad {
		hs := hess[i]
		row := bins[i*p : i*p+p]
		off := off[:len(row)]
		for f, b := range row {
			e := &h[off[f]+int(b)]
			e.g += g
			e.h += hs
		}
	}
	for k, c := range counts[:len(h)] {
		h[k].n = c
	}
}

// countRoot returns the number of rows in every bucket of a histogram
// over all rows of bins.
func countRoot(bins []uint8, p int, offset []int) []int {
	counts := make([]int, offset[p])
	for i := 0; i+p <= len(bins); i += p {
		for f, b := range bins[i : i+p] {
			counts[offset[f]+int(b)]++
		}
	}
	return counts
}

// subtract sets h to h − o, turning a parent's histogram into one
// child's given the other's. With unitHess the hessian sums, unused, are
// left alone.
func (h histogram) subtract(o histogram, unitHess bool) {
	o = o[:len(h)]
	if unitHess {
		for k := range h {
			h[k].g -= o[k].g
			h[k].n -= o[k].n
		}
		return
	}
	for k := range h {
		h[k].g -= o[k].g
		h[k].h -= o[k].h
		h[k].n -= o[k].n
	}
}

// splitInfo is a node's best split: rows whose bin of feature is at most
// bin go left.
type splitInfo struct {
	feature int
	bin     uint8
	gain    float64
	left    bucket // sums over the left child
}

// limits are the constraints every split must meet.
type limits struct {
	minLeaf int
	minHess float64
	l2      float64
}

// bestSplit returns the node's best split over all features; feature is
// -1 when no split has positive gain. tot sums the node's rows. inv, when
// not nil, says every hessian is 1 and holds 1/(k + l2) for k = 0..n: the
// gain's denominators are then row counts and its two divisions per bin
// become table look-ups. sub, when not nil, is subtracted from h first,
// feature by feature as the scan reaches it (h is a larger child's copy of
// its parent's histogram and sub its sibling's), so that the subtraction's
// result is still in cache when scanned.
func (h histogram) bestSplit(tot bucket, offset []int, lim limits, inv []float64, sub histogram) splitInfo {
	if inv != nil {
		return h.bestSplitUnit(tot, offset, lim, inv, sub)
	}
	best := splitInfo{feature: -1}
	parent := tot.g * tot.g / (tot.h + lim.l2)
	for f := range len(offset) - 1 {
		var l bucket
		hb := h[offset[f]:offset[f+1]]
		if sub != nil {
			hb.subtract(sub[offset[f]:offset[f+1]], false)
		}
		for b := 0; b+1 < len(hb); b++ {
			l.g += hb[b].g
			l.h += hb[b].h
			l.n += hb[b].n
			if l.n < lim.minLeaf || l.h < lim.minHess {
				continue
			}
			rn, rh := tot.n-l.n, tot.h-l.h
			if rn < lim.minLeaf {
				break
			}
			if rh < lim.minHess {
				continue
			}
			// One division instead of two: l²/dl + r²/dr = (l²dr + r²dl)/(dl dr).
			rg := tot.g - l.g
			dl, dr := l.h+lim.l2, rh+lim.l2
			gain := (l.g*l.g*dr+rg*rg*dl)/(dl*dr) - parent
			if gain > best.gain && gain > 0 {
				best = splitInfo{feature: f, bin: uint8(b), gain: gain, left: l}
			}
		}
	}
	return best
}

// bestSplitUnit is bestSplit when every hessian is 1 (h == n in every
// bucket). minHess is met by any non-empty side (a count of at least 1
// against minHessianToSplit = 1e-3), so only min_samples_leaf is checked.
func (h histogram) bestSplitUnit(tot bucket, offset []int, lim limits, inv []float64, sub histogram) splitInfo {
	best := splitInfo{feature: -1}
	inv = inv[:tot.n+1]
	parent := tot.g * tot.g * inv[tot.n]
	for f := range len(offset) - 1 {
		var l bucket
		hb := h[offset[f]:offset[f+1]]
		if sub != nil {
			hb.subtract(sub[offset[f]:offset[f+1]], true)
		}
		for b := 0; b+1 < len(hb); b++ {
			l.g += hb[b].g
			l.n += hb[b].n
			if l.n < lim.minLeaf || float64(l.n) < lim.minHess {
				continue
			}
			rn := tot.n - l.n
			if rn < lim.minLeaf {
				break
			}
			if float64(rn) < lim.minHess {
				continue
			}
			rg := tot.g - l.g
			gain := l.g*l.g*inv[l.n] + rg*rg*inv[rn] - parent
			if gain > best.gain && gain > 0 {
				l.h = float64(l.n)
				best = splitInfo{feature: f, bin: uint8(b), gain: gain, left: l}
			}
		}
	}
	return best
}

// reciprocals returns 1/(k + l2) for k = 0..n (bestSplit's inv).
func reciprocals(n int, l2 float64) []float64 {
	inv := make([]float64, n+1)
	for k := range inv {
		inv[k] = 1 / (float64(k) + l2)
	}
	return inv
}
