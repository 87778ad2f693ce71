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
// row-major with p features per row.
func (h histogram) build(rows []int32, bins []uint8, p int, offset []int, grad, hess []float64) {
	off := offset[:p]
	for _, i := range rows {
		g, hs := grad[i], hess[i]
		row := bins[int(i)*p : int(i)*p+p]
		for f, b := range row {
			e := &h[off[f]+int(b)]
			e.g += g
			e.h += hs
			e.n++
		}
	}
}

// subtract sets h to h − o, turning a parent's histogram into one
// child's given the other's.
func (h histogram) subtract(o histogram) {
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
// -1 when no split has positive gain. tot sums the node's rows.
func (h histogram) bestSplit(tot bucket, offset []int, lim limits) splitInfo {
	best := splitInfo{feature: -1}
	parent := tot.g * tot.g / (tot.h + lim.l2)
	for f := range len(offset) - 1 {
		var l bucket
		hb := h[offset[f]:offset[f+1]]
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
			rg := tot.g - l.g
			gain := l.g*l.g/(l.h+lim.l2) + rg*rg/(rh+lim.l2) - parent
			if gain > best.gain && gain > 0 {
				best = splitInfo{feature: f, bin: uint8(b), gain: gain, left: l}
			}
		}
	}
	return best
}
