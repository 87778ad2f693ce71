package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// ReadCSV reads a CSV dataset from r. file names the input in errors and
// gives the dataset its name. The first row is the header; quoted fields
// follow RFC 4180. A column is numeric when every non-missing cell parses as
// a float64 (surrounding spaces are ignored); otherwise every non-missing
// cell must be a string that is not a number, and the column is
// categorical. Errors about the input are *trial.InputError.
//
// ReadCSV reads at most MaxFileSize bytes from r, and refuses a record
// longer than MaxLineBytes, a cell longer than MaxCellBytes, more than
// MaxColumns columns and more than MaxCells cells, so an endless or
// hostile reader costs bounded memory.
//
// The cells are parsed straight into the buffer that becomes X, without a
// copy per column or an allocation per record, so loading costs about X
// itself (unless one-hot encoding widens it, which takes a second matrix).
// When r can tell its size (an *os.File, a bytes or strings Reader), the
// buffer is sized from the first rows.
func ReadCSV(r io.Reader, file string, opts Options) (*Dataset, error) {
	return readCSV(r, file, opts, inputSize(r))
}

// inputSize returns the number of bytes left in r when r can tell cheaply,
// or 0.
func inputSize(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		return int64(r.Len())
	case interface{ Stat() (fs.FileInfo, error) }: // *os.File
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

// sizeProbeRows is how many rows are read before the table is grown to
// the number of rows estimated from the input size.
const sizeProbeRows = 1024

func readCSV(r io.Reader, file string, opts Options, size int64) (*Dataset, error) {
	if err := opts.validate(file); err != nil {
		return nil, err
	}
	cr := newCSVReader(r, file)
	header, err := readHeader(cr, file)
	if err != nil {
		return nil, err
	}
	target, err := targetIndex(header, opts.Target, file)
	if err != nil {
		return nil, err
	}
	cols := make([]*column, len(header))
	for i, name := range header {
		cols[i] = &column{name: name}
	}
	tb := newTable(cols, target)
	maxRows := MaxCells / len(cols)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, file)
		}
		if tb.rows == maxRows {
			line, _ := cr.FieldPos(0)
			return nil, limitError(file, line, "", "more than %d rows of %d columns, over the limit of %d cells (datasets.MaxCells)",
				maxRows, len(cols), MaxCells)
		}
		if len(rec) != len(cols) {
			line, _ := cr.FieldPos(0)
			return nil, &trial.InputError{File: file, Line: line,
				Msg: fmt.Sprintf("row has %d columns, header has %d", len(rec), len(cols))}
		}
		row, y := tb.addRows(1)
		for i, s := range rec {
			if len(s) > MaxCellBytes {
				line, _ := cr.FieldPos(i)
				return nil, cellTooLong(file, line, header[i], len(s))
			}
			if n := len(s); n > 0 && (s[0] == ' ' || s[n-1] == ' ' || s[n-1] == '\t') {
				s = strings.TrimSpace(s)
			}
			var v float64
			var cerr *cellError
			switch {
			case !isMissing(s):
				v, cerr = cols[i].cell(s, tb.rows)
			case i == target:
				cerr = cellErrorf("target value is missing; remove unlabelled rows")
			case !opts.AllowMissing:
				what := "empty cell"
				if s != "" {
					what = fmt.Sprintf("missing value %q", s)
				}
				cerr = cellErrorf("%s; set preprocess.impute to fill missing cells", what)
			default:
				v = nan
			}
			if cerr != nil {
				line, _ := cr.FieldPos(i)
				return nil, &trial.InputError{File: file, Line: line, Field: header[i], Msg: cerr.msg, Err: cerr.err}
			}
			switch {
			case i < target:
				row[i] = v
			case i > target:
				row[i-1] = v
			default:
				y[0] = v
			}
		}
		if tb.rows == sizeProbeRows && size > 0 {
			perRow := max(cr.InputOffset()/int64(tb.rows), 2)
			tb.reserve(min(int(size/perRow+size/perRow/20+16), maxRows))
		}
	}
	if tb.rows == 0 {
		return nil, &trial.InputError{File: file, Line: 1, Msg: "header only, no data rows"}
	}
	for _, c := range cols {
		c.finish()
	}
	return assemble(file, tb, opts)
}

// newCSVReader returns a reader of the CSV records of r behind a
// csvGuard.
func newCSVReader(r io.Reader, file string) *csvRecords {
	return newCSVRecords(newCSVGuard(r, file))
}

// readHeader reads and checks the header row: present, names non-empty and
// unique, at most MaxColumns of them. A UTF-8 byte order mark is dropped.
func readHeader(cr *csvRecords, file string) ([]string, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &trial.InputError{File: file, Msg: "empty file, want a header row and data rows"}
	}
	if err != nil {
		return nil, csvError(err, file)
	}
	if len(rec) > MaxColumns {
		return nil, limitError(file, 1, "", "header has %d columns, more than the limit of %d (datasets.MaxColumns)",
			len(rec), MaxColumns)
	}
	header := make([]string, len(rec))
	seen := make(map[string]int, len(rec))
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF")
		}
		if len(name) > MaxCellBytes {
			line, _ := cr.FieldPos(i)
			return nil, cellTooLong(file, line, fmt.Sprintf("column %d", i+1), len(name))
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, &trial.InputError{File: file, Line: 1,
				Msg: fmt.Sprintf("column %d of the header has no name", i+1)}
		}
		if j, dup := seen[name]; dup {
			return nil, &trial.InputError{File: file, Line: 1, Field: name,
				Msg: fmt.Sprintf("duplicate column name (columns %d and %d)", j+1, i+1)}
		}
		name = strings.Clone(name) // rec is reused by the next Read
		seen[name] = i
		header[i] = name
	}
	return header, nil
}

// targetIndex finds the target column; "" is the last one.
func targetIndex(header []string, target, file string) (int, error) {
	if target == "" {
		if len(header) < 2 {
			return 0, &trial.InputError{File: file, Line: 1,
				Msg: "need at least one feature column and a target column"}
		}
		return len(header) - 1, nil
	}
	for i, name := range header {
		if name == target {
			return i, nil
		}
	}
	return 0, &trial.InputError{File: file, Line: 1, Field: target,
		Msg: fmt.Sprintf("target column not in the header; columns are %s", strings.Join(header, ", "))}
}

// cellTooLong reports a cell over MaxCellBytes without quoting it.
func cellTooLong(file string, line int, field string, n int) error {
	return limitError(file, line, field, "cell is %d bytes, more than the limit of %s (datasets.MaxCellBytes)",
		n, byteSize(MaxCellBytes))
}

// csvError turns an encoding/csv error into an InputError; the guard's
// errors already are one.
func csvError(err error, file string) error {
	var ie *trial.InputError
	if errors.As(err, &ie) {
		return ie
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &trial.InputError{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return fmt.Errorf("datasets: read %s: %w", file, err)
}
