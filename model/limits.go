package model

import (
	"bytes"
	"fmt"
	"io"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// Prediction reads its input under package datasets' limits on a record
// (datasets.MaxLineBytes), a cell or column name (datasets.MaxCellBytes)
// and the columns of a file (datasets.MaxColumns), so that a file that
// could not have been trained on is refused the same way, and a hostile
// input (an endless line) costs bounded memory. There is no limit on the
// number of rows: the input is streamed. Such input is a *trial.InputError
// wrapping datasets.ErrLimit.

// limitError is an InputError wrapping datasets.ErrLimit.
func limitError(file string, line int, field, format string, args ...any) *trial.InputError {
	return &trial.InputError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...), Err: datasets.ErrLimit}
}

// checkHeader refuses a header of more than datasets.MaxColumns columns
// or with a name longer than datasets.MaxCellBytes.
func checkHeader(header []string, file string, line int) error {
	if len(header) > datasets.MaxColumns {
		return limitError(file, line, "", "%d columns, more than the limit of %d (datasets.MaxColumns)", len(header), datasets.MaxColumns)
	}
	for i, h := range header {
		if len(h) > datasets.MaxCellBytes {
			return limitError(file, line, "", "the name of column %d is %d bytes, more than the limit of %d (datasets.MaxCellBytes)",
				i+1, len(h), datasets.MaxCellBytes)
		}
	}
	return nil
}

// longCell returns the index of the first cell of rec longer than
// datasets.MaxCellBytes, or -1.
func longCell(rec []string) int {
	for i, c := range rec {
		if len(c) > datasets.MaxCellBytes {
			return i
		}
	}
	return -1
}

// cellLimitError is the error for a cell of n bytes in column.
func cellLimitError(file string, line int, column string, n int) error {
	return limitError(file, line, column, "a cell of %d bytes, more than the limit of %d (datasets.MaxCellBytes)",
		n, datasets.MaxCellBytes)
}

// lineGuard sits between a CSV input and the csv.Reader and stops the
// read with an InputError at the first byte of a record beyond
// datasets.MaxLineBytes. It follows quotes to tell a line break inside a
// quoted cell from the end of a record, as package datasets does.
type lineGuard struct {
	r    io.Reader
	file string
	// record counts the bytes of the record read so far, which began on
	// line start; line is the line of the next byte.
	record      int64
	line, start int
	quoted      bool
	err         error
}

func newLineGuard(r io.Reader, file string) *lineGuard {
	return &lineGuard{r: r, file: file, line: 1, start: 1}
}

func (g *lineGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if k := g.scan(p[:n]); k < n {
		return k, g.err
	}
	return n, err
}

// scan accounts for b and returns how many of its bytes are within the
// limit; when that is fewer than len(b) it sets g.err.
func (g *lineGuard) scan(b []byte) int {
	done := 0
	for done < len(b) {
		seg := b[done:]
		nl := bytes.IndexByte(seg, '\n')
		if nl >= 0 {
			seg = seg[:nl+1]
		}
		if room := datasets.MaxLineBytes - g.record; int64(len(seg)) > room {
			g.err = limitError(g.file, g.start, "", "record is longer than the limit of %d bytes (datasets.MaxLineBytes)",
				datasets.MaxLineBytes)
			return done + int(max(room, 0))
		}
		g.record += int64(len(seg))
		if bytes.Count(seg, []byte{'"'})%2 == 1 {
			g.quoted = !g.quoted
		}
		if nl >= 0 {
			g.line++
			if !g.quoted {
				g.record, g.start = 0, g.line
			}
		}
		done += len(seg)
	}
	return done
}
