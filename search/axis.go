package search

import (
	"math"
	"strconv"

	"github.com/hpsearch/hpsearch/trial"
)

// An axis is a validated Dimension ready for sampling: it can list its
// grid points by index and map a point of the unit interval to a value.
// Both the grid and the unit mapping are defined here once, so the grid,
// random and sobol samplers agree on what a dimension means.
type axis struct {
	dim Dimension
	n   int64 // grid points; 0 for a continuous range without grid_points
	pts []any // grid points of an int range with grid_points (deduplicated)
	// k is how many values random and sobol search draw from (fromUnit's
	// range: every lattice point of an int or stepped range, ignoring
	// grid_points); 0 for a continuum.
	k int64
}

func newAxis(d Dimension) axis {
	a := axis{dim: d}
	switch {
	case len(d.Values) > 0:
		a.n = int64(len(d.Values))
		a.k = a.n
	case d.Kind == trial.Int:
		a.n = countSteps(d.Max-d.Min, max(1, d.Step), 0)
		a.k = a.n
		if d.GridPoints > 0 && int64(d.GridPoints) < a.n {
			a.pts = intGridPoints(d)
			a.n = int64(len(a.pts))
		}
	case d.Step > 0:
		a.n = countSteps(d.Max-d.Min, d.Step, 1e-9)
		a.k = a.n
	case d.Min == d.Max:
		a.n, a.k = 1, 1
	default:
		a.n = int64(d.GridPoints)
	}
	return a
}

// constant reports whether the axis has a single value.
func (a axis) constant() bool { return len(a.dim.Values) == 1 }

// continuous reports whether d is a float range sampled continuously (no
// step, no list of values).
func (d Dimension) continuous() bool {
	return len(d.Values) == 0 && d.Kind != trial.Int && d.Step == 0
}

// countSteps returns floor(width/step + tol) + 1, saturating at MaxInt64.
func countSteps(width, step, tol float64) int64 {
	c := math.Floor(width/step+tol) + 1
	if !(c < 9e18) {
		return math.MaxInt64
	}
	return int64(c)
}

// at returns grid point i (0 <= i < a.n). Lists keep their order; ranges
// go from min up: min, min+step, ... for a step, grid_points evenly spaced
// points (log-spaced when log) including both ends otherwise.
func (a axis) at(i int64) any {
	d := a.dim
	switch {
	case len(d.Values) > 0:
		return d.Values[i]
	case a.pts != nil:
		return a.pts[i]
	case d.Kind == trial.Int:
		return int(d.Min) + int(i)*int(max(1, d.Step))
	case d.Step > 0:
		return clean(d.Min+float64(i)*d.Step, d.Min, d.Max)
	case a.n == 1:
		return d.Min
	}
	return clean(spaced(d, float64(i)/float64(a.n-1)), d.Min, d.Max)
}

// spaced maps t in [0, 1] linearly, or logarithmically when d.Log, onto
// [d.Min, d.Max].
func spaced(d Dimension, t float64) float64 {
	if t >= 1 {
		return d.Max
	}
	if d.Log {
		return math.Exp(math.Log(d.Min) + t*(math.Log(d.Max)-math.Log(d.Min)))
	}
	return d.Min + t*(d.Max-d.Min)
}

func intGridPoints(d Dimension) []any {
	var out []any
	last := math.MinInt
	for i := range d.GridPoints {
		v := int(math.Round(spaced(d, float64(i)/float64(d.GridPoints-1))))
		v = min(max(v, int(d.Min)), int(d.Max))
		if v != last {
			out = append(out, v)
			last = v
		}
	}
	return out
}

// fromUnit maps u in [0, 1) to a value, so that a uniform u gives:
// a uniform choice from a list; a uniform integer in [min, max] (on the
// step lattice from min); a uniform or log-uniform float; for a float
// range with a step, a uniform lattice point, or with log: true a
// log-uniform draw rounded to the nearest lattice point. grid_points is
// ignored: it shapes the grid only. On a discrete axis (k > 0) it is
// drawn(unitIndex(u)).
func (a axis) fromUnit(u float64) any {
	d := a.dim
	if len(d.Values) > 0 || d.Kind == trial.Int || d.Step > 0 {
		return a.drawn(a.unitIndex(u))
	}
	x := spaced(d, u)
	return min(max(x, d.Min), d.Max)
}

// unitIndex maps u in [0, 1) to the index (0 <= i < a.k) of the value
// fromUnit draws, on a discrete axis (a.k > 0).
func (a axis) unitIndex(u float64) int64 {
	d := a.dim
	switch {
	case len(d.Values) > 0:
		return index(u, a.k)
	case d.Kind == trial.Int:
		if d.Log {
			// Log-uniform over [min-0.5, max+0.5], as Optuna does, so the
			// end points get their share.
			step := int64(max(1, d.Step))
			lo, hi := math.Log(d.Min-0.5), math.Log(d.Max+0.5)
			x := math.Exp(lo + u*(hi-lo))
			return min(max(int64(math.Round((x-d.Min)/float64(step))), 0), a.k-1)
		}
		return index(u, a.k)
	case d.Step > 0:
		if d.Log {
			x := spaced(d, u)
			return min(max(int64(math.Round((x-d.Min)/d.Step)), 0), a.k-1)
		}
		return index(u, a.k)
	}
	return 0 // a float range with min = max
}

// drawn returns value i (0 <= i < a.k) of a discrete axis, in fromUnit's
// order: a list's values as listed, a range's lattice from min upward.
func (a axis) drawn(i int64) any {
	d := a.dim
	switch {
	case len(d.Values) > 0:
		return d.Values[i]
	case d.Kind == trial.Int:
		return int(d.Min) + int(i*int64(max(1, d.Step)))
	case d.Step > 0:
		return clean(d.Min+float64(i)*d.Step, d.Min, d.Max)
	}
	return d.Min
}

// index maps u in [0, 1) to one of k equal cells.
func index(u float64, k int64) int64 {
	return min(max(int64(u*float64(k)), 0), k-1)
}

// clean rounds x to 12 significant digits, so a grid of step 0.1 gives
// 0.3 rather than 0.30000000000000004, and clamps it to [lo, hi].
func clean(x, lo, hi float64) float64 {
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	if err != nil {
		y = x
	}
	return min(max(y, lo), hi)
}

// family is one model family compiled for sampling.
type family struct {
	model string
	axes  []axis
	size  int64 // grid points, saturating
}

func compile(s *Spec) []family {
	fams := make([]family, len(s.Models))
	for i, ms := range s.Models {
		f := family{model: ms.Model, size: 1}
		for _, d := range ms.Params {
			a := newAxis(d)
			f.axes = append(f.axes, a)
			f.size = satMul(f.size, a.n)
		}
		fams[i] = f
	}
	return fams
}

// Size returns the number of points a grid search over the spec visits:
// the sum over model families of the product of their dimensions' grid
// sizes (saturating at math.MaxInt64). continuous reports whether some
// float range has no step or list of values, so random and sobol search
// draw from a continuum; the grid counts such a range as its grid_points,
// or as no points at all when it has none.
func (s *Spec) Size() (n int64, continuous bool) {
	for _, f := range compile(s) {
		n = satAdd(n, f.size)
		for _, a := range f.axes {
			continuous = continuous || a.dim.continuous()
		}
	}
	return n, continuous
}

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
