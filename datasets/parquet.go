package datasets

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/trial"
)

// ReadParquet reads a Parquet dataset from path. Every top-level column must
// be a non-repeated leaf: BOOLEAN, INT32, INT64, FLOAT and DOUBLE columns
// are numeric (booleans as 0 and 1); BYTE_ARRAY columns are categorical
// strings. Nulls are missing cells. Errors about the input are
// *trial.InputError whose message names the 1-based row (Line is 0, as a
// Parquet file has no lines).
func ReadParquet(path string, opts Options) (*Dataset, error) {
	if err := opts.validate(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("datasets: read parquet: %w", err)
	}
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		return nil, &trial.InputError{File: path, Msg: "not a valid Parquet file: " + err.Error()}
	}
	header, err := parquetHeader(pf, path)
	if err != nil {
		return nil, err
	}
	target, err := targetIndex(header, opts.Target, path)
	if err != nil {
		return nil, err
	}
	rows := int(pf.NumRows())
	if rows == 0 {
		return nil, &trial.InputError{File: path, Msg: "no data rows"}
	}
	cols := make([]*column, len(header))
	for i, pc := range pf.Root().Columns() {
		c := &column{name: header[i]}
		if err := readParquetColumn(c, pc, rows, i == target, opts.AllowMissing); err != nil {
			var cerr *cellError
			if errors.As(err, &cerr) {
				return nil, &trial.InputError{File: path, Field: c.name, Msg: cerr.msg}
			}
			return nil, fmt.Errorf("datasets: read parquet %s: column %s: %w", path, c.name, err)
		}
		cols[i] = c
	}
	return assemble(path, cols, target, rows, opts)
}

// parquetHeader returns the top-level column names, checking that each is
// a flat column of a supported type.
func parquetHeader(pf *parquet.File, path string) ([]string, error) {
	var header []string
	seen := map[string]bool{}
	for _, pc := range pf.Root().Columns() {
		name := pc.Name()
		bad := func(msg string) error { return &trial.InputError{File: path, Field: name, Msg: msg} }
		switch {
		case !pc.Leaf() || pc.Repeated():
			return nil, bad("nested and repeated columns are not supported")
		case seen[name]:
			return nil, bad("duplicate column name")
		}
		switch pc.Type().Kind() {
		case parquet.Boolean, parquet.Int32, parquet.Int64, parquet.Float, parquet.Double, parquet.ByteArray:
		default:
			return nil, bad(fmt.Sprintf("unsupported Parquet type %s", pc.Type()))
		}
		seen[name] = true
		header = append(header, name)
	}
	if len(header) == 0 {
		return nil, &trial.InputError{File: path, Msg: "no columns"}
	}
	return header, nil
}

// readParquetColumn reads every value of one leaf column into c.
func readParquetColumn(c *column, pc *parquet.Column, rows int, isTarget, allowMissing bool) error {
	if pc.Type().Kind() == parquet.ByteArray {
		c.setKind(text)
		c.codes = make([]int32, 0, rows)
	} else {
		c.setKind(number)
		c.nums = make([]float64, 0, rows)
	}
	pages := pc.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 4096)
	row := 0
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		vr := page.Values()
		for {
			n, err := vr.ReadValues(buf)
			for _, v := range buf[:n] {
				row++
				if row > rows {
					parquet.Release(page)
					return fmt.Errorf("more than the file's %d rows", rows)
				}
				if cerr := c.addValue(v, row, isTarget, allowMissing); cerr != nil {
					parquet.Release(page)
					return cerr
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				parquet.Release(page)
				return err
			}
		}
		parquet.Release(page)
	}
	if row != rows {
		return fmt.Errorf("%d values for %d rows", row, rows)
	}
	return nil
}

// addValue records one Parquet value of data row row (1-based).
func (c *column) addValue(v parquet.Value, row int, isTarget, allowMissing bool) *cellError {
	missing := v.IsNull()
	var x float64
	if !missing && c.kind == number {
		switch v.Kind() {
		case parquet.Boolean:
			if v.Boolean() {
				x = 1
			}
		case parquet.Int32:
			x = float64(v.Int32())
		case parquet.Int64:
			x = float64(v.Int64())
		case parquet.Float:
			x = float64(v.Float())
		default:
			x = v.Double()
		}
		if math.IsInf(x, 0) {
			return cellErrorf("row %d: value is infinite", row)
		}
		missing = math.IsNaN(x)
	}
	switch {
	case missing && isTarget:
		return cellErrorf("row %d: target value is missing; remove unlabelled rows", row)
	case missing && !allowMissing:
		return cellErrorf("row %d: missing value (null or NaN); set preprocess.impute to fill missing cells", row)
	case missing:
		c.addMissing()
	case c.kind == number:
		c.nums = append(c.nums, x)
	default:
		b := v.ByteArray()
		code, ok := c.dict[string(b)] // no allocation for the lookup
		if !ok {
			code = c.newCategory(string(b))
		}
		c.codes = append(c.codes, code)
	}
	return nil
}
