package s3journal_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// scanned is what ReopenScan gave a function: the events since its last
// reset, and how many resets.
type scanned struct {
	events []results.Event
	resets int
}

func (s *scanned) add(e results.Event) error { s.events = append(s.events, e); return nil }
func (s *scanned) reset()                    { s.events = nil; s.resets++ }

// TestReopenScanIsReopen: ReopenScan hands its function, in order, the
// events Reopen returns (the segments' events), for a study read from
// its segments, through a checkpoint, and through a killed writer's
// deltas; the journal it opens then Scans the same events, as does a
// read-only one, and appends as Reopen's does. No reset is called when
// nothing was damaged.
func TestReopenScanIsReopen(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "40")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	for _, tc := range []struct {
		name   string
		trials int
		close  bool
	}{
		{"segments", 10, true},
		{"checkpoint", 100, true},
		{"killed writer's deltas", 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s3 := newFakeS3()
			s3.pageSize = 1000
			j := create(t, s3)
			appendCompacted(t, j, 0, tc.trials)
			if tc.close {
				j.Close()
			}
			want := segmentsOnly(t, s3)
			var got scanned
			rj, err := s3journal.ReopenScan(ctx, s3, study(t), got.add, got.reset)
			if err != nil {
				t.Fatal(err)
			}
			defer rj.Close()
			if !reflect.DeepEqual(got.events, want) || got.resets != 0 {
				t.Fatalf("ReopenScan gave %d events after %d resets, the segments hold %d", len(got.events), got.resets, len(want))
			}
			assertScans(t, rj, want)
			assertScans(t, s3journal.Open(s3, study(t)), want)
			if err := rj.Append(ctx, pair(tc.trials)...); err != nil {
				t.Fatal(err)
			}
			assertScans(t, rj, append(want, pair(tc.trials)...))
		})
	}
}

// assertScans checks that j.Scan gives want, and that an error from its
// function stops it and is returned as it is.
func assertScans(t *testing.T, j *s3journal.Journal, want []results.Event) {
	t.Helper()
	var got []results.Event
	if _, err := j.Scan(context.Background(), func(e results.Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("Scan gave %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Type != want[i].Type || !reflect.DeepEqual(got[i].Trial, want[i].Trial) || !reflect.DeepEqual(got[i].Result, want[i].Result) {
			t.Fatalf("Scan's event %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	stop := errors.New("stop")
	n := 0
	if _, err := j.Scan(context.Background(), func(results.Event) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Scan with a function that fails: %v after %d events; want its error after 1", err, n)
	}
}

// TestReopenScanResetsOnDamagedDelta: a delta whose checksum and
// metadata are right but whose last record contradicts the journal (so
// that the read finds it damaged only after handing on the events
// before that record) is planned around: the function is reset once and
// then given the segments' events from the first, once each.
func TestReopenScanResetsOnDamagedDelta(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100000")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	s3 := newFakeS3()
	s3.pageSize = 1000
	appendCompacted(t, create(t, s3), 0, 200) // abandoned: no Close
	want := segmentsOnly(t, s3)
	ds := deltas(s3)
	if len(ds) < 2 {
		t.Fatalf("deltas %v, want 2 or more", ds)
	}
	d := ds[1]
	zr, err := gzip.NewReader(bytes.NewReader(s3.objects[d.key].data))
	if err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	if _, err := lines.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	lines.Write(encode(t, forgedResult(0))) // trial 0 has its result already
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(lines.Bytes())
	zw.Close()
	sum := sha256.Sum256(body.Bytes())
	s3.objects[d.key] = fakeObject{data: body.Bytes(), meta: map[string]string{
		"hpsearch-from": strconv.Itoa(d.from), "hpsearch-segments": strconv.Itoa(d.to),
		"hpsearch-body-sha256": hex.EncodeToString(sum[:]),
	}}

	var got scanned
	j, err := s3journal.ReopenScan(context.Background(), s3, study(t), got.add, got.reset)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if got.resets != 1 || !reflect.DeepEqual(got.events, want) {
		t.Fatalf("ReopenScan: %d resets, then %d events; want 1 reset, then the segments' %d", got.resets, len(got.events), len(want))
	}
}

// TestReopenScanStopsAtItsFunctionsError: an error from the function
// stops the read, before anything is opened for appending, and is
// returned as it is, not taken for damage.
func TestReopenScanStopsAtItsFunctionsError(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "40")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	s3 := newFakeS3()
	s3.pageSize = 1000
	appendCompacted(t, create(t, s3), 0, 100)
	stop := errors.New("stop")
	for _, at := range []int{1, 150} { // in the checkpoint, in a delta
		n, resets := 0, 0
		j, err := s3journal.ReopenScan(context.Background(), s3, study(t), func(results.Event) error {
			if n++; n == at {
				return stop
			}
			return nil
		}, func() { resets++ })
		if err != stop || j != nil || n != at || resets != 0 {
			t.Errorf("stopped at event %d: journal %v, %v after %d events and %d resets; want no journal, the function's error after %d, no reset",
				at, j, err, n, resets, at)
		}
	}
}

// TestScanKeepsNothing: Scan, for a reader that will not append, hands
// its function the segments' events through a checkpoint it decodes as
// it decompresses; a checkpoint whose checksum is found wrong only once
// its events went out resets the function, which then gets the
// segments' events once each.
func TestScanKeepsNothing(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "40")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	s3 := newFakeS3()
	s3.pageSize = 1000
	j := create(t, s3)
	appendCompacted(t, j, 0, 100)
	j.Close()
	want := segmentsOnly(t, s3)
	var got scanned
	if err := s3journal.Scan(context.Background(), s3, study(t), got.add, got.reset); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.events, want) || got.resets != 0 {
		t.Fatalf("Scan gave %d events after %d resets, the segments hold %d", len(got.events), got.resets, len(want))
	}

	k := newestCheckpoint(t, s3)
	if k == 0 {
		t.Fatal("no checkpoint written")
	}
	key := checkpointKey(k)
	o := s3.objects[key]
	meta := map[string]string{}
	for name, v := range o.meta {
		meta[name] = v
	}
	meta["hpsearch-sha256"] = hex.EncodeToString(make([]byte, 32))
	s3.objects[key] = fakeObject{data: o.data, meta: meta}
	got = scanned{}
	if err := s3journal.Scan(context.Background(), s3, study(t), got.add, got.reset); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.events, want) || got.resets != 1 {
		t.Fatalf("with a wrong checksum, Scan gave %d events after %d resets; want the segments' %d after 1", len(got.events), got.resets, len(want))
	}
	if err := s3journal.Scan(context.Background(), s3, s3journal.Location{Bucket: "bucket", Key: "runs/none"}, got.add, nil); err == nil {
		t.Error("Scan of a location without a study: no error")
	}
}
