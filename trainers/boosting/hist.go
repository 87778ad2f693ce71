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
// zero, the split scan (scanUnit) reading the counts instead.
func (h histogram) build(rows []int32, bins []uint8, p int, offset []int, grad, hess []float64, unitHess bool) {
	if unitHess {
		hess = nil
	}
	addRows(h, rows, bins, p, offset[:p+1], grad, hess, true)
}

// buildRoot is build for a root node, whose rows are all rows: the
// per-bin row counts of the root are the same for every tree, so they are
// copied from counts (countRoot) instead of being summed again; with
// unitHess the hessians are not summed at all (see build).
func (h histogram) buildRoot(rows []int32, bins []uint8, p int, offset []int, grad, hess []float64, unitHess bool, counts []int) {
	if unitHess {
		hess = nil
	}
	addRows(h, rows, bins, p, offset[:p+1], grad, hess, false)
	for k, c := range counts[:len(h)] {
		h[k].n = c
	}
}

// addRowsGo adds the gradients of rows, and their hessians unless hess is
// nil, to the buckets of h that their bins select (feature f's bins start
// at off[f]); with count it also counts the rows. It is the portable
// addRows.
func addRowsGo(h histogram, rows []int32, bins []uint8, p int, off []int, grad, hess []float64, count bool) {
	off = off[:p]
	switch {
	case hess == nil && count:
		for _, i := range rows {
			g := grad[i]
			for f, b := range bins[int(i)*p : int(i)*p+p] {
				e := &h[off[f]+int(b)]
				e.g += g
				e.n++
			}
		}
	case hess == nil:
		for _, i := range rows {
			g := grad[i]
			for f, b := range bins[int(i)*p : int(i)*p+p] {
				h[off[f]+int(b)].g += g
			}
		}
	case count:
		for _, i := range rows {
			g, hs := grad[i], hess[i]
			for f, b := range bins[int(i)*p : int(i)*p+p] {
				e := &h[off[f]+int(b)]
				e.g += g
				e.h += hs
				e.n++
			}
		}
	default:
		for _, i := range rows {
			g, hs := grad[i], hess[i]
			for f, b := range bins[int(i)*p : int(i)*p+p] {
				e := &h[off[f]+int(b)]
				e.g += g
				e.h += hs
			}
		}
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
// child's given the other's.
func (h histogram) subtract(o histogram) { subtractBuckets(h, o[:len(h)]) }

// subtractGo is the portable subtractBuckets: h[k] −= o[k] for every k.
// With unit hessians the hessian sums are all zero and stay so.
func subtractGo(h, o histogram) {
	o = o[:len(h)]
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
//
// Hessians are not negative, so the left side's count and hessian sum
// grow with the bin and the right side's shrink: the bins that meet
// min_samples_leaf and min_hessian_to_split on both sides are one run,
// which the scan (scan or scanUnit) walks without testing every bin for
// both limits. Of equal gains the first bin wins, as in a scan that keeps
// only strictly better splits; the winner's left sums are added up again
// afterwards rather than copied at every improvement.
func (h histogram) bestSplit(tot bucket, offset []int, lim limits, inv []float64, sub histogram) splitInfo {
	unit := inv != nil
	if unit {
		inv = inv[:tot.n+1]
	}
	best := splitInfo{feature: -1}
	parent := tot.g * tot.g / (tot.h + lim.l2)
	if unit {
		parent = tot.g * tot.g * inv[tot.n]
	}
	minLeaf := max(lim.minLeaf, 1)
	node := scanNode{g: tot.g, h: tot.h, maxLeft: tot.n - minLeaf, minHess: lim.minHess, l2: lim.l2,
		parent: parent, shrink: 1 - 1e-9, n: tot.n}
	for f := range len(offset) - 1 {
		hb := h[offset[f]:offset[f+1]]
		if sub != nil {
			hb.subtract(sub[offset[f]:offset[f+1]])
		}
		hb = hb[:len(hb)-1] // a split after the last bin leaves the right empty
		// The first bin whose left side meets the limits.
		var l bucket
		s := 0
		for ; s < len(hb); s++ {
			l.g += hb[s].g
			l.h += hb[s].h
			l.n += hb[s].n
			if l.n >= minLeaf && (unit || l.h >= lim.minHess) {
				break
			}
		}
		if s == len(hb) {
			continue
		}
		var gain float64
		var b int
		if unit {
			gain, b = scanUnit(hb[s+1:], l.g, l.n, &node, inv, best.gain)
		} else {
			gain, b = scan(hb[s+1:], l.g, l.h, l.n, &node, best.gain)
		}
		if b == -2 {
			continue
		}
		b += s + 1
		l = hb[:b+1].sum()
		if unit {
			l.h = float64(l.n)
		}
		best = splitInfo{feature: f, bin: uint8(b), gain: gain, left: l}
	}
	return best
}

// sum adds up the buckets in order, as the split scans do.
func (h histogram) sum() bucket {
	var s bucket
	for _, e := range h {
		s.g += e.g
		s.h += e.h
		s.n += e.n
	}
	return s
}

// reciprocals returns 1/(k + l2) for k = 0..n (bestSplit's inv).
func reciprocals(n int, l2 float64) []float64 {
	inv := make([]float64, n+1)
	for k := range inv {
		inv[k] = 1 / (float64(k) + l2)
	}
	return inv
}
