package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// memS3 is an in-memory bucket for the S3 calls of a study: it honours
// If-None-Match: *, lists in key order a page at a time, and counts the
// reads (GETs and LISTs).
type memS3 struct {
	mu      sync.Mutex
	objects map[string]memObject
	reads   atomic.Int64
}

type memObject struct {
	data []byte
	meta map[string]string
}

var _ s3journal.API = (*memS3)(nil)

func newMemS3() *memS3 { return &memS3{objects: map[string]memObject{}} }

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	data, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := aws.ToString(in.Key)
	if _, ok := m.objects[key]; ok && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusPreconditionFailed}},
				Err: &smithy.GenericAPIError{Code: "PreconditionFailed"}},
		}}
	}
	m.objects[key] = memObject{data: data, meta: in.Metadata}
	return &s3.PutObjectOutput{}, nil
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.reads.Add(1)
	m.mu.Lock()
	o, ok := m.objects[aws.ToString(in.Key)]
	m.mu.Unlock()
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.data)), Metadata: o.meta, ContentLength: aws.Int64(int64(len(o.data)))}, nil
}

func (m *memS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	m.reads.Add(1)
	m.mu.Lock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.StartAfter) && k > aws.ToString(in.ContinuationToken) {
			keys = append(keys, k)
		}
	}
	m.mu.Unlock()
	slices.Sort(keys)
	n := 1000
	if in.MaxKeys != nil {
		n = min(n, int(*in.MaxKeys))
	}
	out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(false)}
	if len(keys) > n {
		keys = keys[:n]
		out.IsTruncated, out.NextContinuationToken = aws.Bool(true), aws.String(keys[n-1])
	}
	for _, k := range keys {
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k)})
	}
	return out, nil
}

func (m *memS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	m.mu.Lock()
	delete(m.objects, aws.ToString(in.Key))
	m.mu.Unlock()
	return &s3.DeleteObjectOutput{}, nil
}

// killableWriter is a writer's view of a memS3 that refuses every write
// once kill returns: what S3 keeps of a scheduler killed (SIGKILL) at
// that moment, its checkpoint and delta writers included.
type killableWriter struct {
	*memS3
	mu     sync.RWMutex // held for reading through each write
	killed bool
}

func (w *killableWriter) kill() {
	w.mu.Lock()
	w.killed = true
	w.mu.Unlock()
}

func (w *killableWriter) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.killed {
		return nil, context.Canceled
	}
	return w.memS3.PutObject(ctx, in, opts...)
}

func (w *killableWriter) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.killed {
		return nil, context.Canceled
	}
	return w.memS3.DeleteObject(ctx, in, opts...)
}

// s3StudyOf writes the study of specYAML to a new memS3, with trials
// trials run one a commit (a result each), by a writer that is then
// killed (no Close: a checkpoint, deltas and the segments after them),
// or, with finished, that journals its stop record and closes.
func s3StudyOf(t *testing.T, specYAML string, trials int, finished bool) (*memS3, *openedSpec) {
	t.Helper()
	ctx := context.Background()
	spec, base, err := loadSpec(ctx, writeFile(t, t.TempDir(), "spec.yaml", specYAML), &overrides{seed: -1})
	if err != nil {
		t.Fatal(err)
	}
	specJSON, err := studySpecJSON(spec, base)
	if err != nil {
		t.Fatal(err)
	}
	parent, err := s3journal.Parse("s3://bucket/runs")
	if err != nil {
		t.Fatal(err)
	}
	mem := newMemS3()
	w := &killableWriter{memS3: mem}
	j, err := s3journal.Create(ctx, w, parent.Join(spec.Name), spec.Raw(), specJSON)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for n := range trials {
		if err := j.Append(ctx, results.DispatchEvent(storetest.Trial(n), at), results.ResultEvent(storetest.Result(n), at)); err != nil {
			t.Fatal(err)
		}
	}
	if finished {
		if err := j.Append(ctx, results.StopEvent("max_trials", at)); err != nil {
			t.Fatal(err)
		}
		j.Close()
	} else {
		w.kill()
	}
	return mem, &openedSpec{parent: parent.String(), loc: parent.Join(spec.Name), spec: spec, specJSON: specJSON}
}

// openedSpec is a study's spec as run loads it, and where the study is.
type openedSpec struct {
	parent   string
	loc      s3journal.Location
	spec     *search.Spec
	specJSON []byte
}

// TestResumeOfS3StudyReadsItOnce: resuming a study kept in S3 reads its
// journal from S3 once, whatever its size: a study with trials left
// (its writer killed, so read through a checkpoint, deltas and the
// segments after them) in the requests one read of the journal makes
// (at most 20 with the default settings) and one LIST more, which looks
// for segments appended since; a finished one in that one read. Run's
// reads of the study's spec.json (for its backend, and to check the
// spec) make no request when hpsearch resume s3://... read it already,
// and one GET when run --resume starts the resume.
func TestResumeOfS3StudyReadsItOnce(t *testing.T) {
	const specYAML = `name: s
model: noop
search: {method: random, max_trials: %d, parallel: 4, seed: 3}
parameters:
  x: {min: -10.0, max: 10.0}
`
	for _, tc := range []struct {
		name     string
		trials   int
		finished bool
	}{
		{"300 trials, killed", 300, false},
		{"3000 trials, killed", 3000, false},
		{"3000 trials, finished", 3000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			maxTrials := tc.trials * 2
			if tc.finished {
				maxTrials = tc.trials
			}
			mem, st := s3StudyOf(t, fmt.Sprintf(specYAML, maxTrials), tc.trials, tc.finished)

			for _, resume := range []struct {
				how       string
				ctx       context.Context
				specReads int64
			}{
				{"hpsearch resume s3://", withS3SpecJSON(ctx, st.loc, st.specJSON), 0},
				{"run --resume", ctx, 2}, // storedSpec's and openS3Study's
			} {
				// As many requests as one read of the journal as it is now
				// (the resume before closed it, which may have written a
				// checkpoint).
				before := mem.reads.Load()
				if err := s3journal.Scan(ctx, mem, st.loc, func(results.Event) error { return nil }, nil); err != nil {
					t.Fatal(err)
				}
				one := mem.reads.Load() - before
				if one > 20 {
					t.Errorf("one read of the journal made %d requests, want at most 20", one)
				}
				want := one + resume.specReads
				if !tc.finished {
					want++ // the LIST of segments appended since
				}

				var stderr bytes.Buffer
				e := &env{stdout: io.Discard, stderr: &stderr}
				before = mem.reads.Load()
				if _, found, err := storedSpec(resume.ctx, mem, st.parent, st.spec.Name); err != nil || !found {
					t.Fatalf("%s: storedSpec: found %v, %v", resume.how, found, err)
				}
				opened, err := openS3Study(resume.ctx, e, mem, st.parent, st.spec, st.specJSON, true, nil, 3)
				if err != nil {
					t.Fatalf("%s: %v\n%s", resume.how, err, stderr.String())
				}
				got := mem.reads.Load() - before
				if opened.finished != tc.finished || opened.doneBefore() != tc.trials {
					t.Errorf("%s: finished %v with %d trials done; want %v and %d", resume.how, opened.finished, opened.doneBefore(), tc.finished, tc.trials)
				}
				if !tc.finished {
					n := 0
					if err := opened.priorScan(func(ev results.Event) error {
						if ev.Type == results.EventResult {
							n++
						}
						return nil
					}); err != nil || n != tc.trials {
						t.Errorf("%s: the scheduler's scan of the reopened journal: %d results, %v; want %d", resume.how, n, err, tc.trials)
					}
				}
				if err := opened.close(); err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: %d requests (one read of the journal: %d)", resume.how, got, one)
				if got != want {
					t.Errorf("%s: %d requests, want %d (one read of the journal: %d; spec.json: %d)", resume.how, got, want, one, resume.specReads)
				}
			}
		})
	}
}
