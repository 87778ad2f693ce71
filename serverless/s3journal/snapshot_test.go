package s3journal_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// snapshotAndReopen reads the study with ScanSnapshot and then reopens it
// from the snapshot, checking that each hands its function the events
// want, with no reset; it returns the journal and the requests each made.
func snapshotAndReopen(t *testing.T, s3 *fakeS3, want []results.Event) (j *s3journal.Journal, scan, reopen int64) {
	t.Helper()
	ctx := context.Background()
	before := s3.requests()
	var peeked scanned
	snap, err := s3journal.ScanSnapshot(ctx, s3, study(t), peeked.add, peeked.reset)
	if err != nil {
		t.Fatal(err)
	}
	scan = s3.requests() - before
	if !reflect.DeepEqual(peeked.events, want) || peeked.resets != 0 {
		t.Fatalf("ScanSnapshot gave %d events after %d resets, want %d after none", len(peeked.events), peeked.resets, len(want))
	}
	before = s3.requests()
	var got scanned
	if j, err = snap.Reopen(ctx, got.add, got.reset); err != nil {
		t.Fatal(err)
	}
	reopen = s3.requests() - before
	if !reflect.DeepEqual(got.events, want) || got.resets != 0 {
		t.Fatalf("Reopen gave %d events after %d resets, want %d after none", len(got.events), got.resets, len(want))
	}
	return j, scan, reopen
}

// TestSnapshotReadsTheJournalOnce: a journal read with ScanSnapshot and
// then reopened from the snapshot is read from S3 once: ScanSnapshot
// makes the requests Scan makes, and Reopen one LIST (of the segments
// after those read: none were appended). So for a study read through
// its segments, a checkpoint, or a checkpoint, a killed writer's deltas
// and the segments after them; the journal opened scans and appends as
// ReopenScan's does.
func TestSnapshotReadsTheJournalOnce(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "40")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	for _, tc := range []struct {
		name   string
		trials int
		close  bool
	}{
		{"segments", 10, true},
		{"checkpoint", 100, true},
		{"checkpoint, deltas and segments of a killed writer", 103, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s3 := newFakeS3()
			s3.pageSize = 1000
			w := create(t, s3)
			appendCompacted(t, w, 0, tc.trials)
			if tc.close {
				w.Close()
			}
			if !tc.close && (len(checkpoints(s3)) == 0 || len(deltas(s3)) == 0) {
				t.Fatalf("checkpoints %v, deltas %v: want both", checkpoints(s3), deltas(s3))
			}
			want := segmentsOnly(t, s3)
			before := s3.requests()
			if err := s3journal.Scan(ctx, s3, study(t), func(results.Event) error { return nil }, nil); err != nil {
				t.Fatal(err)
			}
			one := s3.requests() - before

			j, scan, reopen := snapshotAndReopen(t, s3, want)
			defer j.Close()
			if scan != one || reopen != 1 {
				t.Errorf("ScanSnapshot made %d requests and Reopen %d; want Scan's %d and 1", scan, reopen, one)
			}
			t.Logf("%d segments: ScanSnapshot %d requests, Reopen %d", segmentCount(s3), scan, reopen)
			assertScans(t, j, want)
			if err := j.Append(ctx, pair(tc.trials)...); err != nil {
				t.Fatal(err)
			}
			assertScans(t, j, append(want, pair(tc.trials)...))
		})
	}
}

// TestSnapshotResumeRequestsBounded: with the default settings, a study
// whose writer was abandoned (no Close: a checkpoint, deltas and the
// segments after them) is read by ScanSnapshot in at most 20 requests
// and reopened from it in one more, whatever the number of trials.
func TestSnapshotResumeRequestsBounded(t *testing.T) {
	for _, trials := range []int{300, 3000} {
		s3 := newFakeS3()
		s3.pageSize = 1000
		appendCompacted(t, create(t, s3), 0, trials)
		want := segmentsOnly(t, s3)
		j, scan, reopen := snapshotAndReopen(t, s3, want)
		j.Close()
		t.Logf("%d trials in %d segments (checkpoints %d, deltas %d): ScanSnapshot %d requests, Reopen %d",
			trials, segmentCount(s3), len(checkpoints(s3)), len(deltas(s3)), scan, reopen)
		if scan > 20 || reopen != 1 {
			t.Errorf("%d trials: ScanSnapshot made %d requests and Reopen %d; want at most 20 and 1", trials, scan, reopen)
		}
	}
}

// TestSnapshotReopenSeesWhatWasAppendedSince: segments another writer
// appends between ScanSnapshot and Reopen are read by Reopen (one LIST
// and a GET each), so the journal it opens continues after them, as
// ReopenScan's would; and the single-writer guarantee stands: once the
// other writer appends again, the reopened journal's Append is refused
// with a *ConflictError, and writes nothing.
func TestSnapshotReopenSeesWhatWasAppendedSince(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "40")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	ctx := context.Background()
	s3 := newFakeS3()
	s3.pageSize = 1000
	appendCompacted(t, create(t, s3), 0, 103) // abandoned
	snap, err := s3journal.ScanSnapshot(ctx, s3, study(t), func(results.Event) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	appendCompacted(t, other, 103, 106)
	want := segmentsOnly(t, s3)

	before := s3.requests()
	var got scanned
	j, err := snap.Reopen(ctx, got.add, got.reset)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if n := s3.requests() - before; n != 4 {
		t.Errorf("Reopen after 3 segments were appended made %d requests, want a LIST and 3 GETs", n)
	}
	if !reflect.DeepEqual(got.events, want) || got.resets != 0 {
		t.Fatalf("Reopen gave %d events after %d resets, the segments hold %d", len(got.events), got.resets, len(want))
	}
	assertScans(t, j, want)

	appendCompacted(t, other, 106, 107)
	segments := segmentCount(s3)
	err = j.Append(ctx, pair(200)...)
	var conflict *s3journal.ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, results.ErrLocked) {
		t.Fatalf("Append after another writer's: %v, want a *ConflictError", err)
	}
	if segmentCount(s3) != segments {
		t.Errorf("the refused writer wrote %d segments", segmentCount(s3)-segments)
	}
	other.Close()
}

// TestSnapshotOfDamagedDelta: a snapshot taken through a damaged delta
// (its function reset once) keeps what the read settled on: Reopen
// hands on the segments' events once, without a reset, in one request.
func TestSnapshotOfDamagedDelta(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100000")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	s3 := newFakeS3()
	s3.pageSize = 1000
	appendCompacted(t, create(t, s3), 0, 200) // abandoned: no Close
	ds := deltas(s3)
	if len(ds) < 2 {
		t.Fatalf("deltas %v, want 2 or more", ds)
	}
	o := s3.objects[ds[1].key]
	meta := map[string]string{}
	for k, v := range o.meta {
		meta[k] = v
	}
	meta["hpsearch-body-sha256"] = "00"
	s3.objects[ds[1].key] = fakeObject{data: o.data, meta: meta}
	want := segmentsOnly(t, s3)

	ctx := context.Background()
	var peeked scanned
	snap, err := s3journal.ScanSnapshot(ctx, s3, study(t), peeked.add, peeked.reset)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(peeked.events, want) {
		t.Fatalf("ScanSnapshot gave %d events, the segments hold %d", len(peeked.events), len(want))
	}
	before := s3.requests()
	var got scanned
	j, err := snap.Reopen(ctx, got.add, got.reset)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if n := s3.requests() - before; n != 1 || got.resets != 0 || !reflect.DeepEqual(got.events, want) {
		t.Errorf("Reopen: %d requests, %d resets, %d events; want 1, none and the segments' %d", n, got.resets, len(got.events), len(want))
	}
}
