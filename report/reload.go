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
	// again says the next read must start over: the last record had no
	// newline, so the bytes after it may complete it.
	again bool
}

// Reload returns the study with what its journal holds now. A study read
// by LoadTrials, whose journal has only grown since, gets the records
// after those it read added to a copy of its trials (studycharts.Trials.
// Clone), so a dashboard following a running study decodes each record
// once; any other study (its journal replaced or cut short, its last
// record without its newline, or a study not streamed) is read afresh by
// LoadTrials. s's trials are unchanged and may be read meanwhile. The
// warnings of the new records are the new study's; a damaged record
// among them is an error, as for LoadTrials.
//
// Reload the study the last Reload returned: once s's journal was read
// on from where s left it, s.Reload (or a retry after an error) reads
// afresh. Reload must not be called concurrently on one study.
func (s *Study) Reload(ctx context.Context) (*Study, error) {
	rd := s.read
	if rd == nil || rd.again {
		return LoadTrials(ctx, s.Dir)
	}
	path := filepath.Join(s.Dir, results.JournalFile)
	fi, err := os.Stat(path)
	if err != nil || !os.SameFile(fi, rd.file) || fi.Size() < rd.whole {
		return LoadTrials(ctx, s.Dir)
	}
	n := &Study{Dir: s.Dir, Spec: s.Spec, Prices: s.Prices}
	if fi.Size() == rd.whole {
		n.trials, n.read, n.Warnings = s.Trials(), rd, s.Warnings
	} else {
		t := s.Trials().Clone()
		// The Checker goes on from rd's records, so s's next Reload, if
		// any, starts over.
		rd.again = true
		next, warnings, err := readJournal(ctx, path, &journalRead{checker: rd.checker, whole: rd.whole}, t)
		if err != nil {
			return nil, err
		}
		n.trials, n.read, n.Warnings = t, next, warnings
	}
	n.trialsOnce.Do(func() {})
	if err := n.loadComparison(); err != nil {
		return nil, err
	}
	return n, nil
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
	sc, err := from.checker.Scan(f, name, func(e results.Event) error {
		t.Add(e)
		return nil
	})
	if err != nil {
		return nil, sc.Warnings, err // Scan's errors name the journal
	}
	return &journalRead{checker: from.checker, file: fi, whole: from.whole + sc.Whole, again: sc.Unterminated}, sc.Warnings, nil
}
