package studycharts

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// Sizes of a contour plot: ContourNodes grid nodes along each axis (the
// surface is predicted at ContourNodes² points, whatever the study's
// size), contourBands level bands, and the pairs of the contourParams
// most important numeric parameters that Build computes up front.
const (
	ContourNodes  = 25
	contourBands  = 9
	contourParams = 3
)

// ErrNoContour is returned by Charts.Contour when the pair cannot be
// drawn: not two distinct numeric parameters that vary, or no fitted
// forest (too few complete trials).
var ErrNoContour = errors.New("studycharts: no contour")

// Contour is the contour plot of a pair of numeric parameters: the score
// the study's random forest predicts on a ContourNodes × ContourNodes
// grid over the pair's ranges (log-spaced for a log parameter), every
// other parameter at the values of trial BaseTrial, drawn as filled
// level bands with isolines. Positions are in grid units: node (i, j) is
// at x = i, y = j; the axes' values at nodes 0 and ContourNodes-1 are
// XRange and YRange (on a log axis the nodes are evenly spaced in the
// logarithm).
type Contour struct {
	// X and Y index Charts.Params.
	X      int        `json:"x"`
	Y      int        `json:"y"`
	XLog   bool       `json:"xlog,omitempty"`
	YLog   bool       `json:"ylog,omitempty"`
	XRange [2]float64 `json:"xrange"`
	YRange [2]float64 `json:"yrange"`
	Nodes  int        `json:"nodes"`
	// Levels are the bands' bounds, ascending: band k is between
	// Levels[k] and Levels[k+1].
	Levels []float64 `json:"levels"`
	// Bands[k] are band k's polygons, each flat x, y pairs.
	Bands [][][]float64 `json:"bands"`
	// Lines[k] are the isoline at Levels[k+1] (the inner levels), as
	// flat x0, y0, x1, y1 segments.
	Lines [][]float64 `json:"lines"`
	// BaseTrial is the trial whose values the other parameters take: the
	// best complete trial that has both X and Y.
	BaseTrial int `json:"base_trial"`
	// By says how the surface was computed, for the chart's subtitle.
	By string `json:"by"`
}

// surface is the random forest of forestImportance, kept to predict the
// score on contour grids. It is safe for concurrent use.
type surface struct {
	mu      sync.Mutex
	params  []Param
	est     trainers.Estimator
	cols    []column
	X       trainers.Matrix
	y       []float64
	numbers []int
	dir     trial.Direction
	// fitted of the `of` most recent complete trials trained the forest.
	fitted, of int
}

// contour computes the contour of params x and y.
func (s *surface) contour(x, y int) (Contour, error) {
	if x == y || x < 0 || y < 0 || x >= len(s.params) || y >= len(s.params) {
		return Contour{}, fmt.Errorf("%w: want two distinct parameters", ErrNoContour)
	}
	px, py := s.params[x], s.params[y]
	for _, k := range []int{x, y} {
		if p := s.params[k]; p.Kind != "number" {
			return Contour{}, fmt.Errorf("%w: %s is a category", ErrNoContour, p.Name)
		}
		if c := s.cols[k]; !(c.hi > c.lo) {
			return Contour{}, fmt.Errorf("%w: %s takes one value or none in the fitted trials", ErrNoContour, s.params[k].Name)
		}
	}
	// The base: the best fitted trial that has both parameters.
	base := -1
	for i := range s.numbers {
		if s.X.At(i, x) == s.cols[x].missing || s.X.At(i, y) == s.cols[y].missing {
			continue
		}
		if base < 0 || s.dir.Better(s.y[i], s.y[base]) {
			base = i
		}
	}
	if base < 0 {
		return Contour{}, fmt.Errorf("%w: no complete trial has both %s and %s", ErrNoContour, px.Name, py.Name)
	}
	n := ContourNodes
	grid := trainers.NewMatrix(n*n, len(s.params))
	cx, cy := s.cols[x], s.cols[y]
	for j := range n {
		for i := range n {
			row := grid.Row(j*n + i)
			copy(row, s.X.Row(base))
			row[x] = cx.lo + (cx.hi-cx.lo)*float64(i)/float64(n-1)
			row[y] = cy.lo + (cy.hi-cy.lo)*float64(j)/float64(n-1)
		}
	}
	s.mu.Lock()
	z := s.est.Predict(grid)
	s.mu.Unlock()
	g := Grid{NX: n, NY: n, Z: z}
	lo, hi := slices.Min(z), slices.Max(z)
	levels := make([]float64, contourBands+1)
	for k := range levels {
		levels[k] = lo + (hi-lo)*float64(k)/contourBands
	}
	levels[contourBands] = hi
	c := Contour{X: x, Y: y, XLog: px.Log, YLog: py.Log, Nodes: n, Levels: levels, BaseTrial: s.numbers[base],
		XRange: axisRange(px, cx), YRange: axisRange(py, cy),
		By: fmt.Sprintf("the score predicted by the random forest of the importance chart (fitted on %d of the %d most recent complete trials) "+
			"on a %d×%d grid, the other parameters at the values of trial %d, the best complete trial that has both; points: the trials",
			s.fitted, s.of, n, n, s.numbers[base])}
	for _, band := range Isobands(g, levels) {
		polys := make([][]float64, len(band))
		for k, p := range band {
			polys[k] = rounded(p)
		}
		c.Bands = append(c.Bands, polys)
	}
	if hi > lo {
		for _, level := range levels[1:contourBands] {
			c.Lines = append(c.Lines, rounded(Isoline(g, level)))
		}
	}
	return c, nil
}

// axisRange is the parameter's values at the grid's first and last
// nodes.
func axisRange(p Param, c column) [2]float64 {
	if p.Log {
		return [2]float64{math.Pow(10, c.lo), math.Pow(10, c.hi)}
	}
	return [2]float64{c.lo, c.hi}
}

// rounded rounds grid units to hundredths, a fraction of a pixel on any
// chart, which keeps the JSON small.
func rounded(xs []float64) []float64 {
	for i, x := range xs {
		xs[i] = math.Round(x*100) / 100
	}
	return xs
}

// contours computes the contours of the pairs of the contourParams most
// important numeric parameters (by imp, parameters not in it last),
// most important pair first.
func contours(sf *surface, params []Param, imp []Importance) []Contour {
	if sf == nil {
		return nil
	}
	rank := map[string]int{}
	for k, i := range imp {
		rank[i.Param] = k + 1
	}
	var top []int
	for k, p := range params {
		if p.Kind == "number" {
			top = append(top, k)
		}
	}
	slices.SortStableFunc(top, func(a, b int) int {
		ra, rb := rank[params[a].Name], rank[params[b].Name]
		if ra == 0 || rb == 0 {
			return cmp.Compare(rb, ra) // ranked first
		}
		return cmp.Compare(ra, rb)
	})
	top = top[:min(len(top), contourParams)]
	var out []Contour
	for a := range top {
		for b := a + 1; b < len(top); b++ {
			if c, err := sf.contour(top[a], top[b]); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// Contour returns the contour of parameters x and y (names): one of
// c.Contours, or computed from the study's forest. The error wraps
// ErrNoContour when the pair cannot be drawn.
func (c *Charts) Contour(x, y string) (Contour, error) {
	xi, yi := -1, -1
	for k, p := range c.Params {
		if p.Name == x {
			xi = k
		}
		if p.Name == y {
			yi = k
		}
	}
	if xi < 0 {
		return Contour{}, fmt.Errorf("%w: the study has no parameter %q", ErrNoContour, x)
	}
	if yi < 0 {
		return Contour{}, fmt.Errorf("%w: the study has no parameter %q", ErrNoContour, y)
	}
	for _, ct := range c.Contours {
		if ct.X == xi && ct.Y == yi {
			return ct, nil
		}
	}
	if c.surface == nil {
		return Contour{}, fmt.Errorf("%w: too few complete trials with different scores for the forest", ErrNoContour)
	}
	return c.surface.contour(xi, yi)
}
