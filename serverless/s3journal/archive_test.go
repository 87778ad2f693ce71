package s3journal_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// segmentLines returns the journal lines of segments 1..k as stored.
func segmentLines(s3 *fakeS3, k int) []byte {
	var lines []byte
	for seq := 1; seq <= k; seq++ {
		lines = append(lines, s3.objects[fmt.Sprintf("%s%020d.jsonl", segmentPrefix, seq)].data...)
	}
	return lines
}

// checkCheckpoint fails t unless the checkpoint at key reads, with one
// gzip reader as a reader of any version does, as the lines of the
// segments it covers, and its metadata has their SHA-256 and its last
// segment.
func checkCheckpoint(t testing.TB, s3 *fakeS3, key string) {
	t.Helper()
	var k int
	fmt.Sscanf(key[len(checkpointPrefix):], "%d.jsonl.gz", &k)
	o := s3.objects[key]
	zr, err := gzip.NewReader(bytes.NewReader(o.data))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	got, err := io.ReadAll(zr)
	want := segmentLines(s3, k)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes (%v), segments 1..%d hold %d", key, len(got), err, k, len(want))
	}
	sum := sha256.Sum256(want)
	if o.meta["hpsearch-sha256"] != hex.EncodeToString(sum[:]) || o.meta["hpsearch-segments"] != strconv.Itoa(k) {
		t.Fatalf("%s: metadata %v, want the SHA-256 %x and segments %d", key, o.meta, sum, k)
	}
}

// TestCheckpointExtendsTheNewest: a writer keeps its newest checkpoint
// compressed rather than the journal's lines, so each checkpoint it
// writes is the one before it, byte for byte, followed by the lines
// committed since; each still reads, with one gzip reader, as the lines
// of the segments it covers, with their SHA-256 in its metadata. The
// writer's events, before Close and after, are those of the segments.
func TestCheckpointExtendsTheNewest(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	s3 := newFakeS3()
	s3.pageSize = 1000
	j := create(t, s3)
	appendCompacted(t, j, 0, 40)
	evs, err := j.Events(context.Background())
	if want := segmentsOnly(t, s3); err != nil || !reflect.DeepEqual(evs, want) {
		t.Fatalf("the writer's events: %d (%v), the segments hold %d", len(evs), err, len(want))
	}
	j.Close()
	evs, err = j.Events(context.Background())
	if want := segmentsOnly(t, s3); err != nil || !reflect.DeepEqual(evs, want) {
		t.Fatalf("the closed writer's events: %d (%v), the segments hold %d", len(evs), err, len(want))
	}
	cps := checkpoints(s3)
	if len(cps) < 3 {
		t.Fatalf("checkpoints %v, want three or more", cps)
	}
	for i, key := range cps {
		checkCheckpoint(t, s3, key)
		if i > 0 && !bytes.HasPrefix(s3.objects[key].data, s3.objects[cps[i-1]].data) {
			t.Errorf("%s does not start with the bytes of %s", key, cps[i-1])
		}
	}
}

// TestReopenExtendsAnOlderCheckpoint: a checkpoint as versions before
// this one wrote it (one gzip member of all its lines) is read, and a
// writer that reopens the study from it writes its next checkpoint as
// that checkpoint's bytes followed by the lines after them; readers of
// the study and the reopened writer's events are the segments'.
func TestReopenExtendsAnOlderCheckpoint(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "1000")
	t.Setenv(s3journal.EnvDeltaSegments, "1000")
	ctx := context.Background()
	s3 := newFakeS3()
	s3.pageSize = 1000
	j := create(t, s3)
	appendPairs(t, j, 0, 29) // segments 1..30; the killed writer leaves no checkpoint
	j.WaitCompaction()
	if cps := checkpoints(s3); len(cps) != 0 {
		t.Fatalf("checkpoints %v before the old one is made", cps)
	}
	old := segmentLines(s3, 20)
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(old)
	zw.Close()
	sum := sha256.Sum256(old)
	s3.objects[checkpointKey(20)] = fakeObject{data: body.Bytes(), meta: map[string]string{
		"hpsearch-sha256": hex.EncodeToString(sum[:]), "hpsearch-segments": "20",
	}}

	t.Setenv(s3journal.EnvCheckpointSegments, "5")
	before := s3.gets.Load()
	j2, rp, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := segmentsOnly(t, s3); !reflect.DeepEqual(rp.Events, want) {
		t.Fatalf("Reopen read %d events, the segments hold %d", len(rp.Events), len(want))
	}
	if got := s3.gets.Load() - before; got != 11 {
		t.Errorf("Reopen made %d GETs, want 11: the checkpoint and segments 21..30", got)
	}
	appendCompacted(t, j2, 29, 40)
	evs, err := j2.Events(ctx)
	if want := segmentsOnly(t, s3); err != nil || !reflect.DeepEqual(evs, want) {
		t.Fatalf("the reopened writer's events: %d (%v), the segments hold %d", len(evs), err, len(want))
	}
	j2.Close()
	cps := checkpoints(s3)
	if len(cps) < 2 || cps[0] != checkpointKey(20) {
		t.Fatalf("checkpoints %v, want the old one of 20 and newer", cps)
	}
	for _, key := range cps[1:] {
		checkCheckpoint(t, s3, key)
		if !bytes.HasPrefix(s3.objects[key].data, body.Bytes()) {
			t.Errorf("%s does not start with the bytes of the checkpoint it extends", key)
		}
	}
	evs, err = s3journal.Open(s3, study(t)).Events(ctx)
	if want := segmentsOnly(t, s3); err != nil || !reflect.DeepEqual(evs, want) {
		t.Fatalf("Open read %d events (%v), the segments hold %d", len(evs), err, len(want))
	}
}

// BenchmarkWriterMemory writes a study of b.N segments, a trial each,
// with the default settings to the in-memory S3, and reports the heap
// that its writer holds, and then that a writer which reopens the study
// (its first writer killed: no Close) holds, for each byte of the
// journal: what a writer keeps to write its checkpoints and answer
// Events.
//
//	go test ./serverless/s3journal -run '^$' -bench WriterMemory -benchtime 100000x
func BenchmarkWriterMemory(b *testing.B) {
	s3 := newFakeS3()
	s3.pageSize = 1000
	j := create(b, s3)
	for n := range b.N {
		if err := j.Append(context.Background(), pair(n)...); err != nil {
			b.Fatal(err)
		}
	}
	j.WaitCompaction()
	journal := float64(len(segmentLines(s3, b.N+1)))
	held := heldBy(func() { j = nil })
	b.ReportMetric(held/journal, "writer-bytes/journal-byte")

	var events int
	r, err := s3journal.ReopenScan(context.Background(), s3, study(b), func(results.Event) error { events++; return nil }, nil)
	if err != nil || r == nil || events != 2*b.N+1 {
		b.Fatalf("ReopenScan: %d events, %v", events, err)
	}
	held = heldBy(func() { r = nil })
	b.ReportMetric(held/journal, "reopened-bytes/journal-byte")
	runtime.KeepAlive(s3) // what it stores is not the writers'
}

// heldBy returns how many bytes of the heap drop frees. Each count
// follows two collections, so that what sync.Pools held goes in the
// first.
func heldBy(drop func()) float64 {
	var with, without runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&with)
	drop()
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&without)
	return float64(with.HeapAlloc) - float64(without.HeapAlloc)
}
