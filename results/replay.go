package results

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Replay is what reading a journal gives: its events in order, and
// warnings about damage that was tolerated.
type Replay struct {
	Events []Event
	// Warnings describe a torn last record that was skipped, or a last
	// record without its newline, each prefixed with file and line. A
	// journal written by a process that died mid-write has one; the
	// events before it are whole.
	Warnings []string
}

// CorruptError is a journal record that cannot be read and is not the
// last one, so it is not explained by a write cut short by a crash. It
// wraps ErrCorrupt and the parse error.
type CorruptError struct {
	File string
	Line int // 1-based
	Err  error
}

func (e *CorruptError) Error() string {
	if errors.Is(e.Err, ErrInconsistent) {
		return fmt.Sprintf("results: %s:%d: %v; hpsearch does not write that, so the journal was changed by something else", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("results: %s:%d: corrupt journal record: %v", e.File, e.Line, e.Err)
}

// Unwrap lets errors.Is find ErrCorrupt and errors.As the parse error.
func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// ReadJournal reads journal lines from r; name is the file name used in
// warnings and errors. Blank lines are skipped. An unreadable last record
// (no trailing newline, invalid JSON, or an invalid event) is dropped with
// a warning; an unreadable record followed by another record is a
// *CorruptError. So is a readable record that contradicts those before it
// (see Checker), wherever it is: a crash cuts a record short, it does not
// write a whole one that no scheduler writes.
func ReadJournal(r io.Reader, name string) (Replay, error) {
	return new(Checker).Read(r, name)
}

// Read reads journal lines from r as ReadJournal does, checking them
// after the records c has checked already: the next part of a journal
// kept in parts, such as the segments of a study in S3.
func (c *Checker) Read(r io.Reader, name string) (Replay, error) {
	var out Replay
	sc, err := c.Scan(r, name, func(e Event) error {
		out.Events = append(out.Events, e)
		return nil
	})
	out.Warnings = sc.Warnings
	return out, err
}

// Scanned is what Scan found besides the events.
type Scanned struct {
	// Warnings are as Replay's.
	Warnings []string
	// Whole is how many leading bytes of the input are whole records:
	// all of it, unless its last record is torn.
	Whole int64
	// Unterminated says the last whole record lacks its newline.
	Unterminated bool
}

// Scan reads journal lines from r as Read does, checking each record
// against those c has checked, and calls fn with each event in journal
// order instead of keeping them: a reader that keeps only what it needs
// (the results, for a leaderboard) reads a journal of any length in
// memory bounded by what it keeps. An error from fn stops the scan and
// is returned as it is; so is a *CorruptError, after fn has had the
// events before the damaged record.
func (c *Checker) Scan(r io.Reader, name string, fn func(Event) error) (Scanned, error) {
	var (
		out     Scanned
		br      = bufio.NewReaderSize(r, 64<<10)
		lineNo  int
		off     int64 // bytes read before line
		badLine int   // line of an unreadable record, 0 if none yet
		badErr  error
		badLen  int
		badOff  int64
		long    []byte // a line longer than br's buffer, gathered
	)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return out, fmt.Errorf("results: read %s: %w", name, err)
		}
		if len(line) == 0 {
			break
		}
		lineNo++
		terminated := line[len(line)-1] == '\n'
		record := bytes.TrimSpace(line)
		if len(record) > 0 {
			if badLine > 0 {
				return out, &CorruptError{File: name, Line: badLine, Err: badErr}
			}
			e, perr := decodeEvent(record)
			if perr != nil {
				badLine, badErr, badLen, badOff = lineNo, perr, len(line), off
			} else {
				if err := c.Check(e, name, lineNo); err != nil {
					return out, &CorruptError{File: name, Line: lineNo, Err: err}
				}
				if err := fn(e); err != nil {
					return out, err
				}
				if !terminated {
					out.Unterminated = true
					out.Warnings = append(out.Warnings, fmt.Sprintf(
						"%s:%d: last record has no trailing newline", name, lineNo))
				}
			}
		}
		off += int64(len(line))
		if !terminated {
			break
		}
	}
	out.Whole = off
	if badLine > 0 {
		out.Whole = badOff
		out.Warnings = append(out.Warnings, fmt.Sprintf(
			"%s:%d: ignored a torn last record (%d bytes; the study was probably stopped mid-write): %v",
			name, badLine, badLen, badErr))
	}
	return out, nil
}
