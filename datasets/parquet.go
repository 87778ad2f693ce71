package datasets

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/trial"
)

// ReadParquet reads a Parquet dataset from path. Every top-level column must
// be a non-repeated leaf: BOOLEAN, INT32, INT64, FLOAT and DOUBLE columns
// are numeric (booleans as 0 and 1); BYTE_ARRAY columns are categorical
// strings. Nulls are missing cells. Errors about the input are
// *trial.InputError whose message names the 1-based row (Line is 0, as a
// Parquet file has no lines).
//
// The file must be a regular file of at most MaxFileSize bytes, with at
// most MaxColumns columns, MaxCells cells and string values of at most
// MaxCellBytes. A file whose metadata declares sizes it cannot hold (a
// footer, list or page larger than the file or its column chunk, more
// values in a page than rows in its row group, a page that decompresses
// to more than its header says) is refused before the parquet library
// allocates them, as is a page over 256 MiB and metadata over 64 MiB.
// The page index and Bloom filters are not read. Encrypted files are not supported. A panic inside the
// parquet library on a malformed file becomes a *trial.InputError naming
// the file.
func ReadParquet(path string, opts Options) (*Dataset, error) {
	if err := opts.validate(path); err != nil {
		return nil, err
	}
	f, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readParquet(f, size, path, opts)
}

// parquetColumns returns the column names of the Parquet file at path.
func parquetColumns(path string) ([]string, error) {
	f, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parquetBoundary(f, path, func(r io.ReaderAt) ([]string, error) {
		pf, err := openParquet(r, size, path)
		if err != nil {
			return nil, err
		}
		return parquetHeader(pf, path)
	})
}

// parquetBoundary runs read, which uses the parquet library on the file
// path opened as r, and turns what goes wrong into errors: a panic in the
// library becomes bad input naming the file, and an error of the library
// is bad input unless reading r itself failed.
func parquetBoundary[T any](r io.ReaderAt, path string, read func(io.ReaderAt) (T, error)) (v T, err error) {
	rr := &recordingReaderAt{r: r}
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, &trial.InputError{File: path,
				Msg: fmt.Sprintf("not a valid Parquet file: the Parquet reader failed on it: %v", p)}
		}
	}()
	v, err = read(rr)
	if err == nil {
		return v, nil
	}
	if rr.err != nil {
		return v, fmt.Errorf("datasets: read parquet %s: %w", path, rr.err)
	}
	var ie *trial.InputError
	if !errors.As(err, &ie) {
		err = &trial.InputError{File: path, Msg: "not a valid Parquet file: " + err.Error()}
	}
	return v, err
}

// recordingReaderAt remembers the first error of the underlying reader
// other than io.EOF, to tell a failing disk from a malformed file.
type recordingReaderAt struct {
	r   io.ReaderAt
	mu  sync.Mutex
	err error
}

func (r *recordingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.r.ReadAt(p, off)
	if err != nil && err != io.EOF {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
	return n, err
}

// openParquet checks the footer of the size-byte Parquet file in r and
// opens it. The page index and Bloom filters are not read: the loader
// needs neither.
func openParquet(r io.ReaderAt, size int64, path string) (*parquet.File, error) {
	if err := checkParquetFooter(r, size, path); err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, &trial.InputError{File: path, Msg: "not a valid Parquet file: " + err.Error()}
	}
	return pf, nil
}

// readParquet reads the size-byte Parquet file in r; path names it.
func readParquet(r io.ReaderAt, size int64, path string, opts Options) (*Dataset, error) {
	return parquetBoundary(r, path, func(r io.ReaderAt) (*Dataset, error) {
		pf, err := openParquet(r, size, path)
		if err != nil {
			return nil, err
		}
		header, err := parquetHeader(pf, path)
		if err != nil {
			return nil, err
		}
		target, err := targetIndex(header, opts.Target, path)
		if err != nil {
			return nil, err
		}
		n := pf.NumRows()
		switch {
		case n <= 0:
			return nil, &trial.InputError{File: path, Msg: "no data rows"}
		case n > int64(MaxCells/len(header)):
			return nil, limitError(path, 0, "", "%d rows of %d columns, more than the limit of %d cells (datasets.MaxCells)",
				n, len(header), MaxCells)
		}
		rows := int(n)
		if err := checkParquetPages(r, size, pf.Metadata(), path); err != nil {
			return nil, err
		}
		cols := make([]*column, len(header))
		for i, pc := range pf.Root().Columns() {
			c := &column{name: header[i]}
			if err := readParquetColumn(c, pc, rows, i == target, opts.AllowMissing); err != nil {
				var cerr *cellError
				if errors.As(err, &cerr) {
					return nil, &trial.InputError{File: path, Field: c.name, Msg: cerr.msg, Err: cerr.err}
				}
				return nil, fmt.Errorf("column %s: %w", c.name, err)
			}
			cols[i] = c
		}
		return assemble(path, cols, target, rows, opts)
	})
}

// parquetHeader returns the top-level column names, checking that each is
// a flat column of a supported type and that no name is longer than
// MaxCellBytes. (The parquet library refuses more than 65,534 columns,
// fewer than MaxColumns.)
func parquetHeader(pf *parquet.File, path string) ([]string, error) {
	var header []string
	seen := map[string]bool{}
	for i, pc := range pf.Root().Columns() {
		name := pc.Name()
		if len(name) > MaxCellBytes {
			return nil, limitError(path, 0, fmt.Sprintf("column %d", i+1), "name is %d bytes, more than the limit of %s (datasets.MaxCellBytes)",
				len(name), byteSize(MaxCellBytes))
		}
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
	// The storage grows with the values read rather than with the rows
	// the metadata declares.
	if pc.Type().Kind() == parquet.ByteArray {
		c.setKind(text)
		c.codes = make([]int32, 0, min(rows, 1<<16))
	} else {
		c.setKind(number)
		c.nums = make([]float64, 0, min(rows, 1<<16))
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
		if len(b) > MaxCellBytes {
			return &cellError{msg: fmt.Sprintf("row %d: value is %d bytes, more than the limit of %s (datasets.MaxCellBytes)",
				row, len(b), byteSize(MaxCellBytes)), err: ErrLimit}
		}
		code, ok := c.dict[string(b)] // no allocation for the lookup
		if !ok {
			code = c.newCategory(string(b))
		}
		c.codes = append(c.codes, code)
	}
	return nil
}
