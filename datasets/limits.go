package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"

	"github.com/hpsearch/hpsearch/trial"
)

// Limits on what a loader reads. They keep the memory a dataset can make
// the process use bounded, whatever the input, and are generous for real
// tabular data. Input that exceeds one is refused with a
// *trial.InputError that names the limit and wraps ErrLimit.
const (
	// MaxFileSize is the largest dataset file, CSV or Parquet, in bytes
	// (4 GiB). A reader given to ReadCSV stops after this many bytes.
	MaxFileSize int64 = 4 << 30
	// MaxLineBytes is the longest CSV record in bytes (8 MiB): one line,
	// or several when a quoted cell holds line breaks.
	MaxLineBytes = 8 << 20
	// MaxCellBytes is the longest cell in bytes (64 KiB): a CSV field
	// (header names included) or a Parquet string value.
	MaxCellBytes = 64 << 10
	// MaxColumns is the most columns a file may have, and the most
	// feature columns after one-hot encoding (100,000).
	MaxColumns = 100_000
	// MaxCells is the most cells a dataset may have, rows × columns, both
	// as read from the file and as features after encoding (2^29, which
	// is 4 GiB of float64).
	MaxCells = 1 << 29
)

// Sentinel errors wrapped by the *trial.InputError values the loaders
// return, besides trial.ErrBadInput.
var (
	// ErrNotRegular is wrapped when a dataset path names something other
	// than a regular file (after following symbolic links): a directory,
	// a named pipe, a socket or a device such as /dev/zero.
	ErrNotRegular = errors.New("not a regular file")
	// ErrLimit is wrapped when the input exceeds one of the documented
	// limits (MaxFileSize, MaxLineBytes, MaxCellBytes, MaxColumns,
	// MaxCells, or the Parquet limits listed on ReadParquet).
	ErrLimit = errors.New("exceeds a dataset limit")
)

// limitError is an InputError wrapping ErrLimit.
func limitError(file string, line int, field, format string, args ...any) *trial.InputError {
	return &trial.InputError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...), Err: ErrLimit}
}

// openRegular opens path for reading and returns it with its size, or an
// error if it is not a regular file or is larger than MaxFileSize. The
// file is opened with O_NONBLOCK so that a named pipe nobody writes to
// does not block the open, and the type is checked on the opened
// descriptor, so a path swapped after the check cannot slip through.
// O_NONBLOCK has no effect on reading a regular file.
func openRegular(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		// Opening a socket fails (ENXIO) with a message that does not
		// say why; say what the path is instead. The Stat is only for the
		// message: the decision was the failed open.
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return nil, 0, notRegular(path, fi.Mode())
		}
		return nil, 0, openError(path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("datasets: stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, notRegular(path, fi.Mode())
	}
	if fi.Size() > MaxFileSize {
		f.Close()
		return nil, 0, limitError(path, 0, "", "file is %d bytes, more than the limit of %s (datasets.MaxFileSize)",
			fi.Size(), byteSize(MaxFileSize))
	}
	return f, fi.Size(), nil
}

func notRegular(path string, mode fs.FileMode) error {
	what := "not a regular file"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeCharDevice != 0:
		what = "a character device"
	case mode&fs.ModeDevice != 0:
		what = "a block device"
	}
	return &trial.InputError{File: path, Err: ErrNotRegular,
		Msg: fmt.Sprintf("is %s; a dataset must be a regular file (symbolic links to one are fine)", what)}
}

// byteSize formats a limit in bytes the way the constants' comments do.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// csvGuard sits between a CSV input and the record reader and stops the
// read with an InputError at the first byte beyond maxTotal or beyond
// MaxLineBytes in one record, so that an endless or hostile input (such
// as /dev/zero) costs a bounded amount of memory and time. It follows
// quotes to tell a line break inside a quoted cell from the end of a
// record, as RFC 4180 does; when the quotes are malformed the record
// reader reports that first, as it reads the records before the guard's
// error.
type csvGuard struct {
	r        io.Reader
	file     string
	maxTotal int64 // MaxFileSize for a dataset; no limit for a stream
	// total counts the bytes read; line is the 1-based line of the next
	// byte; record counts the bytes of the record read so far, which
	// began on line start.
	total, record int64
	line, start   int
	quoted        bool
	err           error
}

// newCSVGuard guards a dataset file: records and the whole input are
// limited.
func newCSVGuard(r io.Reader, file string) *csvGuard {
	return &csvGuard{r: r, file: file, maxTotal: MaxFileSize, line: 1, start: 1}
}

// LimitCSVRecords returns a reader of the CSV input r, named file, that
// fails at the first byte of a record beyond MaxLineBytes (a line, or
// several when a quoted cell holds line breaks) with a *trial.InputError
// wrapping ErrLimit that names file and the line the record began on.
// The input as a whole is not limited, for streams such as the rows to
// predict; the loaders in this package limit it to MaxFileSize as well.
// Put it under the buffered reader that the CSV parser reads.
func LimitCSVRecords(r io.Reader, file string) io.Reader {
	return &csvGuard{r: r, file: file, maxTotal: math.MaxInt64, line: 1, start: 1}
}

func (g *csvGuard) Read(p []byte) (int, error) {
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
// limits; when that is fewer than len(b) it sets g.err.
func (g *csvGuard) scan(b []byte) int {
	done := 0
	for done < len(b) {
		seg := b[done:]
		nl := bytes.IndexByte(seg, '\n')
		if nl >= 0 {
			seg = seg[:nl+1]
		}
		if room := min(MaxLineBytes-g.record, g.maxTotal-g.total); int64(len(seg)) > room {
			done += int(max(room, 0))
			if g.maxTotal-g.total < MaxLineBytes-g.record {
				g.err = limitError(g.file, 0, "", "input is longer than the limit of %s (datasets.MaxFileSize)",
					byteSize(MaxFileSize))
			} else {
				g.err = limitError(g.file, g.start, "", "record is longer than the limit of %s (datasets.MaxLineBytes)",
					byteSize(MaxLineBytes))
			}
			return done
		}
		g.total += int64(len(seg))
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
