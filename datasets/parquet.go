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
// The page index and Bloom filters are not read. Encrypted files are not
// supported. A panic inside the parquet library on a malformed file
// becomes a *trial.InputError naming the file.
//
// Column chunks are decoded row group by row group straight into X, so
// loading costs about X itself (unless one-hot encoding widens it). The
// rows the file declares are reserved up front only as far as their cells
// take at most 64 MiB plus 16 times the file's size; beyond that X grows
// with the values decoded, so a file cannot make the loader allocate for
// rows it does not hold.
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
		leaves := pf.Root().Columns()
		cols := make([]*column, len(header))
		for i, pc := range leaves {
			cols[i] = &column{name: header[i]}
			if pc.Type().Kind() == parquet.ByteArray {
				cols[i].setKind(text)
			} else {
				cols[i].setKind(number)
			}
		}
		tb := newTable(cols, target)
		tb.reserve(parquetReserveRows(rows, len(cols), size))
		pr := parquetReader{tb: tb, allowMissing: opts.AllowMissing}
		for _, rg := range pf.RowGroups() {
			chunks := rg.ColumnChunks()
			first, n := tb.rows, int(rg.NumRows())
			for i, pc := range leaves {
				if err := pr.readChunk(chunks[pc.Index()], i, first, n); err != nil {
					var cerr *cellError
					if errors.As(err, &cerr) {
						return nil, &trial.InputError{File: path, Field: cols[i].name, Msg: cerr.msg, Err: cerr.err}
					}
					return nil, fmt.Errorf("column %s: %w", cols[i].name, err)
				}
			}
		}
		if tb.rows != rows {
			return nil, fmt.Errorf("%d rows in the row groups, %d in the file", tb.rows, rows)
		}
		return assemble(path, tb, opts)
	})
}

// parquetReserveRows is how many rows of cols columns to reserve before
// reading a Parquet file of size bytes that declares rows rows: all of
// them, unless their cells would take more than 64 MiB plus 16 times the
// file. Past that, the table grows with the values actually decoded, so a
// file that declares more rows than it holds cannot make the loader
// allocate for them.
func parquetReserveRows(rows, cols int, size int64) int {
	budget := (64<<20 + 16*size) / 8 / int64(cols)
	return int(min(int64(rows), budget))
}

// parquetReader reads the column chunks of a Parquet file, row group by
// row group, straight into a table's cells.
type parquetReader struct {
	tb           *table
	allowMissing bool
	values       []parquet.Value // reused for every page
	doubles      []float64       // reused for pages of non-null doubles

	// The chunk being read: of column col, whose cells are at offset
	// off of each row of the table (-1 for the target); its n values are
	// of rows first, first+1, ... (0-based); k have been read.
	col, off, first, n, k int
}

// readChunk reads the column chunk cc of the file's column col: the n
// values of rows first, first+1, ... (0-based). The first column of a row
// group adds its rows to the table as their values are decoded, so that
// the table grows with what the file holds, not with what it declares.
func (pr *parquetReader) readChunk(cc parquet.ColumnChunk, col, first, n int) error {
	if pr.values == nil {
		pr.values = make([]parquet.Value, 4096)
		pr.doubles = make([]float64, 4096)
	}
	pr.col, pr.first, pr.n, pr.k = col, first, n, 0
	switch t := pr.tb.target; {
	case col == t:
		pr.off = -1
	case col < t:
		pr.off = col
	default:
		pr.off = col - 1
	}
	pages := cc.Pages()
	defer pages.Close()
	for {
		page, err := pages.ReadPage()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		err = pr.readPage(page)
		parquet.Release(page)
		if err != nil {
			return err
		}
	}
	if pr.k != n {
		return fmt.Errorf("%d values for %d rows", pr.k, n)
	}
	return nil
}

// room checks that m more values fit in the row group, and adds their
// rows to the table when the chunk is of its first column.
func (pr *parquetReader) room(m int) error {
	if pr.k+m > pr.n {
		return fmt.Errorf("more values than the row group's %d rows", pr.n)
	}
	if end := pr.first + pr.k + m; pr.col == 0 && end > pr.tb.rows {
		pr.tb.addRows(end - pr.tb.rows)
	}
	return nil
}

// store puts the next value of the chunk into the table.
func (pr *parquetReader) store(x float64) {
	r := pr.first + pr.k
	if pr.off < 0 {
		pr.tb.y[r] = x
	} else {
		pr.tb.cells[r*pr.tb.width+pr.off] = x
	}
	pr.k++
}

// readPage reads the values of one page of the chunk.
func (pr *parquetReader) readPage(page parquet.Page) error {
	vr := page.Values()
	if dr, ok := vr.(parquet.DoubleReader); ok && page.NumNulls() == 0 {
		// A page of doubles without nulls: no parquet.Value per cell.
		for {
			m, err := dr.ReadDoubles(pr.doubles)
			if rerr := pr.room(m); rerr != nil {
				return rerr
			}
			for _, x := range pr.doubles[:m] {
				x, cerr := pr.number(x)
				if cerr != nil {
					return cerr
				}
				pr.store(x)
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	c := pr.tb.cols[pr.col]
	for {
		m, err := vr.ReadValues(pr.values)
		if rerr := pr.room(m); rerr != nil {
			return rerr
		}
		for _, v := range pr.values[:m] {
			var x float64
			var cerr *cellError
			switch {
			case v.IsNull():
				x, cerr = pr.missing()
			case c.kind == number:
				x, cerr = pr.number(ParquetNumber(v))
			default:
				x, cerr = pr.category(c, v.ByteArray())
			}
			if cerr != nil {
				return cerr
			}
			pr.store(x)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// row is the 1-based row of the next value, for messages.
func (pr *parquetReader) row() int { return pr.first + pr.k + 1 }

// number checks a numeric value: an infinity is refused, and NaN is a
// missing cell.
func (pr *parquetReader) number(x float64) (float64, *cellError) {
	switch {
	case math.IsInf(x, 0):
		return 0, cellErrorf("row %d: value is infinite", pr.row())
	case math.IsNaN(x):
		return pr.missing()
	}
	return x, nil
}

// missing returns the cell of a null or NaN, if the column may have
// missing cells.
func (pr *parquetReader) missing() (float64, *cellError) {
	switch {
	case pr.off < 0:
		return 0, cellErrorf("row %d: target value is missing; remove unlabelled rows", pr.row())
	case !pr.allowMissing:
		return 0, cellErrorf("row %d: missing value (null or NaN); set preprocess.impute to fill missing cells", pr.row())
	}
	return nan, nil
}

// category returns the code of a string value of column c.
func (pr *parquetReader) category(c *column, b []byte) (float64, *cellError) {
	if len(b) > MaxCellBytes {
		return 0, &cellError{msg: fmt.Sprintf("row %d: value is %d bytes, more than the limit of %s (datasets.MaxCellBytes)",
			pr.row(), len(b), byteSize(MaxCellBytes)), err: ErrLimit}
	}
	return c.category(b), nil
}

// ParquetNumber returns a non-null Parquet BOOLEAN (as 0 or 1), INT32,
// INT64, FLOAT or DOUBLE value as a float64: how every reader of Parquet
// data in hpsearch turns a numeric cell into a feature.
func ParquetNumber(v parquet.Value) float64 {
	switch v.Kind() {
	case parquet.Boolean:
		if v.Boolean() {
			return 1
		}
		return 0
	case parquet.Int32:
		return float64(v.Int32())
	case parquet.Int64:
		return float64(v.Int64())
	case parquet.Float:
		return float64(v.Float())
	}
	return v.Double()
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
