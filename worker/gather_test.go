package worker

import (
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
)

func TestFoldRowsGatherCopiesTheRowsOfEachFold(t *testing.T) {
	X := trainers.Matrix{Rows: 5, Cols: 2, Data: []float64{0, 1, 10, 11, 20, 21, 30, 31, 40, 41}}
	y := []float64{0, 1, 2, 3, 4}
	original := slices.Clone(X.Data)
	var b foldRows
	folds := []struct{ train, valid []int }{
		{[]int{4, 0, 2}, []int{1, 3}},
		{[]int{1, 3}, []int{0, 2, 4}},
		{[]int{2}, []int{0}}, // a subsample: fewer rows than before
	}
	for _, f := range folds {
		xtr, ytr, xva, yva := b.gather(X, y, f.train, f.valid)
		for part, c := range map[string]struct {
			m    trainers.Matrix
			ys   []float64
			rows []int
		}{"train": {xtr, ytr, f.train}, "valid": {xva, yva, f.valid}} {
			if c.m.Rows != len(c.rows) || c.m.Cols != 2 || len(c.m.Data) != 2*len(c.rows) || len(c.ys) != len(c.rows) {
				t.Fatalf("%v %s: %d×%d, %d cells, %d labels; want %d rows", f, part, c.m.Rows, c.m.Cols, len(c.m.Data), len(c.ys), len(c.rows))
			}
			for i, r := range c.rows {
				if !slices.Equal(c.m.Row(i), X.Row(r)) || c.ys[i] != y[r] {
					t.Errorf("%v %s row %d = %v, %g; want row %d: %v, %g", f, part, i, c.m.Row(i), c.ys[i], r, X.Row(r), y[r])
				}
			}
		}
		// Growing the training part (a trainer's append) cannot overwrite
		// the validation rows.
		_ = append(xtr.Data, -1, -1)
		_ = append(ytr, -1)
		if xva.Data[0] == -1 || yva[0] == -1 {
			t.Errorf("%v: an append to the training rows wrote the validation rows", f)
		}
	}
	if !slices.Equal(X.Data, original) {
		t.Errorf("gather modified the dataset: %v", X.Data)
	}
}
