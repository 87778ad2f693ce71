package studycharts

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/results"
)

// studyXY is study(n) with the score rising with log10(x) and with y
// alike: log10(x)/6 + y, both on [0, 1].
func studyXY(n int) *Study {
	st := study(n)
	for i, e := range st.Events {
		if e.Type == results.EventResult {
			r := *e.Result
			x, y := r.Params["x"].(float64), r.Params["y"].(float64)
			r.Score = (math.Log10(x)+3)/6 + y
			st.Events[i].Result = &r
		}
	}
	return st
}

func TestContourIsTheForestsSurfaceOverThePair(t *testing.T) {
	c := Build("0", studyXY(600))
	if len(c.Contours) != 1 {
		t.Fatalf("%d contours, want 1 (the numeric pair x, y)", len(c.Contours))
	}
	ct := c.Contours[0]
	names := []string{c.Params[ct.X].Name, c.Params[ct.Y].Name}
	if !(names[0] == "x" && names[1] == "y" || names[0] == "y" && names[1] == "x") {
		t.Fatalf("contour of %v, want x and y", names)
	}
	if ct.Nodes != ContourNodes || len(ct.Levels) != contourBands+1 || len(ct.Bands) != contourBands || len(ct.Lines) != contourBands-1 {
		t.Fatalf("contour sizes: %d nodes, %d levels, %d bands, %d lines", ct.Nodes, len(ct.Levels), len(ct.Bands), len(ct.Lines))
	}
	xlog := ct.XLog
	if names[0] == "y" {
		xlog = ct.YLog
	}
	if !xlog {
		t.Errorf("x is a log parameter; its contour axis is not log")
	}
	for k := 1; k < len(ct.Levels); k++ {
		if ct.Levels[k] < ct.Levels[k-1] {
			t.Fatalf("levels %v not ascending", ct.Levels)
		}
	}
	// The surface rises to the corner where x and y are largest: the top
	// band lies there, the bottom band at the opposite corner.
	mid := float64(ct.Nodes-1) / 2
	centroid := func(band [][]float64) (float64, float64) {
		sx, sy, n := 0.0, 0.0, 0.0
		for _, p := range band {
			for k := 0; k+1 < len(p); k += 2 {
				sx, sy, n = sx+p[k], sy+p[k+1], n+1
			}
		}
		return sx / n, sy / n
	}
	if x, y := centroid(ct.Bands[len(ct.Bands)-1]); x < mid || y < mid {
		t.Errorf("the top band is centred at (%.1f, %.1f), want beyond (%.0f, %.0f)", x, y, mid, mid)
	}
	if x, y := centroid(ct.Bands[0]); x > mid || y > mid {
		t.Errorf("the bottom band is centred at (%.1f, %.1f), want below (%.0f, %.0f)", x, y, mid, mid)
	}
	area := 0.0
	for _, band := range ct.Bands {
		for _, p := range band {
			area += polygonArea(p)
		}
	}
	if want := float64((ct.Nodes - 1) * (ct.Nodes - 1)); math.Abs(area-want) > 0.05*want {
		t.Errorf("bands cover %.1f grid cells, want the grid's %.0f", area, want)
	}
	b, _ := json.Marshal(ct)
	if len(b) > 100_000 {
		t.Errorf("a contour is %d bytes of JSON, want at most 100 kB", len(b))
	}
}

func TestContourOfAnyPairAndItsErrors(t *testing.T) {
	c := Build("0", studyXY(200))
	got, err := c.Contour("y", "x")
	if err != nil {
		t.Fatal(err)
	}
	if c.Params[got.X].Name != "y" || c.Params[got.Y].Name != "x" {
		t.Errorf("contour of %s and %s, want y and x", c.Params[got.X].Name, c.Params[got.Y].Name)
	}
	for _, pair := range [][2]string{{"x", "kind"}, {"x", "x"}, {"x", "nope"}} {
		if _, err := c.Contour(pair[0], pair[1]); !errors.Is(err, ErrNoContour) {
			t.Errorf("Contour(%q, %q): %v, want ErrNoContour", pair[0], pair[1], err)
		}
	}
	few := Build("0", studyXY(5))
	if len(few.Contours) != 0 {
		t.Errorf("5 trials: %d contours, want none (no forest)", len(few.Contours))
	}
	if _, err := few.Contour("x", "y"); !errors.Is(err, ErrNoContour) {
		t.Errorf("5 trials: %v, want ErrNoContour", err)
	}
}
