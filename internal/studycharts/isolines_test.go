package studycharts

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// segments turns Isoline's flat output into rounded segments, sorted,
// for comparison with hand-computed ones.
func segments(flat []float64) [][4]float64 {
	var out [][4]float64
	r := func(x float64) float64 { return math.Round(x*1e9) / 1e9 }
	for k := 0; k+3 < len(flat); k += 4 {
		s := [4]float64{r(flat[k]), r(flat[k+1]), r(flat[k+2]), r(flat[k+3])}
		if s[2] < s[0] || s[2] == s[0] && s[3] < s[1] {
			s = [4]float64{s[2], s[3], s[0], s[1]}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b [4]float64) int {
		for i := range a {
			if a[i] != b[i] {
				if a[i] < b[i] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	return out
}

func polygonArea(flat []float64) float64 {
	var p []vertex
	for k := 0; k+1 < len(flat); k += 2 {
		p = append(p, vertex{x: flat[k], y: flat[k+1]})
	}
	return area(p)
}

func TestIsolineHandComputed(t *testing.T) {
	cases := []struct {
		name  string
		g     Grid
		level float64
		want  [][4]float64
	}{
		{
			// z = x on one cell: the line x = 0.5, cut in two by the
			// cell's diagonal.
			name: "ramp", g: Grid{NX: 2, NY: 2, Z: []float64{0, 1, 0, 1}}, level: 0.5,
			want: [][4]float64{{0.5, 0, 0.5, 0.5}, {0.5, 0.5, 0.5, 1}},
		},
		{
			// A saddle: high corners (0,0) and (1,1), low ones (1,0) and
			// (0,1). The diagonal joins the high corners, so the level
			// cuts off the two low corners.
			name: "saddle", g: Grid{NX: 2, NY: 2, Z: []float64{1, 0, 0, 1}}, level: 0.5,
			want: [][4]float64{{0, 0.5, 0.5, 1}, {0.5, 0, 1, 0.5}},
		},
		{
			// z = x + y on two cells along x, level 1.5: the line x + y
			// = 1.5 from (1.5, 0) to (0.5, 1), cut where it crosses the
			// diagonals, (1.25, 0.25) and (0.75, 0.75), and the shared
			// edge x = 1, at (1, 0.5).
			name: "diagonal", g: Grid{NX: 3, NY: 2, Z: []float64{0, 1, 2, 1, 2, 3}}, level: 1.5,
			want: [][4]float64{{0.5, 1, 0.75, 0.75}, {0.75, 0.75, 1, 0.5}, {1, 0.5, 1.25, 0.25}, {1.25, 0.25, 1.5, 0}},
		},
		{
			name: "flat at the level draws nothing", g: Grid{NX: 2, NY: 2, Z: []float64{1, 1, 1, 1}}, level: 1,
		},
		{
			name: "level outside the surface", g: Grid{NX: 2, NY: 2, Z: []float64{0, 1, 0, 1}}, level: 2,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := segments(Isoline(c.g, c.level))
			want := segments(flatten(c.want))
			if !slices.Equal(got, want) {
				t.Errorf("segments %v, want %v", got, want)
			}
		})
	}
}

func flatten(segs [][4]float64) []float64 {
	var out []float64
	for _, s := range segs {
		out = append(out, s[0], s[1], s[2], s[3])
	}
	return out
}

func TestIsobandsHandComputed(t *testing.T) {
	t.Run("whole cells of a band merge into one rectangle a row", func(t *testing.T) {
		g := Grid{NX: 4, NY: 3, Z: make([]float64, 12)}
		bands := Isobands(g, []float64{-1, 1})
		want := [][]float64{{0, 0, 3, 0, 3, 1, 0, 1}, {0, 1, 3, 1, 3, 2, 0, 2}}
		if len(bands) != 1 || !slices.EqualFunc(bands[0], want, slices.Equal) {
			t.Errorf("bands %v, want %v", bands, want)
		}
	})
	t.Run("z = x, levels at the nodes: one rectangle a band", func(t *testing.T) {
		g := Grid{NX: 3, NY: 2, Z: []float64{0, 1, 2, 0, 1, 2}}
		bands := Isobands(g, []float64{0, 1, 2})
		want := [][][]float64{{{0, 0, 1, 0, 1, 1, 0, 1}}, {{1, 0, 2, 0, 2, 1, 1, 1}}}
		if !slices.EqualFunc(bands, want, func(a, b [][]float64) bool { return slices.EqualFunc(a, b, slices.Equal) }) {
			t.Errorf("bands %v, want %v", bands, want)
		}
	})
	t.Run("z = x, a level mid-cell: each band half the cell", func(t *testing.T) {
		g := Grid{NX: 2, NY: 2, Z: []float64{0, 1, 0, 1}}
		bands := Isobands(g, []float64{0, 0.5, 1})
		for k, want := range []float64{0.5, 0.5} {
			got := 0.0
			for _, p := range bands[k] {
				got += polygonArea(p)
				for i := 0; i < len(p); i += 2 {
					if x := p[i]; x < 0.5*float64(k)-1e-12 || x > 0.5*float64(k+1)+1e-12 {
						t.Errorf("band %d has a vertex at x = %v, outside [%v, %v]", k, x, 0.5*float64(k), 0.5*float64(k+1))
					}
				}
			}
			if math.Abs(got-want) > 1e-12 {
				t.Errorf("band %d covers %v, want %v", k, got, want)
			}
		}
	})
	t.Run("saddle: the band below 0.5 is the two low corners' triangles", func(t *testing.T) {
		g := Grid{NX: 2, NY: 2, Z: []float64{1, 0, 0, 1}}
		bands := Isobands(g, []float64{0, 0.5, 1})
		// Each low corner's triangle has legs of 0.5: 0.125 each.
		low := 0.0
		for _, p := range bands[0] {
			low += polygonArea(p)
		}
		if len(bands[0]) != 2 || math.Abs(low-0.25) > 1e-12 {
			t.Errorf("low band %v (area %v), want two triangles of 0.125", bands[0], low)
		}
	})
}

// On a random surface, the bands tile the grid (their areas add up to
// it) and every isoline point lies on its level.
func TestIsobandsTileTheGridAndIsolinesLieOnTheirLevel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := Grid{NX: 9, NY: 7, Z: make([]float64, 63)}
	for i := range g.Z {
		g.Z[i] = math.Round(rng.Float64()*10) / 10 // ties with the levels too
	}
	levels := []float64{0, 0.2, 0.4, 0.5, 0.6, 0.8, 1}
	total := 0.0
	for _, band := range Isobands(g, levels) {
		for _, p := range band {
			total += polygonArea(p)
		}
	}
	if want := float64((g.NX - 1) * (g.NY - 1)); math.Abs(total-want) > 1e-9 {
		t.Errorf("bands cover %v, want the grid's %v", total, want)
	}
	for _, level := range levels[1 : len(levels)-1] {
		segs := Isoline(g, level)
		if len(segs) == 0 {
			t.Errorf("no isoline at %v", level)
		}
		for k := 0; k < len(segs); k += 2 {
			if z := interpolate(g, segs[k], segs[k+1]); math.Abs(z-level) > 1e-9 {
				t.Errorf("isoline %v has a point (%v, %v) where the surface is %v", level, segs[k], segs[k+1], z)
			}
		}
	}
}

// interpolate is the surface's value at (x, y), on the triangle that
// holds it.
func interpolate(g Grid, x, y float64) float64 {
	i, j := min(int(x), g.NX-2), min(int(y), g.NY-2)
	u, v := x-float64(i), y-float64(j)
	a, b, c, d := g.at(i, j), g.at(i+1, j), g.at(i+1, j+1), g.at(i, j+1)
	if u >= v { // triangle a, b, c
		return a + u*(b-a) + v*(c-b)
	}
	return a + v*(d-a) + u*(c-d) // triangle a, c, d
}
