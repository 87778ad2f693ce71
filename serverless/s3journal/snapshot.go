package s3journal

import (
	"context"

	"github.com/hpsearch/hpsearch/results"
)

// Snapshot is a study's journal as one read fetched it from S3: the
// compressed checkpoint, the deltas and the segments that read decoded,
// not their events. It lets a resume read the journal to decide what to
// do (a study with nothing left to run is only reported) and then reopen
// it to append, reading it from S3 once: ScanSnapshot, then Reopen. It
// holds about what a writer that reopens the journal holds (the newest
// checkpoint's bytes, which are a few MB for a 100,000-trial study, and
// the deltas and segments after it), and shares those bytes with the
// Journal that Reopen opens.
//
// A Snapshot is not safe for concurrent use.
type Snapshot struct {
	r *reader
}

// ScanSnapshot reads the journal of the study at study as Scan does,
// handing fn its events in order (reset and the errors are as for
// ReopenScan), and returns what it fetched.
func ScanSnapshot(ctx context.Context, api API, study Location, fn func(results.Event) error, reset func()) (*Snapshot, error) {
	r := newReader(api, study)
	r.keep = true
	out := &sink{fn: fn, reset: reset, dropBytes: true, reader: r}
	if _, err := readStudyJournal(ctx, api, study, out); err != nil {
		return nil, err
	}
	return &Snapshot{r: r}, nil
}

// Reopen opens the journal for appending as ReopenScan does, handing fn
// its events again (reset and the errors are as for ReopenScan), but
// from what s holds: a checkpoint, delta or segment is never rewritten,
// so the objects s read still hold what S3 holds under their keys. It
// lists the segments after those s read (one LIST, as every read lists
// them) and reads only those another writer appended since: the journal
// it opens ends where S3's does, as ReopenScan's would, and a journal
// nobody wrote to since s was read is reopened in that one request. The
// single-writer guarantee is the Journal's, as for ReopenScan: if a
// writer appends after this read, this Journal's next commit is refused.
//
// Reopen hands s's bytes to the Journal: a second Reopen of s reads the
// journal from S3 as ReopenScan does.
func (s *Snapshot) Reopen(ctx context.Context, fn func(results.Event) error, reset func()) (*Journal, error) {
	r := s.r
	s.r = newReader(r.api, r.study)
	return reopen(ctx, r.api, r.study, &sink{fn: fn, reset: reset, reader: r})
}
