package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hpsearch/hpsearch/internal/studycharts"
	"github.com/hpsearch/hpsearch/results"
)

// journalRead is how far a study's journal was read: the journal file,
// the bytes of whole records read, and the Checker that checked them,
// which checks the records after them against them.
type journalRead struct {
	checker *results.Checker
	file    os.FileInfo
	whole   int64
	// failed says a read stopped at a damaged record: the study holds
	// the records before it, the Checker may have gone past them, and
	// the next read starts over.
	failed bool
}

// Reload brings the study up to date with its journal and returns it. A
// study read by LoadTrials whose journal has only grown since its last
// read is brought up to date in place: the records after those it read
// are checked (by the Checker that checked the earlier ones) and added to
// its trials, and Reload returns s itself. A dashboard following a
// running study so decodes each record once and holds one copy of its
// trials, however long the journal grows; the trials are then what a
// fresh read of the journal gives (studycharts.Trials.Add folds each
// record in as LoadTrials does). A torn last record is left out with a
// warning and read once its end arrives. The warnings are those of the
// last read that found new bytes (its line numbers count from where it
// started).
//
// Any other study (its journal replaced or cut short, a study not
// streamed, or one whose last Reload failed) is read afresh by
// LoadTrials, and Reload returns the new study, leaving s as it was.
//
// Reload changes s: it must not be called concurrently with anything
// that reads s, its trials or what they returned (the dashboard holds its
// study's lock for writing while it reloads). A damaged record among the
// new ones is an error, as for LoadTrials; s then holds the records
// before it, and its next Reload reads afresh.
func (s *Study) Reload(ctx context.Context) (*Study, error) {
	rd := s.read
	if rd == nil || rd.failed {
		return LoadTrials(ctx, s.Dir)
	}
	path := filepath.Join(s.Dir, results.JournalFile)
	fi, err := os.Stat(path)
	if err != nil || !os.SameFile(fi, rd.file) || fi.Size() < rd.whole {
		return LoadTrials(ctx, s.Dir)
	}
	if fi.Size() > rd.whole {
		next, warnings, err := readJournal(ctx, path, rd, s.Trials())
		if err != nil {
			rd.failed = true
			return nil, err
		}
		s.read, s.Warnings = next, warnings
	}
	if err := s.loadComparison(); err != nil {
		return nil, err
	}
	return s, nil
}

// readJournal adds the records of the journal at path from byte
// from.whole on to t, checked by from.checker, and returns how far it
// read and the warnings (a torn last record). Records after the first
// read are named by their line counted from where the read started.
func readJournal(ctx context.Context, path string, from *journalRead, t *studycharts.Trials) (*journalRead, []string, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("report: read journal: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("report: read journal: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("report: read journal: %w", err)
	}
	name := path
	if from.whole > 0 {
		if _, err := f.Seek(from.whole, io.SeekStart); err != nil {
			return nil, nil, fmt.Errorf("report: read journal: %w", err)
		}
		name = fmt.Sprintf("%s (from byte %d)", path, from.whole)
	}
	// A last record without its newline is read whole (a record is a
	// JSON object: no shorter part of one decodes), so the next read
	// starts after it, at the newline that ends it.
	sc, err := from.checker.Scan(f, name, func(e results.Event) error {
		t.Add(e)
		return nil
	})
	if err != nil {
		return nil, sc.Warnings, err // Scan's errors name the journal
	}
	return &journalRead{checker: from.checker, file: fi, whole: from.whole + sc.Whole}, sc.Warnings, nil
}
