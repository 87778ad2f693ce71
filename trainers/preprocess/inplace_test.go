package preprocess_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
)

// inPlaceSettings are the pipelines the in-place tests run: every scaling
// with and without an imputation, and neither.
var inPlaceSettings = [][2]string{
	{"", ""}, {preprocess.Standard, ""}, {preprocess.MinMax, ""},
	{preprocess.Standard, preprocess.Mean}, {preprocess.MinMax, preprocess.Median},
	{preprocess.None, preprocess.MostFrequent},
}

// hardMatrix returns a rows×cols matrix whose columns are the cases an
// inverse scaling gets wrong by more than a unit in the last place:
// values far closer to zero than their column's mean, means far from the
// spread, subnormals, -0, huge values, rounded decimals (as a CSV holds
// them), a constant column, and, when missing is set, NaN cells with
// payloads.
func hardMatrix(rng *rand.Rand, rows, cols int, missing bool) trainers.Matrix {
	X := trainers.NewMatrix(rows, cols)
	for i := range rows {
		for j := range cols {
			var v float64
			switch j % 8 {
			case 0:
				v = 0.3 + rng.NormFloat64()
			case 1:
				v = -1.7 + 1.3*rng.NormFloat64()
			case 2:
				v = math.Round((4*rng.Float64()-2+rng.NormFloat64())*1e4) / 1e4
			case 3:
				v = 1e6 + rng.NormFloat64()*1e-3
			case 4:
				v = rng.NormFloat64() * 1e-310 // subnormal
			case 5:
				v = math.Ldexp(rng.NormFloat64(), rng.IntN(1200)-600)
			case 6:
				v = 42
			default:
				v = float64(rng.IntN(3)) - 1
				if v == 0 && rng.IntN(2) == 0 {
					v = math.Copysign(0, -1)
				}
			}
			if missing && rng.IntN(9) == 0 {
				v = math.Float64frombits(0x7ff8000000000000 | rng.Uint64()&0xfffff)
			}
			X.Data[i*cols+j] = v
		}
	}
	return X
}

func rowsOf(X trainers.Matrix, from, to int) trainers.Matrix {
	return trainers.Matrix{Rows: to - from, Cols: X.Cols, Data: slices.Clone(X.Data[from*X.Cols : to*X.Cols])}
}

// Transformed in place, a fold's rows hold to the bit what FitTransform
// of its training rows and Transform of its validation rows return, and
// Restore puts back every bit of every cell (NaN payloads and -0
// included); without an Undo, the values are the same.
func TestFitTransformInPlaceMatchesFitTransformAndRestores(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var u preprocess.Undo // reused, as the worker does fold after fold
	for _, s := range inPlaceSettings {
		for _, shape := range [][2]int{{1, 1}, {2, 3}, {50, 8}, {401, 16}} {
			for _, trainRows := range []int{1, shape[0] / 2, shape[0]} {
				if trainRows == 0 {
					continue
				}
				name := fmt.Sprintf("%s/%s/%dx%d/train %d", s[0], s[1], shape[0], shape[1], trainRows)
				t.Run(name, func(t *testing.T) {
					X := hardMatrix(rng, shape[0], shape[1], s[1] != "")
					orig := slices.Clone(X.Data)

					ref, _ := preprocess.NewPipeline(s[0], s[1])
					wantTrain, err := ref.FitTransform(rowsOf(X, 0, trainRows))
					if err != nil {
						t.Fatal(err)
					}
					wantValid, err := ref.Transform(rowsOf(X, trainRows, X.Rows))
					if err != nil {
						t.Fatal(err)
					}
					want := append(slices.Clone(wantTrain.Data), wantValid.Data...)

					p, _ := preprocess.NewPipeline(s[0], s[1])
					if err := p.FitTransformInPlace(X, trainRows, &u); err != nil {
						t.Fatal(err)
					}
					trainertest.SameBits(t, "in place", want, X.Data)
					u.Restore()
					trainertest.SameBits(t, "restored", orig, X.Data)
					u.Restore() // a second Restore changes nothing
					trainertest.SameBits(t, "restored twice", orig, X.Data)

					q, _ := preprocess.NewPipeline(s[0], s[1])
					if err := q.FitTransformInPlace(X, trainRows, nil); err != nil {
						t.Fatal(err)
					}
					trainertest.SameBits(t, "in place without an Undo", want, X.Data)
				})
			}
		}
	}
}

// The errors are those of FitTransform and Transform, and they leave the
// matrix as it was.
func TestFitTransformInPlaceErrorsLeaveTheMatrix(t *testing.T) {
	withNaN := func(row int) trainers.Matrix {
		X := matrix([]float64{1, 2}, []float64{3, 4}, []float64{5, 6})
		X.Data[row*2+1] = nan
		return X
	}
	cases := []struct {
		name      string
		X         trainers.Matrix
		trainRows int
		scale     string
		impute    string
		want      error
		wantText  string
	}{
		{"missing in a training row", withNaN(1), 2, preprocess.Standard, "", preprocess.ErrMissing, "row 1 column 1"},
		{"missing in a validation row", withNaN(2), 2, preprocess.MinMax, "", preprocess.ErrMissing, "row 0 column 1"},
		{"no training rows", matrix([]float64{1, 2}), 0, preprocess.Standard, preprocess.Mean, preprocess.ErrEmpty, "imputer"},
		{"no training rows, scaled", matrix([]float64{1, 2}), 0, preprocess.Standard, "", preprocess.ErrEmpty, "scaler"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orig := slices.Clone(c.X.Data)
			p, _ := preprocess.NewPipeline(c.scale, c.impute)
			var u preprocess.Undo
			err := p.FitTransformInPlace(c.X, c.trainRows, &u)
			if !errors.Is(err, c.want) || err == nil || !strings.Contains(err.Error(), c.wantText) {
				t.Fatalf("got %v, want %v naming %q", err, c.want, c.wantText)
			}
			trainertest.SameBits(t, "after the error", orig, c.X.Data)
			u.Restore()
			trainertest.SameBits(t, "after Restore", orig, c.X.Data)
		})
	}
}

// Reusing an Undo before restoring what it holds is a programming error:
// the old values would be lost.
func TestFitTransformInPlaceRefusesAnUnrestoredUndo(t *testing.T) {
	X := matrix([]float64{1, 2}, []float64{3, 5})
	p, _ := preprocess.NewPipeline(preprocess.Standard, "")
	var u preprocess.Undo
	if err := p.FitTransformInPlace(X, 2, &u); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	_ = p.FitTransformInPlace(X, 2, &u)
}

// FuzzFitTransformInPlace checks, for any bit patterns, that the in-place
// transform gives FitTransform's and Transform's bits and that Restore
// puts back every bit.
func FuzzFitTransformInPlace(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint8(2), uint8(1), uint8(1))
	f.Add(make([]byte, 64), uint8(3), uint8(2), uint8(4))
	f.Fuzz(func(t *testing.T, raw []byte, cols, trainRows, setting uint8) {
		c := int(cols%5) + 1
		vals := make([]float64, len(raw)/8)
		for i := range vals {
			var b uint64
			for k := range 8 {
				b |= uint64(raw[8*i+k]) << (8 * k)
			}
			vals[i] = math.Float64frombits(b)
		}
		rows := len(vals) / c
		if rows == 0 {
			return
		}
		tr := int(trainRows)%rows + 1
		s := inPlaceSettings[int(setting)%len(inPlaceSettings)]
		X := trainers.Matrix{Rows: rows, Cols: c, Data: vals[:rows*c]}
		orig := slices.Clone(X.Data)
		ref, _ := preprocess.NewPipeline(s[0], s[1])
		wantTrain, err1 := ref.FitTransform(rowsOf(X, 0, tr))
		var wantValid trainers.Matrix
		if err1 == nil {
			wantValid, err1 = ref.Transform(rowsOf(X, tr, rows))
		}
		p, _ := preprocess.NewPipeline(s[0], s[1])
		var u preprocess.Undo
		err2 := p.FitTransformInPlace(X, tr, &u)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("copy: %v; in place: %v", err1, err2)
		}
		if err1 == nil {
			trainertest.SameBits(t, "in place", append(slices.Clone(wantTrain.Data), wantValid.Data...), X.Data)
		}
		u.Restore()
		trainertest.SameBits(t, "restored", orig, X.Data)
	})
}
