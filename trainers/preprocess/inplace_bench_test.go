package preprocess

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
)

// generated returns rows×cols values drawn as datasets.GenerateCSV draws
// them (three class centres in [-2, 2), unit normal noise, 4 decimals).
func generated(rows, cols int) trainers.Matrix {
	rng := rand.New(rand.NewPCG(1, 2))
	var centres [3][]float64
	for k := range centres {
		centres[k] = make([]float64, cols)
		for j := range centres[k] {
			centres[k][j] = 4*rng.Float64() - 2
		}
	}
	X := trainers.NewMatrix(rows, cols)
	for i := range rows {
		c := centres[rng.IntN(3)]
		for j := range cols {
			X.Data[i*cols+j] = math.Round((c[j]+rng.NormFloat64())*1e4) / 1e4
		}
	}
	return X
}

// undoBytes is the storage u holds: codes and saved cells.
func undoBytes(u *Undo) int {
	n := 0
	for _, s := range u.steps[:u.n] {
		n += len(s.codes) + 16*len(s.kept)
	}
	return n
}

// BenchmarkFitTransformInPlace compares a fold's standardization by
// copies (FitTransform and Transform, as the worker did) with the
// in-place transform and its Restore, on 100,000 × 50 generated values
// with a 20% validation part, and reports the Undo's bytes a cell.
func BenchmarkFitTransformInPlace(b *testing.B) {
	X := generated(100_000, 50)
	train := 80_000
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(int64(8 * len(X.Data)))
		for range b.N {
			p, _ := NewPipeline(Standard, "")
			tr := trainers.Matrix{Rows: train, Cols: X.Cols, Data: X.Data[:train*X.Cols]}
			va := trainers.Matrix{Rows: X.Rows - train, Cols: X.Cols, Data: X.Data[train*X.Cols:]}
			if _, err := p.FitTransform(tr); err != nil {
				b.Fatal(err)
			}
			if _, err := p.Transform(va); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("in place and restore", func(b *testing.B) {
		b.SetBytes(int64(8 * len(X.Data)))
		var u Undo
		var kept float64
		for range b.N {
			p, _ := NewPipeline(Standard, "")
			if err := p.FitTransformInPlace(X, train, &u); err != nil {
				b.Fatal(err)
			}
			kept = float64(undoBytes(&u)) / float64(len(X.Data))
			u.Restore()
		}
		b.ReportMetric(kept, "undo-B/cell")
		b.ReportMetric(float64(len(u.steps[0].kept))/float64(len(X.Data))*100, "%kept")
	})
}
