package model

import (
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

// newLineGuard limits each record of the CSV input r to
// datasets.MaxLineBytes, as package datasets does for training data.
func newLineGuard(r io.Reader, file string) io.Reader {
	return datasets.LimitCSVRecords(r, file)
}
