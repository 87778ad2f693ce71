package model

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// PredictFile predicts every row of the CSV or Parquet file at path (by
// its extension: .parquet or .pq for Parquet, anything else CSV) and
// writes CSV to w, as PredictCSV.
func (m *Model) PredictFile(ctx context.Context, path string, w io.Writer, opts StreamOptions) (int, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("model: predict: %w: %w", trial.ErrBadInput, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("model: predict: %w", err)
	}
	if !st.Mode().IsRegular() {
		return 0, &trial.InputError{File: path, Msg: "not a regular file"}
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".pq":
		return m.PredictParquet(ctx, f, st.Size(), w, opts)
	}
	return m.PredictCSV(ctx, f, w, opts)
}

// PredictParquet is PredictCSV for the size-byte Parquet file in r: flat
// columns of booleans, integers, floats or strings, matched by name.
// Nulls are missing cells. It reads up to ChunkRows rows at a time. A
// malformed file is a *trial.InputError, never a panic.
func (m *Model) PredictParquet(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, opts StreamOptions) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, &trial.InputError{File: opts.Name, Msg: fmt.Sprintf("not a valid Parquet file: %v", p)}
		}
	}()
	pf, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return 0, &trial.InputError{File: opts.Name, Msg: "not a valid Parquet file: " + err.Error()}
	}
	var header []string
	for _, pc := range pf.Root().Columns() {
		header = append(header, pc.Name())
	}
	if len(header) == 0 {
		return 0, &trial.InputError{File: opts.Name, Msg: "the file has no columns", Err: ErrEmptyInput}
	}
	if err := checkHeader(header, opts.Name, 0); err != nil {
		return 0, err
	}
	b, err := m.Bind(header)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", opts.Name, err)
	}
	for _, f := range b.fields {
		pc := pf.Root().Columns()[f.col]
		if !pc.Leaf() || pc.Repeated() {
			return 0, &trial.InputError{File: opts.Name, Field: f.name, Msg: "nested and repeated columns are not supported"}
		}
		switch pc.Type().Kind() {
		case parquet.Boolean, parquet.Int32, parquet.Int64, parquet.Float, parquet.Double, parquet.ByteArray:
		default:
			return 0, &trial.InputError{File: opts.Name, Field: f.name, Msg: fmt.Sprintf("unsupported Parquet type %s", pc.Type())}
		}
	}
	fieldOf := make([]int, len(header))
	for i := range fieldOf {
		fieldOf[i] = -1
	}
	for i, f := range b.fields {
		fieldOf[f.col] = i
	}
	groups := pf.RowGroups()
	var rows parquet.Rows
	row := 0 // rows read so far, for errors
	buf := make([]parquet.Row, 256)
	defer func() {
		if rows != nil {
			rows.Close()
		}
	}()
	chunkRows := opts.chunkRows()
	read := func(ctx context.Context, X trainers.Matrix) (n int, err error) {
		defer func() {
			if p := recover(); p != nil {
				n, err = 0, &trial.InputError{File: opts.Name, Msg: fmt.Sprintf("not a valid Parquet file: %v", p)}
			}
		}()
		for n < chunkRows {
			if rows == nil {
				if len(groups) == 0 {
					return n, nil
				}
				rows, groups = groups[0].Rows(), groups[1:]
			}
			if err := ctx.Err(); err != nil {
				return n, err
			}
			k, err := rows.ReadRows(buf[:min(len(buf), chunkRows-n)])
			for _, r := range buf[:k] {
				row++
				dst := X.Row(n)
				for _, v := range r {
					c := v.Column()
					if c < 0 || c >= len(fieldOf) || fieldOf[c] < 0 {
						continue
					}
					if ferr := fillValue(b.fields[fieldOf[c]], dst, v); ferr != nil {
						return n, inputError(ferr, opts.Name, 0, fmt.Sprintf("row %d", row))
					}
				}
				n++
			}
			if err == io.EOF {
				rows.Close()
				rows = nil
				continue
			}
			if err != nil {
				return n, &trial.InputError{File: opts.Name, Msg: fmt.Sprintf("row %d: %v", row+1, err)}
			}
		}
		return n, nil
	}
	return m.stream(ctx, read, w, opts)
}

// fillValue sets the features of f from one Parquet value: a number
// (booleans as 0 and 1), a string, or null for a missing cell.
func fillValue(f field, dst []float64, v parquet.Value) error {
	switch {
	case v.IsNull():
		return f.fill(dst, "", missing, f.cats == nil)
	case v.Kind() == parquet.ByteArray:
		if n := len(v.ByteArray()); n > datasets.MaxCellBytes {
			return &cellError{column: f.name, msg: fmt.Sprintf("a string of %d bytes, more than the limit of %d (datasets.MaxCellBytes)",
				n, datasets.MaxCellBytes), err: datasets.ErrLimit}
		}
		return f.fill(dst, string(v.ByteArray()), 0, true)
	}
	x := datasets.ParquetNumber(v)
	if math.IsInf(x, 0) {
		return &cellError{column: f.name, msg: "value is infinite"}
	}
	return f.fill(dst, "", x, false)
}
