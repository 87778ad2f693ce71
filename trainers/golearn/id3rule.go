package golearn

import (
	"math"
	"slices"
)

// sortedSplit is golearn's getNumericAttributeEntropy for column j of the
// node: the lowest split entropy over thresholds at midpoints of
// consecutive sorted values, and that threshold; +Inf when no threshold
// leaves rows on both sides; and whether the column is constant in the
// node. The loop is golearn's, quirks included: after
// a run of equal values its index skips ahead by the rows it moved, so
// some midpoints after a run are never tried.
func (g *grower) sortedSplit(j int) (ent, threshold float64, constant bool) {
	value := g.value[j*g.n+g.lo : j*g.n+g.hi]
	class := g.class[j*g.n+g.lo : j*g.n+g.hi]
	if value[0] == value[len(value)-1] {
		return math.Inf(1), math.Inf(1), true // no threshold has rows below it
	}
	copy(g.dist[1], g.counts)
	clear(g.dist[0])
	minEnt, minVal := math.Inf(1), math.Inf(1)
	prevVal, prevInd := math.NaN(), 0
	for i := 0; i < len(value)-1; {
		val := (value[i] + value[i+1]) / 2
		if val == prevVal {
			i++
			continue
		}
		moved := false
		for ; prevInd < len(value) && value[prevInd] < val; prevInd++ {
			c := class[prevInd]
			g.dist[0][c]++
			g.dist[1][c]--
			i++
			moved = true
		}
		prevVal = val
		// Without a move the split is the last one evaluated, or has no
		// rows below (golearn's entropy is then NaN): neither wins.
		if !moved {
			continue
		}
		if e := g.splitEntropy(len(value), prevInd); e < minEnt {
			minEnt, minVal = e, val
		}
	}
	return minEnt, minVal, false
}

// levelSplit is sortedSplit for a column held as ranks. It counts the
// node's rows per rank and class, then runs sortedSplit's loop over runs
// of equal values rather than rows: a run is a rank present in the node,
// and where sortedSplit steps through a run one row at a time, this takes
// the whole run in one step, landing on the same index.
func (g *grower) levelSplit(j int) (ent, threshold float64, constant bool) {
	levels, rank := g.levels[j], g.rank[j*g.n:(j+1)*g.n]
	rows, classes := g.rows[g.lo:g.hi], g.classes
	// present: the ranks in the node, ascending; collected as they turn
	// up and sorted when the node has fewer rows than the column levels.
	present := g.present[:0]
	if len(rows) < len(levels) {
		for _, r := range rows {
			k := int(rank[r])
			if g.total[k] == 0 {
				present = append(present, k)
			}
			g.total[k]++
			g.hist[k*classes+int(g.y[r])]++
		}
		slices.Sort(present)
	} else {
		for _, r := range rows {
			k := int(rank[r])
			g.total[k]++
			g.hist[k*classes+int(g.y[r])]++
		}
		for k := range levels {
			if g.total[k] > 0 {
				present = append(present, k)
			}
		}
	}
	minEnt, minVal := math.Inf(1), math.Inf(1)
	if len(present) > 1 {
		minEnt, minVal = g.walkRuns(levels, present, len(rows))
	}
	// Only the node's ranks and classes were counted.
	for _, k := range present {
		for _, c := range g.nodeClasses {
			g.hist[k*classes+c] = 0
		}
		g.total[k] = 0
	}
	return minEnt, minVal, len(present) < 2
}

// walkRuns is sortedSplit's loop over the n rows of the node in runs: the
// ranks present, in ascending order, with the counts in hist and total.
func (g *grower) walkRuns(levels []float64, present []int, n int) (float64, float64) {
	classes := g.classes
	copy(g.dist[1], g.counts)
	clear(g.dist[0])
	minEnt, minVal := math.Inf(1), math.Inf(1)
	prevVal, prevInd := math.NaN(), 0
	// run is the run holding index i, from start to end; next is the
	// first run not yet moved below the threshold (it starts at prevInd).
	run, start, next := 0, 0, 0
	for i := 0; i < n-1; {
		for i >= start+int(g.total[present[run]]) {
			start += int(g.total[present[run]])
			run++
		}
		end := start + int(g.total[present[run]])
		a, b := levels[present[run]], levels[present[run]]
		if i+1 == end {
			b = levels[present[run+1]]
		}
		val := (a + b) / 2
		if val == prevVal {
			// Every pair inside a run gives the same midpoint.
			if i+1 < end {
				i = end - 1
			} else {
				i++
			}
			continue
		}
		moved := false
		for ; next < len(present) && levels[present[next]] < val; next++ {
			k := present[next]
			for _, c := range g.nodeClasses {
				h := int(g.hist[k*classes+c])
				g.dist[0][c] += h
				g.dist[1][c] -= h
			}
			i += int(g.total[k])
			prevInd += int(g.total[k])
			moved = true
		}
		prevVal = val
		if !moved {
			continue
		}
		if e := g.splitEntropy(n, prevInd); e < minEnt {
			minEnt, minVal = e, val
		}
	}
	return minEnt, minVal
}

// splitEntropy is golearn's getSplitEntropyFast for n rows of which below
// are in dist[0], summed in class order, with each term from the node's
// table (the value golearn's expression gives). The side totals are the
// sums golearn takes, exact as integers.
func (g *grower) splitEntropy(n, below int) float64 {
	ret := 0.0
	for a, total := range [2]int{below, n - below} {
		// Classes absent from the node have no term on either side.
		for _, c := range g.nodeClasses {
			if k := g.dist[a][c]; k != 0 {
				ret -= g.terms[k]
			}
		}
		ret += g.terms[total]
	}
	return ret
}
