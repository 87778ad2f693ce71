package studycharts

import "math"

// Grid is a surface sampled at the nodes of a regular grid: Z[j*NX+i] is
// its value at node (i, j), i along x and j along y, in grid units (node
// (i, j) is at x = i, y = j). Between the nodes it is interpolated
// linearly on triangles: each cell is cut along its diagonal from (i, j)
// to (i+1, j+1). This is marching squares with the saddle cases settled
// by the diagonal (marching triangles): the isolines and the bands of
// one grid are drawn from the same interpolation, so they meet exactly.
type Grid struct {
	NX, NY int
	Z      []float64
}

func (g Grid) at(i, j int) float64 { return g.Z[j*g.NX+i] }

// vertex is a point of the interpolated surface: its position in grid
// units and the value there.
type vertex struct{ x, y, z float64 }

// triangles calls f with the two triangles of each cell, in row order.
func (g Grid) triangles(f func(t [3]vertex)) {
	for j := 0; j+1 < g.NY; j++ {
		for i := 0; i+1 < g.NX; i++ {
			a := vertex{float64(i), float64(j), g.at(i, j)}
			b := vertex{float64(i + 1), float64(j), g.at(i+1, j)}
			c := vertex{float64(i + 1), float64(j + 1), g.at(i+1, j+1)}
			d := vertex{float64(i), float64(j + 1), g.at(i, j+1)}
			f([3]vertex{a, b, c})
			f([3]vertex{a, c, d})
		}
	}
}

// Isoline returns the segments where the interpolated surface equals
// level, as flat x0, y0, x1, y1 quadruples in grid units. A triangle
// crosses the level on each edge with one end above it (z > level) and
// the other not; a triangle lying flat on the level draws nothing, and
// an edge on the level is drawn once, by the triangle above it.
func Isoline(g Grid, level float64) []float64 {
	var out []float64
	g.triangles(func(t [3]vertex) {
		var pts [2]vertex
		n := 0
		for k := range 3 {
			p, q := t[k], t[(k+1)%3]
			if (p.z > level) == (q.z > level) {
				continue
			}
			if n < 2 {
				pts[n] = cross(p, q, level)
			}
			n++
		}
		if n == 2 && (pts[0].x != pts[1].x || pts[0].y != pts[1].y) {
			out = append(out, pts[0].x, pts[0].y, pts[1].x, pts[1].y)
		}
	})
	return out
}

// cross is the point of edge pq where the interpolated surface equals
// level; p and q are on either side of it.
func cross(p, q vertex, level float64) vertex {
	t := (level - p.z) / (q.z - p.z)
	return vertex{p.x + t*(q.x-p.x), p.y + t*(q.y-p.y), level}
}

// Isobands returns, for each band k between levels[k] and levels[k+1]
// (levels ascending), polygons covering where the interpolated surface
// is within the band, each as flat x, y pairs in grid units. Runs of
// whole cells of a row that lie within one band are merged into one
// rectangle; other cells' triangles are clipped to the band (a convex
// polygon, since the surface is linear on a triangle). Polygons of
// neighbouring bands share their boundary; none has zero area.
func Isobands(g Grid, levels []float64) [][][]float64 {
	if len(levels) < 2 {
		return nil
	}
	bands := make([][][]float64, len(levels)-1)
	for j := 0; j+1 < g.NY; j++ {
		run, runStart := -1, 0
		flush := func(end int) {
			if run >= 0 {
				x0, x1, y0, y1 := float64(runStart), float64(end), float64(j), float64(j+1)
				bands[run] = append(bands[run], []float64{x0, y0, x1, y0, x1, y1, x0, y1})
			}
			run = -1
		}
		for i := 0; i+1 < g.NX; i++ {
			zs := [4]float64{g.at(i, j), g.at(i+1, j), g.at(i+1, j+1), g.at(i, j+1)}
			lo, hi := math.Min(math.Min(zs[0], zs[1]), math.Min(zs[2], zs[3])), math.Max(math.Max(zs[0], zs[1]), math.Max(zs[2], zs[3]))
			whole := -1
			for k := 0; k+1 < len(levels); k++ {
				if lo >= levels[k] && hi <= levels[k+1] {
					whole = k
					break
				}
			}
			if whole >= 0 {
				if whole != run {
					flush(i)
					run, runStart = whole, i
				}
				continue
			}
			flush(i)
			a := vertex{float64(i), float64(j), zs[0]}
			b := vertex{float64(i + 1), float64(j), zs[1]}
			c := vertex{float64(i + 1), float64(j + 1), zs[2]}
			d := vertex{float64(i), float64(j + 1), zs[3]}
			for _, t := range [][]vertex{{a, b, c}, {a, c, d}} {
				for k := 0; k+1 < len(levels); k++ {
					if hi < levels[k] || lo > levels[k+1] {
						continue
					}
					p := clip(clip(t, levels[k], true), levels[k+1], false)
					if area(p) > 1e-9 {
						flat := make([]float64, 0, 2*len(p))
						for _, v := range p {
							flat = append(flat, v.x, v.y)
						}
						bands[k] = append(bands[k], flat)
					}
				}
			}
		}
		flush(g.NX - 1)
	}
	return bands
}

// clip keeps the part of the convex polygon p where the surface is at
// least level (above) or at most level (!above), by Sutherland-Hodgman.
func clip(p []vertex, level float64, above bool) []vertex {
	in := func(v vertex) bool {
		if above {
			return v.z >= level
		}
		return v.z <= level
	}
	var out []vertex
	for k := range p {
		cur, next := p[k], p[(k+1)%len(p)]
		if in(cur) {
			out = append(out, cur)
		}
		if in(cur) != in(next) {
			out = append(out, cross(cur, next, level))
		}
	}
	return out
}

// area is the polygon's area (shoelace), whatever its orientation.
func area(p []vertex) float64 {
	s := 0.0
	for k := range p {
		q := p[(k+1)%len(p)]
		s += p[k].x*q.y - q.x*p[k].y
	}
	return math.Abs(s) / 2
}
