package results

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Reopen opens the journal of the existing study directory studyDir for
// appending, to resume the study, and returns it with what it held. The
// caller must hold the study's Lock: two appenders would interleave their
// records.
//
// Reopen reads the journal, streaming it, before it changes anything. A damaged record
// followed by others is a *CorruptError naming its line, and the file is
// left as it was. A torn last record (the writer died mid-write) is cut
// off: the file is truncated to the end of its last whole record and
// fsync'd, so that new records do not follow half of an old one; the
// returned Replay's Warnings say so. A whole last record without its
// newline gets one.
func Reopen(ctx context.Context, studyDir string) (*Journal, Replay, error) {
	var rp Replay
	j, warnings, err := reopen(ctx, studyDir, func(f *os.File) error {
		// A first pass counts the records, so that the events are held in
		// one slice of the right size rather than grown by copying.
		records, err := countLines(f)
		rp.Events = make([]Event, 0, records)
		return err
	}, func(e Event) error {
		rp.Events = append(rp.Events, e)
		return nil
	})
	rp.Warnings = warnings
	return j, rp, err
}

// ReopenScan is Reopen for a journal too large to hold: it hands fn the
// journal's events one at a time, in order, instead of returning them,
// and returns the journal's warnings. An error from fn stops the scan and
// is returned, with the file left as it was.
func ReopenScan(ctx context.Context, studyDir string, fn func(Event) error) (*Journal, []string, error) {
	return reopen(ctx, studyDir, nil, fn)
}

// reopen is Reopen and ReopenScan: prepare, when not nil, reads the open
// file first (and leaves it at its start); fn gets every event.
func reopen(ctx context.Context, studyDir string, prepare func(*os.File) error, fn func(Event) error) (*Journal, []string, error) {
	path := filepath.Join(studyDir, JournalFile)
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("results: reopen journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("results: reopen journal: %w", err)
	}
	if prepare != nil {
		if err := prepare(f); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("results: reopen journal: %w", err)
		}
	}
	first := true
	sc, err := new(Checker).Scan(f, path, func(e Event) error {
		if first && e.Type != EventStudy {
			return &CorruptError{File: path, Line: 1, Err: fmt.Errorf("the journal does not start with a study event")}
		}
		first = false
		return fn(e)
	})
	warnings := sc.Warnings
	if err == nil && first {
		err = &CorruptError{File: path, Line: 1, Err: fmt.Errorf("the journal does not start with a study event")}
	}
	if err != nil {
		f.Close()
		return nil, warnings, err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return nil, warnings, fmt.Errorf("results: reopen journal: %w", err)
	}
	if sc.Whole < size || sc.Unterminated {
		if sc.Whole < size {
			if err := f.Truncate(sc.Whole); err != nil {
				f.Close()
				return nil, warnings, fmt.Errorf("results: reopen journal: cut the torn last record off %s: %w", path, err)
			}
			warnings = append(warnings, fmt.Sprintf(
				"%s: cut off the torn last record (%d bytes) before appending", path, size-sc.Whole))
		}
		if sc.Unterminated {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, warnings, fmt.Errorf("results: reopen journal: %w", err)
			}
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, warnings, fmt.Errorf("results: reopen journal: fsync: %w", err)
		}
	}
	return startWriter(studyDir, path, f), warnings, nil
}

// countLines counts the lines of f, the last even without its newline,
// and seeks back to its start.
func countLines(f *os.File) (int, error) {
	buf := make([]byte, 256<<10)
	n, last := 0, byte('\n')
	for {
		k, err := f.Read(buf)
		if k > 0 {
			n += bytes.Count(buf[:k], []byte{'\n'})
			last = buf[k-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if last != '\n' {
		n++
	}
	_, err := f.Seek(0, io.SeekStart)
	return n, err
}
