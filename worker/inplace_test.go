package worker

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
)

// randomMatrix returns a rows×cols matrix and labels of distinct values,
// with the bit patterns that an arithmetic copy would not keep (-0, NaN
// payloads, infinities) among them.
func randomMatrix(rng *rand.Rand, rows, cols int) (trainers.Matrix, []float64) {
	X := trainers.NewMatrix(rows, cols)
	for i := range X.Data {
		switch rng.IntN(8) {
		case 0:
			X.Data[i] = math.Copysign(0, -1)
		case 1:
			X.Data[i] = math.Float64frombits(0x7ff8000000000000 | rng.Uint64()&0xfffff)
		case 2:
			X.Data[i] = math.Inf(-1)
		default:
			X.Data[i] = rng.NormFloat64()
		}
	}
	y := make([]float64, rows)
	for i := range y {
		y[i] = float64(i) + rng.Float64()
	}
	return X, y
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// checkPermutation permutes X and y by order, checks that position i holds
// original row order[i], then unpermutes and checks every bit is back.
func checkPermutation(t *testing.T, X trainers.Matrix, y []float64, order []int) {
	t.Helper()
	wantX, wantY := slices.Clone(X.Data), slices.Clone(y)
	var seen bitset
	o := make([]int32, len(order))
	for i, r := range order {
		o[i] = int32(r)
	}
	walk := cycles(o, &seen, nil)
	tmp := make([]float64, X.Cols)
	permuteRows(X, y, walk, tmp)
	for i, r := range order {
		if !sameBits(X.Row(i), wantX[r*X.Cols:(r+1)*X.Cols]) || math.Float64bits(y[i]) != math.Float64bits(wantY[r]) {
			t.Fatalf("order %v: position %d holds %v, %v; want row %d: %v, %v", order, i, X.Row(i), y[i], r, wantX[r*X.Cols:(r+1)*X.Cols], wantY[r])
		}
	}
	unpermuteRows(X, y, walk, tmp)
	if !sameBits(X.Data, wantX) || !sameBits(y, wantY) {
		t.Fatalf("order %v: unpermuting did not restore the rows", order)
	}
}

func TestPermuteRowsMovesEachRowAndUnpermuteRestoresEveryBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	identity := func(n int) []int {
		o := make([]int, n)
		for i := range o {
			o[i] = i
		}
		return o
	}
	for _, n := range []int{0, 1, 2, 3, 7, 64, 65, 200} {
		for _, cols := range []int{1, 3} {
			orders := map[string][]int{"identity": identity(n), "random": rng.Perm(n)}
			rev := identity(n)
			slices.Reverse(rev)
			orders["reversed"] = rev
			// One cycle through every row.
			cycle := make([]int, n)
			for i := range cycle {
				cycle[i] = (i + 1) % max(n, 1)
			}
			orders["one cycle"] = cycle
			// Only some rows move: pairs swapped, the rest fixed.
			pairs := identity(n)
			for i := 0; i+1 < n; i += 4 {
				pairs[i], pairs[i+1] = pairs[i+1], pairs[i]
			}
			orders["swapped pairs"] = pairs
			for name, order := range orders {
				t.Run(name, func(t *testing.T) {
					X, y := randomMatrix(rng, n, cols)
					checkPermutation(t, X, y, order)
				})
			}
		}
	}
}

// FuzzPermuteRows checks, for any permutation, that permuteRows puts row
// order[i] at position i and that unpermuteRows gives back every bit.
func FuzzPermuteRows(f *testing.F) {
	f.Add(uint16(0), uint8(1), uint64(0))
	f.Add(uint16(1), uint8(1), uint64(1))
	f.Add(uint16(10), uint8(3), uint64(7))
	f.Add(uint16(1000), uint8(2), uint64(42))
	f.Fuzz(func(t *testing.T, n uint16, cols uint8, seed uint64) {
		rows, c := int(n%2048), int(cols%8)+1
		rng := rand.New(rand.NewPCG(seed, uint64(rows)))
		X, y := randomMatrix(rng, rows, c)
		checkPermutation(t, X, y, rng.Perm(rows))
	})
}

func TestRowOrderArrangeLaysOutTrainThenValidThenTheRest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	X, y := randomMatrix(rng, 9, 2)
	wantX, wantY := slices.Clone(X.Data), slices.Clone(y)
	var p rowOrder
	for _, f := range []struct{ train, valid []int }{
		{[]int{0, 1, 2, 3, 4, 5}, []int{6, 7, 8}},
		{[]int{8, 2, 5}, []int{0, 7}}, // a subsample: rows 1, 3, 4, 6 are in neither part
		{[]int{4}, nil},
		{nil, nil},
	} {
		if !p.arrange(X, y, f.train, f.valid) {
			t.Fatalf("%v: arrange refused a valid fold", f)
		}
		want := slices.Concat(f.train, f.valid)
		for r := range 9 {
			if !slices.Contains(want, r) {
				want = append(want, r) // the rest, in their original order
			}
		}
		for i, r := range want {
			if !sameBits(X.Row(i), wantX[2*r:2*r+2]) || y[i] != wantY[r] {
				t.Errorf("%v: position %d holds %v; want row %d", f, i, X.Row(i), r)
			}
		}
		p.restore(X, y)
		if !sameBits(X.Data, wantX) || !sameBits(y, wantY) {
			t.Fatalf("%v: restore did not put the rows back", f)
		}
	}
	for _, bad := range []struct{ train, valid []int }{
		{[]int{0, 1, 1}, []int{2}},    // a row twice in train
		{[]int{0, 1}, []int{1, 2}},    // in both parts
		{[]int{0, 9}, nil},            // past the last row
		{[]int{-1}, []int{0}},         // negative
		{[]int{2, 3}, []int{4, 2}},    // in both, the second time in valid
		{[]int{5, 6, 7, 8}, []int{8}}, // the last row twice
	} {
		if p.arrange(X, y, bad.train, bad.valid) {
			t.Fatalf("%v: arrange accepted rows that are not a permutation", bad)
		}
		if !sameBits(X.Data, wantX) || !sameBits(y, wantY) {
			t.Fatalf("%v: a refused arrange moved rows", bad)
		}
	}
	// restore without an arrange in force does nothing.
	p.restore(X, y)
	if !sameBits(X.Data, wantX) || !sameBits(y, wantY) {
		t.Fatal("restore without arrange moved rows")
	}
}

// BenchmarkFoldRows compares, per fold of a 5-fold split of 200,000 × 50
// rows, copying the fold's rows (what a local worker does) with reordering
// the rows in place and back (what a Lambda worker does).
func BenchmarkFoldRows(b *testing.B) {
	const rows, cols = 200_000, 50
	rng := rand.New(rand.NewPCG(5, 6))
	X, y := randomMatrix(rng, rows, cols)
	fold := make([]int, rows)
	for i := range fold {
		fold[i] = rng.IntN(5)
	}
	var train, valid []int
	for i, f := range fold {
		if f == 0 {
			valid = append(valid, i)
		} else {
			train = append(train, i)
		}
	}
	var sink float64
	b.Run("copy", func(b *testing.B) {
		var c foldRows
		for b.Loop() {
			xtr, _, xva, _ := c.gather(X, y, train, valid)
			sink += xtr.Data[0] + xva.Data[0]
		}
	})
	b.Run("in place", func(b *testing.B) {
		var p rowOrder
		for b.Loop() {
			if !p.arrange(X, y, train, valid) {
				b.Fatal("arrange refused a fold")
			}
			sink += X.Data[0]
			p.restore(X, y)
		}
	})
	_ = sink
}
