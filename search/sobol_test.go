package search

import (
	"fmt"
	"testing"
)

func TestJoeKuoTable(t *testing.T) {
	for i, p := range joeKuo {
		if int(p.s) != len(p.m) {
			t.Errorf("entry %d: degree %d with %d direction integers", i, p.s, len(p.m))
		}
		if p.a >= 1<<(p.s-1) {
			t.Errorf("entry %d: a = %d too large for degree %d", i, p.a, p.s)
		}
		for k, m := range p.m {
			if m%2 == 0 || m >= 1<<(k+1) {
				t.Errorf("entry %d: m_%d = %d must be odd and < 2^%d", i, k+1, m, k+1)
			}
		}
	}
}

// TestSobolStratified checks that in every dimension the first 2^k points
// put exactly one point in each of the 2^k slices [i/2^k, (i+1)/2^k).
func TestSobolStratified(t *testing.T) {
	seq := newSobolSeq(maxSobolDims, 42)
	const k = 10
	pts := make([][]float64, 1<<k)
	for n := range pts {
		pts[n] = make([]float64, maxSobolDims)
		seq.point(uint64(n), pts[n])
	}
	for j := range maxSobolDims {
		for m := 1; m <= k; m++ {
			seen := make([]bool, 1<<m)
			for n := range 1 << m {
				cell := int(pts[n][j] * float64(int(1)<<m))
				if seen[cell] {
					t.Fatalf("dimension %d: first %d points put two in slice %d", j, 1<<m, cell)
				}
				seen[cell] = true
			}
		}
	}
}

// TestSobolCoverage compares how many of the 16×16 cells of the unit
// square 256 points reach: a scrambled Sobol sequence fills all of them
// (its first two coordinates form a (0, 8, 2)-net); random draws fill
// about 1 - 1/e of them.
func TestSobolCoverage(t *testing.T) {
	const spec = "name: c\nmodel: noop\nsearch: {method: %s, seed: %d}\nparameters:\n  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n"
	cells := func(method string, seed int) int {
		smp := newSampler(t, parse(t, fmt.Sprintf(spec, method, seed)))
		hit := map[[2]int]bool{}
		for _, tr := range askAll(t, smp, 256) {
			x, _ := tr.Params.Float("x")
			y, _ := tr.Params.Float("y")
			hit[[2]int{int(x * 16), int(y * 16)}] = true
		}
		return len(hit)
	}
	for seed := range 5 {
		s, r := cells("sobol", seed), cells("random", seed)
		if s != 256 {
			t.Errorf("seed %d: sobol filled %d of 256 cells, want all", seed, s)
		}
		if r >= 200 {
			t.Errorf("seed %d: random filled %d cells; expected about 162", seed, r)
		}
	}
}

func TestSobolTooManyDims(t *testing.T) {
	spec := "name: c\nmodel: noop\nsearch: {method: sobol}\nparameters:\n"
	for i := range maxSobolDims + 1 {
		spec += fmt.Sprintf("  x%d: {min: 0.0, max: 1.0}\n", i)
	}
	if _, err := parseErr(spec); err == nil {
		t.Error("sobol accepted more dimensions than its table")
	}
}
