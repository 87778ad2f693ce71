package results

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Reopen opens the journal of the existing study directory studyDir for
// appending, to resume the study, and returns it with what it held. The
// caller must hold the study's Lock: two appenders would interleave their
// records.
//
// Reopen reads the journal before it changes anything. A damaged record
// followed by others is a *CorruptError naming its line, and the file is
// left as it was. A torn last record (the writer died mid-write) is cut
// off: the file is truncated to the end of its last whole record and
// fsync'd, so that new records do not follow half of an old one; the
// returned Replay's Warnings say so. A whole last record without its
// newline gets one.
func Reopen(ctx context.Context, studyDir string) (*Journal, Replay, error) {
	path := filepath.Join(studyDir, JournalFile)
	if err := ctx.Err(); err != nil {
		return nil, Replay{}, fmt.Errorf("results: reopen journal: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Replay{}, fmt.Errorf("results: reopen journal: %w", err)
	}
	rp, err := ReadJournal(bytes.NewReader(data), path)
	if err != nil {
		return nil, rp, err
	}
	if len(rp.Events) == 0 || rp.Events[0].Type != EventStudy {
		return nil, rp, &CorruptError{File: path, Line: 1, Err: fmt.Errorf("the journal does not start with a study event")}
	}
	keep, newline := wholeRecords(data)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, rp, fmt.Errorf("results: reopen journal: %w", err)
	}
	if keep < len(data) || newline {
		if keep < len(data) {
			if err := f.Truncate(int64(keep)); err != nil {
				f.Close()
				return nil, rp, fmt.Errorf("results: reopen journal: cut the torn last record off %s: %w", path, err)
			}
			rp.Warnings = append(rp.Warnings, fmt.Sprintf(
				"%s: cut off the torn last record (%d bytes) before appending", path, len(data)-keep))
		}
		if newline {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, rp, fmt.Errorf("results: reopen journal: %w", err)
			}
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, rp, fmt.Errorf("results: reopen journal: fsync: %w", err)
		}
	}
	return startWriter(studyDir, path, f), rp, nil
}

// wholeRecords returns how many leading bytes of a journal that
// ReadJournal accepted are whole records, and whether the last of them
// lacks its newline. Only the last non-blank line can be unreadable (any
// other would have been a *CorruptError), so it is the only one checked.
func wholeRecords(data []byte) (keep int, needNewline bool) {
	lastStart, lastEnd := -1, -1
	for off := 0; off < len(data); {
		end := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			end = off + i + 1
		}
		if len(bytes.TrimSpace(data[off:end])) > 0 {
			lastStart, lastEnd = off, end
		}
		off = end
	}
	if lastStart < 0 {
		return len(data), false
	}
	rec := data[lastStart:lastEnd]
	if _, err := decodeEvent(bytes.TrimSpace(rec)); err != nil {
		return lastStart, false
	}
	return len(data), rec[len(rec)-1] != '\n'
}
