package s3journal_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

const (
	segmentPrefix    = "runs/iris/journal/"
	checkpointPrefix = "runs/iris/checkpoint/"
	deltaPrefix      = checkpointPrefix + "delta/"
)

// appendCompacted appends trials from..to-1 as appendPairs does, and
// after each waits for the compactor to be idle, so that the
// checkpoints and deltas written are those a writer leaves whose
// background writes keep up with its commits.
func appendCompacted(t testing.TB, j *s3journal.Journal, from, to int) {
	t.Helper()
	for n := from; n < to; n++ {
		if err := j.Append(context.Background(), pair(n)...); err != nil {
			t.Fatalf("Append %d: %v", n, err)
		}
		j.WaitCompaction()
	}
}

func checkpointKey(k int) string { return fmt.Sprintf("%s%020d.jsonl.gz", checkpointPrefix, k) }

func checkpoints(s3 *fakeS3) []string {
	var cps []string
	for _, k := range s3.keys() {
		if strings.HasPrefix(k, checkpointPrefix) && !strings.HasPrefix(k, deltaPrefix) {
			cps = append(cps, k)
		}
	}
	return cps
}

// segmentsOnly reads the study as a reader that ignores checkpoints
// would: from a copy of the bucket without them.
func segmentsOnly(t testing.TB, s3 *fakeS3) []results.Event {
	t.Helper()
	bare := newFakeS3()
	bare.pageSize = 1000
	for _, k := range s3.keys() {
		if !strings.HasPrefix(k, checkpointPrefix) {
			bare.set(k, s3.objects[k].data)
		}
	}
	evs, err := s3journal.Open(bare, study(t)).Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// newestCheckpoint returns the last segment the newest checkpoint
// covers, 0 if there is none.
func newestCheckpoint(t testing.TB, s3 *fakeS3) int {
	t.Helper()
	cps := checkpoints(s3)
	if len(cps) == 0 {
		return 0
	}
	var k int
	if _, err := fmt.Sscanf(strings.TrimPrefix(cps[len(cps)-1], checkpointPrefix), "%d.jsonl.gz", &k); err != nil {
		t.Fatal(err)
	}
	return k
}

// segmentCount returns how many segments the study has.
func segmentCount(s3 *fakeS3) int {
	n := 0
	for _, k := range s3.keys() {
		if strings.HasPrefix(k, segmentPrefix) {
			n++
		}
	}
	return n
}

// TestCheckpointsWritten: with a checkpoint due every 5 segments, the
// writer writes checkpoints as it goes, the first of segments 1..5, each
// holding exactly the journal lines of the segments it covers,
// compressed; Close leaves fewer than 16 segments after the newest; a
// study of fewer than 16 segments has none with the default setting.
func TestCheckpointsWritten(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	s3 := newFakeS3()
	j := create(t, s3)
	appendCompacted(t, j, 0, 60) // segments 1..61
	j.Close()
	cps := checkpoints(s3)
	if len(cps) < 2 || cps[0] != checkpointKey(5) {
		t.Fatalf("checkpoints %v, want the first of segment 5 and more", cps)
	}
	if n, k := segmentCount(s3), newestCheckpoint(t, s3); n-k >= 16 {
		t.Errorf("%d segments, the newest checkpoint covers %d", n, k)
	}
	for _, key := range cps {
		var k int
		fmt.Sscanf(strings.TrimPrefix(key, checkpointPrefix), "%d.jsonl.gz", &k)
		var want []byte
		for seq := 1; seq <= k; seq++ {
			want = append(want, s3.objects[fmt.Sprintf("%s%020d.jsonl", segmentPrefix, seq)].data...)
		}
		zr, err := gzip.NewReader(bytes.NewReader(s3.objects[key].data))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes (%v), segments 1..%d hold %d", key, len(got), err, k, len(want))
		}
	}

	t.Setenv(s3journal.EnvCheckpointSegments, "")
	small := newFakeS3()
	j = create(t, small)
	appendPairs(t, j, 0, 14) // 15 segments
	j.Close()
	if got := checkpoints(small); len(got) != 0 {
		t.Errorf("a 15-segment study has checkpoints %v", got)
	}
}

// TestResumeFromCheckpointAndLaterSegments: a study whose writer stopped
// (its process gone) after a checkpoint and more segments is read by
// Reopen and Open as the checkpoint plus the segments after it, the
// same events as a reader of every segment, and Reopen's appends
// continue at the next segment.
func TestResumeFromCheckpointAndLaterSegments(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	ctx := context.Background()
	s3 := newFakeS3()
	j := create(t, s3)
	appendCompacted(t, j, 0, 20)
	j.Close()
	// A second writer appends 10 segments and stops without a
	// checkpoint or delta of them (fewer than 16, none periodic).
	t.Setenv(s3journal.EnvCheckpointSegments, "1000")
	t.Setenv(s3journal.EnvDeltaSegments, "1000")
	j1, _, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	appendCompacted(t, j1, 20, 30)
	j1.Close()
	n, k := segmentCount(s3), newestCheckpoint(t, s3)
	if n != 31 || k < 5 || n-k < 10 {
		t.Fatalf("%d segments, the newest checkpoint covers %d; want 31 and at least 10 after it", n, k)
	}
	all := segmentsOnly(t, s3)

	before := s3.gets.Load()
	j2, rp, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s3.gets.Load()-before, int64(1+n-k); got != want {
		t.Errorf("Reopen made %d GETs, want %d: the checkpoint and %d segments", got, want, n-k)
	}
	if !reflect.DeepEqual(rp.Events, all) {
		t.Errorf("Reopen read %d events, the segments hold %d", len(rp.Events), len(all))
	}
	evs, err := s3journal.Open(s3, study(t)).Events(ctx)
	if err != nil || !reflect.DeepEqual(evs, all) {
		t.Errorf("Open read %d events (%v), the segments hold %d", len(evs), err, len(all))
	}
	appendPairs(t, j2, 30, 32)
	j2.Close()
	if got := resultNumbers(segmentsOnly(t, s3)); len(got) != 32 || got[31] != 31 {
		t.Errorf("after the resumed appends, results %v", got)
	}
	if _, ok := s3.objects[segmentPrefix+"00000000000000000033.jsonl"]; !ok {
		t.Error("the resumed appends did not continue at segment 32")
	}
}

// TestDamagedCheckpointPassedOver: a checkpoint whose bytes, checksum,
// records or segment number are wrong is passed over for the one before
// it, and with none left for the segments; the events are those of the
// segments.
func TestDamagedCheckpointPassedOver(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	flip := func(s *fakeS3, k string) {
		o := s.objects[k]
		data := append([]byte(nil), o.data...)
		data[len(data)/2] ^= 0xff
		s.objects[k] = fakeObject{data: data, meta: o.meta}
	}
	for _, tc := range []struct {
		name   string
		damage func(*fakeS3, string)
	}{
		{"torn", func(s *fakeS3, k string) {
			o := s.objects[k]
			s.objects[k] = fakeObject{data: o.data[:len(o.data)/2], meta: o.meta}
		}},
		{"a flipped byte", flip},
		{"not gzip", func(s *fakeS3, k string) { s.objects[k] = fakeObject{data: []byte("{}\n"), meta: s.objects[k].meta} }},
		{"no metadata", func(s *fakeS3, k string) { s.objects[k] = fakeObject{data: s.objects[k].data} }},
		{"an older checkpoint under its name", func(s *fakeS3, k string) { s.objects[k] = s.objects[checkpointKey(5)] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s3 := newFakeS3()
			j := create(t, s3)
			appendCompacted(t, j, 0, 30)
			j.Close()
			all := segmentsOnly(t, s3)
			cps := checkpoints(s3)
			if len(cps) < 2 {
				t.Fatalf("checkpoints %v, want two or more; %v", cps, s3.keys())
			}
			tc.damage(s3, cps[len(cps)-1])
			before := s3.gets.Load()
			_, rp, err := s3journal.Reopen(context.Background(), s3, study(t))
			if err != nil || !reflect.DeepEqual(rp.Events, all) {
				t.Fatalf("Reopen: %d events, %v; the segments hold %d", len(rp.Events), err, len(all))
			}
			if got, most := s3.gets.Load()-before, int64(2+segmentCount(s3)); got >= most {
				t.Errorf("Reopen made %d GETs, as many as without a checkpoint", got)
			}
			for _, key := range cps {
				flip(s3, key)
			}
			evs, err := s3journal.Open(s3, study(t)).Events(context.Background())
			if err != nil || !reflect.DeepEqual(evs, all) {
				t.Fatalf("Open with every checkpoint damaged: %d events, %v; the segments hold %d", len(evs), err, len(all))
			}
		})
	}
}

// TestCheckpointWriteFails: checkpoint PUTs that fail, whether or not
// they landed, fail no Append; every reader reads the segments' events.
func TestCheckpointWriteFails(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	for _, landed := range []bool{false, true} {
		t.Run(fmt.Sprintf("landed=%v", landed), func(t *testing.T) {
			s3 := newFakeS3()
			s3.beforePut = func(key string) (error, bool) {
				if strings.HasPrefix(key, checkpointPrefix) {
					return apiError(500, "InternalError"), landed
				}
				return nil, false
			}
			j := create(t, s3)
			appendCompacted(t, j, 0, 30)
			j.Close()
			if got := len(checkpoints(s3)) > 0; got != landed {
				t.Errorf("checkpoints %v", checkpoints(s3))
			}
			s3.beforePut = nil
			_, rp, err := s3journal.Reopen(context.Background(), s3, study(t))
			if all := segmentsOnly(t, s3); err != nil || !reflect.DeepEqual(rp.Events, all) {
				t.Errorf("Reopen: %d events, %v; the segments hold %d", len(rp.Events), err, len(all))
			}
		})
	}
}

// TestCloseCancelsCheckpoint: Close does not wait for a background
// checkpoint write that hangs (S3 gone quiet): it cancels it, and the
// journal's Appends have all succeeded.
func TestCloseCancelsCheckpoint(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	s3 := newFakeS3()
	s3.hold = func(ctx context.Context, key string) error {
		if strings.HasPrefix(key, checkpointPrefix) {
			<-ctx.Done() // until cancelled; the test's timeout guards a hang
			return ctx.Err()
		}
		return nil
	}
	j := create(t, s3)
	appendPairs(t, j, 0, 8) // the checkpoint of 5 hangs
	j.Close()
	if got := checkpoints(s3); len(got) != 0 {
		t.Errorf("checkpoints %v", got)
	}
}

// TestCheckpointOnlyOfCommittedSegments: a writer whose commit failed
// (its segment's fate unknown) writes no checkpoint at Close, and no
// checkpoint ever covers a segment that was not acknowledged.
func TestCheckpointOnlyOfCommittedSegments(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100")
	s3 := newFakeS3()
	s3.beforePut = func(key string) (error, bool) {
		if key == segmentPrefix+"00000000000000000020.jsonl" {
			return apiError(500, "InternalError"), true // landed, answer lost
		}
		return nil, false
	}
	j := create(t, s3)
	appendPairs(t, j, 0, 18) // segments to 19
	if err := j.Append(context.Background(), pair(18)...); err == nil {
		t.Fatal("the Append of segment 20 succeeded")
	}
	j.Close()
	if got := checkpoints(s3); len(got) != 0 {
		t.Errorf("a broken writer wrote checkpoints %v", got)
	}
}

// TestCheckpointGap: a checkpoint does not hide a gap after it: a
// missing segment after the checkpoint is an error naming it.
func TestCheckpointGap(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	s3 := newFakeS3()
	j := create(t, s3)
	appendCompacted(t, j, 0, 8) // checkpoint 5, segments to 9
	j.Close()
	s3.DeleteObject(context.Background(), deleteInput(segmentPrefix+"00000000000000000007.jsonl"))
	_, _, err := s3journal.Reopen(context.Background(), s3, study(t))
	if !errors.Is(err, results.ErrCorrupt) || !strings.Contains(err.Error(), "00000000000000000007.jsonl is missing") {
		t.Errorf("Reopen = %v, want segment 7 missing", err)
	}
}

// TestBadCheckpointSetting: a setting that is not a number of segments
// is bad input naming the variable.
func TestBadCheckpointSetting(t *testing.T) {
	for _, v := range []string{"0", "-1", "ten"} {
		t.Setenv(s3journal.EnvCheckpointSegments, v)
		_, err := s3journal.Create(context.Background(), newFakeS3(), study(t), nil, nil)
		if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), s3journal.EnvCheckpointSegments) {
			t.Errorf("%s=%q: Create = %v", s3journal.EnvCheckpointSegments, v, err)
		}
	}
}

// TestReadRequestsBounded: a 3,000-trial study written with the default
// setting, with parallel Appends gathered into segments as a scheduler's
// are, is read back by Reopen in at most 20 requests.
func TestReadRequestsBounded(t *testing.T) {
	s3 := newFakeS3()
	s3.pageSize = 1000
	j := create(t, s3)
	appendCompacted(t, j, 0, 3000)
	j.Close()
	before := s3.requests()
	_, rp, err := s3journal.Reopen(context.Background(), s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := s3.requests() - before; got > 20 {
		t.Errorf("Reopen of %d segments made %d requests, want at most 20", len(resultNumbers(rp.Events)), got)
	}
	if got := resultNumbers(rp.Events); len(got) != 3000 {
		t.Errorf("%d results", len(got))
	}
}
