package s3journal_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// delta is a delta object's key and the segments it covers.
type delta struct {
	key      string
	from, to int
}

func deltas(s3 *fakeS3) []delta {
	var ds []delta
	for _, k := range s3.keys() {
		if d, ok := strings.CutPrefix(k, deltaPrefix); ok {
			var from, to int
			if _, err := fmt.Sscanf(d, "%d-%d.jsonl.gz", &from, &to); err == nil {
				ds = append(ds, delta{k, from, to})
			}
		}
	}
	return ds
}

// appendUntilKilled appends trials from..to-1, waiting for the compactor
// after each, until an Append fails because the writer was killed; it
// returns the trials appended.
func appendUntilKilled(t testing.TB, j *s3journal.Journal, from, to int) int {
	t.Helper()
	for n := from; n < to; n++ {
		if err := j.Append(context.Background(), pair(n)...); err != nil {
			if !errors.Is(err, errKilled) {
				t.Fatalf("Append %d: %v", n, err)
			}
			return n
		}
		j.WaitCompaction()
	}
	return to
}

// readKilled checks what Reopen reads of a study whose writer was
// killed: the events of its segments alone, in at most most requests;
// it returns the number of results read.
func readKilled(t *testing.T, s3 *fakeS3, most int64) int {
	t.Helper()
	all := segmentsOnly(t, s3)
	before := s3.requests()
	_, rp, err := s3journal.Reopen(context.Background(), s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	got := s3.requests() - before
	if !reflect.DeepEqual(rp.Events, all) {
		t.Fatalf("Reopen read %d events, the segments hold %d", len(rp.Events), len(all))
	}
	if got > most {
		t.Errorf("Reopen of %d segments made %d requests, want at most %d (checkpoints %v, deltas %v)",
			segmentCount(s3), got, most, checkpoints(s3), deltas(s3))
	}
	t.Logf("%d segments: %d requests", segmentCount(s3), got)
	return len(resultNumbers(rp.Events))
}

// TestKilledWriterReadBounded: a writer killed at an arbitrary PUT (a
// segment's, a checkpoint's or a delta's, so also between a merged
// delta and the deletes of the deltas it merged) leaves a study that
// Reopen reads as its segments alone do, in at most 20 requests with the
// default settings; a writer reopened from it continues its deltas, so
// the same holds when that one is killed too.
func TestKilledWriterReadBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 4))
	for round := range 4 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			s3 := newFakeS3()
			s3.pageSize = 1000
			s3.killAfter = 1000 + rng.Int64N(2500)
			appendUntilKilled(t, create(t, s3), 0, 6000)
			n := readKilled(t, s3, 20) // with the one whose answer was lost, if it landed

			s3.killed.Store(false)
			s3.killAfter = s3.puts.Load() + 200 + rng.Int64N(1000)
			j, _, err := s3journal.Reopen(context.Background(), s3, study(t))
			if err != nil {
				t.Fatal(err)
			}
			appendUntilKilled(t, j, n, n+3000)
			readKilled(t, s3, 20)
		})
	}
}

// TestDeltaStack: with no checkpoint due, a writer's deltas are a stack
// from segment 1, each longer than the one above it, about log2 of the
// journal in number, each holding the journal lines of its segments
// compressed; deltas start only past the segments Close would leave
// without a checkpoint.
func TestDeltaStack(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100000")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	s3 := newFakeS3()
	j := create(t, s3)
	appendCompacted(t, j, 0, 15) // 16 segments
	if ds := deltas(s3); len(ds) != 0 {
		t.Fatalf("16 segments have deltas %v", ds)
	}
	appendCompacted(t, j, 15, 400)
	ds := deltas(s3)
	if len(ds) == 0 || len(ds) > 8 {
		t.Fatalf("401 segments: deltas %v, want 1 to 8", ds)
	}
	next := 1
	for i, d := range ds {
		if d.from != next || (i > 0 && d.to-d.from >= ds[i-1].to-ds[i-1].from) {
			t.Errorf("deltas %v: not a stack from segment 1, each shorter than the one before", ds)
		}
		next = d.to + 1
		var want []byte
		for seq := d.from; seq <= d.to; seq++ {
			want = append(want, s3.objects[fmt.Sprintf("%s%020d.jsonl", segmentPrefix, seq)].data...)
		}
		zr, err := gzip.NewReader(bytes.NewReader(s3.objects[d.key].data))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes (%v), segments %d..%d hold %d", d.key, len(got), err, d.from, d.to, len(want))
		}
	}
	if segments := segmentCount(s3); segments-next+1 >= 4 {
		t.Errorf("%d segments after the deltas, want fewer than 4", segments-next+1)
	}
}

// TestDamagedDeltaPlannedAround: a delta whose bytes, checksum or
// metadata are wrong, or that is listed but gone (deleted by a writer
// that merged it after the reader listed), is planned around: the read
// takes the segments it covered, or smaller deltas, and gives the
// events of the segments alone, in fewer requests than they take.
func TestDamagedDeltaPlannedAround(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100000")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	for _, tc := range []struct {
		name   string
		damage func(*fakeS3, string)
	}{
		{"torn", func(s *fakeS3, k string) {
			o := s.objects[k]
			s.objects[k] = fakeObject{data: o.data[:len(o.data)/2], meta: o.meta}
		}},
		{"a flipped byte", func(s *fakeS3, k string) {
			o := s.objects[k]
			data := append([]byte(nil), o.data...)
			data[len(data)/2] ^= 0xff
			s.objects[k] = fakeObject{data: data, meta: o.meta}
		}},
		{"no metadata", func(s *fakeS3, k string) { s.objects[k] = fakeObject{data: s.objects[k].data} }},
		{"another delta under its name", func(s *fakeS3, k string) {
			ds := deltas(s)
			s.objects[k] = s.objects[ds[len(ds)-1].key]
		}},
		{"gone", func(s *fakeS3, k string) {
			delete(s.objects, k)
			s.listExtra = append(s.listExtra, k)
		}},
	} {
		for _, which := range []string{"first", "second"} {
			t.Run(tc.name+"/"+which, func(t *testing.T) {
				s3 := newFakeS3()
				s3.pageSize = 1000
				appendCompacted(t, create(t, s3), 0, 200) // abandoned: no Close
				ds := deltas(s3)
				if len(ds) < 3 {
					t.Fatalf("deltas %v, want 3 or more", ds)
				}
				d := ds[0]
				if which == "second" {
					d = ds[1]
				}
				tc.damage(s3, d.key)
				readKilled(t, s3, int64(segmentCount(s3)-(ds[len(ds)-1].to-ds[0].from+1)+(d.to-d.from+1)+len(ds)+4))
			})
		}
	}
}

// TestDeltasWhileCheckpointWrites: deltas keep up with the commits while
// a checkpoint is being written (here one that never finishes: the
// writer is killed during it), so a killed writer's study is read in a
// dozen requests all the same, from the older checkpoint's stack.
func TestDeltasWhileCheckpointWrites(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "100")
	t.Setenv(s3journal.EnvDeltaSegments, "4")
	s3 := newFakeS3()
	s3.pageSize = 1000
	release := make(chan struct{})
	s3.hold = func(ctx context.Context, key string) error {
		if strings.HasPrefix(key, checkpointPrefix) && !strings.HasPrefix(key, deltaPrefix) && key != checkpointKey(100) {
			select {
			case <-release:
				return errKilled
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	j := create(t, s3)
	for n := range 600 {
		if err := j.Append(context.Background(), pair(n)...); err != nil {
			t.Fatal(err)
		}
		j.WaitDeltas()
	}
	// The checkpoint of segment 100 is written in the background and
	// nothing holds it: wait for it before the kill, which would fail
	// its PUT on a machine too busy to have run it yet.
	for deadline := time.Now().Add(time.Minute); len(checkpoints(s3)) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s3.killed.Store(true)
	close(release)
	j.WaitCompaction()
	if cps := checkpoints(s3); len(cps) != 1 {
		t.Fatalf("checkpoints %v, want only that of segment 100", cps)
	}
	readKilled(t, s3, 14)
}

// BenchmarkWriteAmplification writes a study of b.N segments, a trial
// each, with the default settings to the in-memory S3, closes it, and
// reports the bytes the checkpoints and deltas stored for each byte of
// the segments (the journal), and the delta PUTs and DELETEs a segment.
//
//	go test ./serverless/s3journal -run '^$' -bench WriteAmplification -benchtime 100000x
func BenchmarkWriteAmplification(b *testing.B) {
	s3 := newFakeS3()
	s3.pageSize = 1000
	j := create(b, s3)
	for n := range b.N {
		if err := j.Append(context.Background(), pair(n)...); err != nil {
			b.Fatal(err)
		}
	}
	j.Close()
	s3.mu.Lock()
	defer s3.mu.Unlock()
	segments := float64(s3.written["segment"])
	b.ReportMetric(float64(s3.written["checkpoint"])/segments, "checkpoint-bytes/journal-byte")
	b.ReportMetric(float64(s3.written["delta"])/segments, "delta-bytes/journal-byte")
	b.ReportMetric(float64(s3.deletes.Load())/float64(b.N), "deletes/segment")
	b.ReportMetric(float64(s3.puts.Load())/float64(b.N), "puts/segment")
}
