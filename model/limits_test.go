package model_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPredictEnforcesDatasetLimits checks that prediction refuses what
// package datasets would refuse in training: a record longer than
// datasets.MaxLineBytes (even one whose cells are each within the cell
// limit and unused by the model), a cell or a column name longer than
// datasets.MaxCellBytes, and more than datasets.MaxColumns columns; each
// is an InputError wrapping datasets.ErrLimit and trial.ErrBadInput that
// names the file, the line and, for a cell, the column.
func TestPredictEnforcesDatasetLimits(t *testing.T) {
	m := petsModel(t)
	cell := strings.Repeat("x", datasets.MaxCellBytes)
	// A record of unused cells, each within the cell limit, that is
	// longer than the line limit.
	var wide strings.Builder
	wide.WriteString("weight,colour")
	for i := range datasets.MaxLineBytes/(datasets.MaxCellBytes+1) + 1 {
		wide.WriteString(",pad" + strconvFormat(float64(i)))
	}
	pads := strings.Count(wide.String(), ",") - 1
	wide.WriteString("\n1,red" + strings.Repeat(","+cell, pads) + "\n")
	tests := []struct {
		name, in string
		line     int
		field    string
	}{
		{"record over MaxLineBytes", wide.String(), 2, ""},
		{"cell over MaxCellBytes", "weight,colour,note\n1,red,a\n2,blue,x" + cell + "\n", 3, "note"},
		{"column name over MaxCellBytes", "weight,colour,x" + cell + "\n1,red,a\n", 1, ""},
		{"more than MaxColumns", "weight,colour" + strings.Repeat(",", datasets.MaxColumns) + "\n", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.PredictCSV(context.Background(), strings.NewReader(tc.in), &bytes.Buffer{}, model.StreamOptions{Name: "new.csv"})
			var ie *trial.InputError
			if !errors.Is(err, datasets.ErrLimit) || !errors.Is(err, trial.ErrBadInput) || !errors.As(err, &ie) {
				t.Fatalf("got %v, want an InputError wrapping datasets.ErrLimit", err)
			}
			if ie.File != "new.csv" || ie.Line != tc.line || ie.Field != tc.field {
				t.Errorf("error names file %q line %d field %q, want new.csv, %d, %q (%v)", ie.File, ie.Line, ie.Field, tc.line, tc.field, err)
			}
		})
	}
	t.Run("the longest record and cell are fine", func(t *testing.T) {
		in := "weight,colour,note\n1,red," + cell + "\n"
		if _, err := m.PredictCSV(context.Background(), strings.NewReader(in), &bytes.Buffer{}, model.StreamOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a Parquet string over MaxCellBytes", func(t *testing.T) {
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[petRow](&buf)
		long, weight := "red"+cell, 1.0
		if _, err := w.Write([]petRow{{Note: "a", Colour: &long, Weight: &weight}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		_, err := m.PredictParquet(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()), &bytes.Buffer{}, model.StreamOptions{Name: "new.parquet"})
		var ie *trial.InputError
		if !errors.Is(err, datasets.ErrLimit) || !errors.As(err, &ie) || ie.Field != "colour" {
			t.Fatalf("got %v, want an InputError for column colour wrapping datasets.ErrLimit", err)
		}
	})
}

// FuzzPredictCSV checks that no input makes PredictCSV panic, and that
// whatever it refuses is bad input.
func FuzzPredictCSV(f *testing.F) {
	f.Add([]byte(newPets))
	f.Add([]byte("weight,colour\n1,red\n\"2\nx\",blue\n"))
	f.Add([]byte("\uFEFF colour ,weight\nred,NA\n"))
	m := petsModel(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		_, err := m.PredictCSV(context.Background(), bytes.NewReader(in), &bytes.Buffer{}, model.StreamOptions{Name: "in.csv", ChunkRows: 2})
		if err != nil && !errors.Is(err, trial.ErrBadInput) {
			t.Fatalf("%q: %v does not wrap trial.ErrBadInput", in, err)
		}
	})
}
