package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// countingS3 counts the GETs and LISTs made through it and, with
// hideCheckpoints, lists no checkpoint: a reader that ignores them.
type countingS3 struct {
	s3journal.API
	gets, lists     atomic.Int64
	hideCheckpoints bool
}

func (c *countingS3) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	c.gets.Add(1)
	return c.API.GetObject(ctx, in, opts...)
}

func (c *countingS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	c.lists.Add(1)
	if c.hideCheckpoints && (strings.HasSuffix(aws.ToString(in.Prefix), "/checkpoint/") || strings.HasSuffix(aws.ToString(in.Prefix), "/delta/")) {
		return &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}, nil
	}
	return c.API.ListObjectsV2(ctx, in, opts...)
}

func (c *countingS3) requests() int64 { return c.gets.Load() + c.lists.Load() }

// killableS3 refuses every write once killed: what S3 holds of a writer
// whose process died (SIGKILL, a lost machine) at that moment, while the
// abandoned Journal's goroutines run on in this process.
type killableS3 struct {
	s3journal.API
	killed atomic.Bool
	// segmentBytes, checkpointBytes and deltaBytes count what the PUTs
	// asked to store, by kind of object; puts and deletes the requests.
	segmentBytes, checkpointBytes, deltaBytes atomic.Int64
	puts, deletes                             atomic.Int64
}

var errKilled = errors.New("killed: the writer's process is gone")

func (k *killableS3) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if k.killed.Load() {
		return nil, errKilled
	}
	k.puts.Add(1)
	switch key := aws.ToString(in.Key); {
	case strings.Contains(key, "/checkpoint/delta/"):
		k.deltaBytes.Add(aws.ToInt64(in.ContentLength))
	case strings.Contains(key, "/checkpoint/"):
		k.checkpointBytes.Add(aws.ToInt64(in.ContentLength))
	case strings.Contains(key, "/journal/"):
		k.segmentBytes.Add(aws.ToInt64(in.ContentLength))
	}
	return k.API.PutObject(ctx, in, opts...)
}

func (k *killableS3) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if k.killed.Load() {
		return nil, errKilled
	}
	k.deletes.Add(1)
	return k.API.DeleteObject(ctx, in, opts...)
}

// checkpointsOf returns the segment numbers of the study's checkpoints
// (not its deltas), in order, and how many segments it has.
func checkpointsOf(t testing.TB, api s3journal.API, study s3journal.Location) (cps []int, segments int) {
	t.Helper()
	for _, sub := range []string{"/checkpoint/", "/journal/"} {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(study.Bucket), Prefix: aws.String(study.Key + sub)}
		for {
			page, err := api.ListObjectsV2(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Contents {
				if sub == "/journal/" {
					segments++
					continue
				}
				if strings.HasPrefix(aws.ToString(o.Key), study.Key+sub+"delta/") {
					continue
				}
				k, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(aws.ToString(o.Key), study.Key+sub), ".jsonl.gz"))
				if err != nil {
					t.Fatalf("checkpoint %s: %v", aws.ToString(o.Key), err)
				}
				cps = append(cps, k)
			}
			if !aws.ToBool(page.IsTruncated) {
				break
			}
			in.ContinuationToken = page.NextContinuationToken
		}
	}
	return cps, segments
}

// TestS3ResumeFromCheckpointAndLaterSegments: a study in S3 whose
// scheduler wrote checkpoints (one due every 7 segments) and was
// SIGKILLed with segments after its newest checkpoint is resumed from
// that checkpoint plus the later segments, and ends as an uninterrupted
// local run does: every trial journaled once, the same trials and
// scores. To be sure later segments are there whatever the timing of the
// background checkpoint writes, the test deletes checkpoints that cover
// every segment (a checkpoint is only a shortcut; the segments are the
// journal). It writes no deltas; TestS3KilledWriterReadRequests reads
// through them.
func TestS3ResumeFromCheckpointAndLaterSegments(t *testing.T) {
	t.Setenv(s3journal.EnvCheckpointSegments, "7")
	t.Setenv(s3journal.EnvDeltaSegments, "1000") // the later segments are read one by one
	api := s3API(t)
	here := t.TempDir()
	spec := filepath.Join(here, "spec.yaml")
	if err := os.WriteFile(spec, []byte(s3Spec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLIIn(t, here, "run", spec, "--backend", "local", "--dir", filepath.Join(here, "straight"), "--quiet")
	if code != 0 {
		t.Fatalf("uninterrupted local run: exit %d: %s", code, stderr)
	}
	straightEvents := readJournal(t, filepath.Join(here, "straight", "iris-knn"))
	straight := checkJournaledOnce(t, straightEvents, 60)

	prefix := s3Prefix(t)
	study := prefix.Join("iris-knn")
	var out, errBuf bytes.Buffer
	cmd, exited := startCLIIn(t, here, &out, &errBuf, "run", spec, "--dir", prefix.String(), "--quiet")
	if !waitForS3Results(t, api, study, 30, exited) {
		t.Fatalf("the run ended before 30 results: %s", errBuf.String())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	waitIdle(t)

	cps, segments := checkpointsOf(t, api, study)
	for len(cps) > 0 && cps[len(cps)-1] >= segments {
		key := fmt.Sprintf("%s/checkpoint/%020d.jsonl.gz", study.Key, cps[len(cps)-1])
		if _, err := api.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(study.Bucket), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
		cps = cps[:len(cps)-1]
	}
	if len(cps) == 0 {
		t.Fatalf("no checkpoint with segments after it; %d segments", segments)
	}
	t.Logf("killed with %d segments, resuming from the checkpoint of %d", segments, cps[len(cps)-1])

	// Read through the checkpoint, the study holds what its segments say.
	counted := &countingS3{API: api}
	viaCheckpoint, err := s3journal.Open(counted, study).Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(1 + segments - cps[len(cps)-1]); counted.gets.Load() != want {
		t.Errorf("the read made %d GETs, want %d: the checkpoint and the segments after it", counted.gets.Load(), want)
	}
	segmentsOnly, err := s3journal.Open(&countingS3{API: api, hideCheckpoints: true}, study).Events(context.Background())
	if err != nil || !reflect.DeepEqual(viaCheckpoint, segmentsOnly) {
		t.Fatalf("through the checkpoint %d events; the segments alone %d (%v)", len(viaCheckpoint), len(segmentsOnly), err)
	}

	code, _, stderr = runCLIIn(t, t.TempDir(), "resume", study.String(), "--quiet")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	events := s3Events(t, api, study)
	got := checkJournaledOnce(t, events, 60)
	for n, score := range straight {
		if got[n] != score {
			t.Errorf("trial %d: score %v, uninterrupted %v", n, got[n], score)
		}
	}
	params := map[int]string{}
	for _, e := range straightEvents {
		if e.Type == results.EventDispatch {
			params[e.Trial.Number] = fmt.Sprint(e.Trial.Params)
		}
	}
	for _, e := range events {
		if e.Type == results.EventDispatch && fmt.Sprint(e.Trial.Params) != params[e.Trial.Number] {
			t.Errorf("trial %d proposed %v, uninterrupted %s", e.Trial.Number, e.Trial.Params, params[e.Trial.Number])
		}
	}
	if cps, segments := checkpointsOf(t, api, study); segments-cps[len(cps)-1] >= 16 {
		t.Errorf("after the resume, %d segments and the newest checkpoint of %d: Close wrote none", segments, cps[len(cps)-1])
	}
}

// TestS3CheckpointReadRequests: a study of 2,000 trials appended by 16
// writers at once (gathered into segments as a scheduler's are), with
// the default setting, is read back by Reopen in at most 20 requests to
// the emulated S3, the same events as the segments alone.
func TestS3CheckpointReadRequests(t *testing.T) {
	api := s3API(t)
	study := s3Prefix(t).Join("many")
	requests, segments, _, _ := writeAndReadBack(t, api, study, 2000, 16, false, true)
	t.Logf("%d segments: %d requests through checkpoints", segments, requests)
	if requests > 20 {
		t.Errorf("Reopen made %d requests, want at most 20", requests)
	}
}

// TestS3KilledWriterReadRequests: a study of 3,000 trials appended one
// segment a trial, with the default settings, whose writer is killed
// (abandoned without Close, its writes refused from then on), is read
// back by Reopen through its checkpoint and deltas in at most 20
// requests to the emulated S3, the same events as the segments alone.
func TestS3KilledWriterReadRequests(t *testing.T) {
	api := s3API(t)
	study := s3Prefix(t).Join("killed")
	requests, segments, _, _ := writeAndReadBack(t, api, study, 3000, 1, true, true)
	t.Logf("%d segments: %d requests through checkpoints and deltas", segments, requests)
	if requests > 20 {
		t.Errorf("Reopen made %d requests, want at most 20", requests)
	}
}

// BenchmarkS3CheckpointResume writes a study of $HPSEARCH_BENCH_TRIALS
// trials (default 20,000) to the emulated S3 from $HPSEARCH_BENCH_PARALLEL
// writers at once (default 64; 1 writes a segment a trial), then
// measures Reopen, which reads it through checkpoints, counting its
// requests, side by side with a read of the segments alone (one GET a
// segment, as before checkpoints). The case closed closes the journal;
// killed abandons it without Close and refuses its writes from then on,
// as S3 sees a scheduler killed after its last commit.
func BenchmarkS3CheckpointResume(b *testing.B) {
	setting := func(name string, def int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a whole number, at least 1", name, v)
		}
		return n
	}
	n, parallel := setting("HPSEARCH_BENCH_TRIALS", 20000), setting("HPSEARCH_BENCH_PARALLEL", 64)
	api := s3API(b)
	for _, killed := range []bool{false, true} {
		b.Run(map[bool]string{false: "closed", true: "killed"}[killed], func(b *testing.B) {
			for range b.N {
				study := s3Prefix(b).Join("bench")
				start := time.Now()
				requests, segments, readSeconds, segmentsOnlySeconds := writeAndReadBack(b, api, study, n, parallel, killed, true)
				b.Logf("%d trials from %d writers in %d segments (written in %.1f s, killed %v): Reopen through checkpoints %d requests, %.2f s; the segments alone %d GETs, %.2f s",
					n, parallel, segments, time.Since(start).Seconds()-readSeconds-segmentsOnlySeconds, killed, requests, readSeconds, segments, segmentsOnlySeconds)
				b.ReportMetric(float64(requests), "requests")
				b.ReportMetric(float64(segments), "segments")
				b.ReportMetric(readSeconds, "s/read")
				b.ReportMetric(segmentsOnlySeconds/readSeconds, "segments/checkpoint")
			}
		})
	}
}

// writeAndReadBack writes a study of n trials at the given parallelism,
// closes it (or, with killed, abandons it and refuses its writes from
// then on), and reads it back with Reopen, counting requests; it
// returns them, the number of segments, and the seconds of the read
// through checkpoints and, when compare is set, of Open reading the
// segments alone (checked to hold the same events).
func writeAndReadBack(t testing.TB, api s3journal.API, study s3journal.Location, n, parallel int, killed, compare bool) (int64, int, float64, float64) {
	t.Helper()
	ctx := context.Background()
	writer := &killableS3{API: api}
	j, err := s3journal.Create(ctx, writer, study, []byte("name: many\n"), []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, parallel)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := j.Append(ctx, results.DispatchEvent(storetest.Trial(i), at), results.ResultEvent(storetest.Result(i), at)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	if killed {
		writer.killed.Store(true)
	} else {
		j.Close()
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, segments := checkpointsOf(t, api, study)
	journal := float64(writer.segmentBytes.Load())
	t.Logf("written: segments %d bytes; checkpoints %.2f and deltas %.2f bytes a journal byte; %d PUTs and %d DELETEs for %d segments",
		writer.segmentBytes.Load(), float64(writer.checkpointBytes.Load())/journal, float64(writer.deltaBytes.Load())/journal,
		writer.puts.Load(), writer.deletes.Load(), segments)

	counted := &countingS3{API: api}
	start := time.Now()
	j2, rp, err := s3journal.Reopen(ctx, counted, study)
	if err != nil {
		t.Fatal(err)
	}
	readSeconds := time.Since(start).Seconds()
	j2.Close()
	if got := len(results.Results(rp.Events)); got != n {
		t.Fatalf("read back %d results, want %d", got, n)
	}
	var segmentsOnlySeconds float64
	if compare {
		start = time.Now()
		all, err := s3journal.Open(&countingS3{API: api, hideCheckpoints: true}, study).Events(ctx)
		segmentsOnlySeconds = time.Since(start).Seconds()
		if err != nil || !reflect.DeepEqual(all, rp.Events) {
			t.Fatalf("through checkpoints %d events; the segments alone %d (%v)", len(rp.Events), len(all), err)
		}
	}
	return counted.requests(), segments, readSeconds, segmentsOnlySeconds
}
