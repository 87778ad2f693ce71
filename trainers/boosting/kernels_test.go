package boosting

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// kernelData is a binned set with NaNs and columns of few values, random
// gradients and hessians, and a sorted random half of its rows.
func kernelData(tb testing.TB) (d *binned, grad, hess []float64, rows []int32) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	const n, p = 2000, 7 // p not a multiple of addRowsAVX's four features a step
	X := trainers.NewMatrix(n, p)
	for i := range n {
		for f, row := 0, X.Row(i); f < p; f++ {
			switch {
			case f == 1:
				row[f] = float64(rng.IntN(3))
			case rng.IntN(50) == 0:
				row[f] = math.NaN()
			default:
				row[f] = rng.NormFloat64()
			}
		}
	}
	d = newBinned(X, 255, rng)
	grad, hess = make([]float64, n), make([]float64, n)
	for i := range grad {
		grad[i] = rng.NormFloat64()
		hess[i] = rng.Float64() / 4
	}
	for i := range n {
		if rng.IntN(2) == 0 {
			rows = append(rows, int32(i))
		}
	}
	return d, grad, hess, rows
}

func sameBuckets(tb testing.TB, what string, got, want histogram) {
	tb.Helper()
	for k := range want {
		g, w := got[k], want[k]
		if math.Float64bits(g.g) != math.Float64bits(w.g) || math.Float64bits(g.h) != math.Float64bits(w.h) || g.n != w.n {
			tb.Fatalf("%s: bucket %d is %+v, want %+v", what, k, g, w)
		}
	}
}

// TestKernelsMatchGo checks that the histogram and split-scan kernels
// (assembly where there is some) give bit for bit what their portable Go
// versions give.
func TestKernelsMatchGo(t *testing.T) {
	d, grad, hess, rows := kernelData(t)
	off := d.bm.offset
	build := func(add func(h histogram, rows []int32, bins []uint8, p int, off []int, grad, hess []float64, count bool),
		rows []int32, hess []float64, count bool) histogram {
		h := make(histogram, off[d.p])
		add(h, rows, d.rows, d.p, off[:d.p+1], grad, hess, count)
		return h
	}
	var parent, child histogram
	for _, tc := range []struct {
		name  string
		hess  []float64
		count bool
	}{
		{"gradients", nil, false},
		{"gradients+counts", nil, true},
		{"gradients+hessians", hess, false},
		{"gradients+hessians+counts", hess, true},
	} {
		got := build(addRows, rows, tc.hess, tc.count)
		sameBuckets(t, "addRows/"+tc.name, got, build(addRowsGo, rows, tc.hess, tc.count))
		if tc.hess != nil && tc.count {
			child = got
		}
	}
	all := make([]int32, d.n)
	for i := range all {
		all[i] = int32(i)
	}
	parent = build(addRows, all, hess, true)

	got, want := slices.Clone(parent), slices.Clone(parent)
	subtractBuckets(got, child)
	subtractGo(want, child)
	sameBuckets(t, "subtract", got, want)

	inv := reciprocals(len(rows), 0.5)
	for f := range d.p {
		hb := child[off[f] : off[f+1]-1]
		var tot bucket
		for _, e := range child[off[f]:off[f+1]] {
			tot.g, tot.h, tot.n = tot.g+e.g, tot.h+e.h, tot.n+e.n
		}
		c := scanNode{g: tot.g, h: tot.h, maxLeft: tot.n - 20, minHess: 1e-3, l2: 0.5,
			parent: tot.g * tot.g / (tot.h + 0.5), shrink: 1 - 1e-9, n: tot.n}
		for s := 0; s < len(hb); s += 7 {
			l := hb[:s+1].sum()
			for _, bestGain := range []float64{0, 0.5} {
				gain, b := scan(hb[s+1:], l.g, l.h, l.n, &c, bestGain)
				wantGain, wantB := scanGo(hb[s+1:], l.g, l.h, l.n, &c, bestGain)
				if math.Float64bits(gain) != math.Float64bits(wantGain) || b != wantB {
					t.Fatalf("scan feature %d from %d: %v at %d, want %v at %d", f, s, gain, b, wantGain, wantB)
				}
				if l.n > c.maxLeft {
					continue
				}
				gain, b = scanUnit(hb[s+1:], l.g, l.n, &c, inv, bestGain)
				wantGain, wantB = scanUnitGo(hb[s+1:], l.g, l.n, &c, inv, bestGain)
				if math.Float64bits(gain) != math.Float64bits(wantGain) || b != wantB {
					t.Fatalf("scanUnit feature %d from %d: %v at %d, want %v at %d", f, s, gain, b, wantGain, wantB)
				}
			}
		}
	}
}

// TestPredictWalksTrees checks the batched, branch-free tree walks
// against one walk per row and tree, on rows with NaNs and on a number of
// rows that leaves a partial batch.
func TestPredictWalksTrees(t *testing.T) {
	d := synthetic(1000, 5, 4)
	for i := range d.Y {
		if i%13 == 0 {
			d.X.Row(i)[i%5] = math.NaN()
		}
		d.Y[i] = float64(min(2, max(0, int(d.Y[i]+1))))
	}
	d.Classes = 3
	e := fitOn(t, trial.Params{"max_iter": 10, "max_leaf_nodes": 15, "min_samples_leaf": 5}, d, 1).(*estimator)
	X := trainers.Matrix{Rows: 2*walkBatch + 3, Cols: 5, Data: d.X.Data[:(2*walkBatch+3)*5]}
	got := e.rawPredict(X)
	for i := range X.Rows {
		want := slices.Clone(e.base)
		for _, iter := range e.trees {
			for c, tr := range iter {
				at := int32(0)
				for nd := tr.nodes[at]; nd.next[0] != at; nd = tr.nodes[at] {
					if x := X.Row(i)[nd.feature]; x <= nd.threshold {
						at = nd.next[0]
					} else {
						at = nd.next[1]
					}
				}
				want[c] += tr.nodes[at].value
			}
		}
		for c := range want {
			if math.Float64bits(got.Row(i)[c]) != math.Float64bits(want[c]) {
				t.Fatalf("row %d, output %d: %v, want %v", i, c, got.Row(i)[c], want[c])
			}
		}
	}
}
