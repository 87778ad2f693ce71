package worker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// memS3 is an in-memory bucket store for the S3 GET path.
type memS3 struct {
	mu      sync.Mutex
	objects map[string][]byte // "bucket/key"
	gets    atomic.Int64
}

func (m *memS3) put(bucket, key string, b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[bucket+"/"+key] = b
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.gets.Add(1)
	m.mu.Lock()
	b, ok := m.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	m.mu.Unlock()
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

// pushed loads a bundled dataset and stores its binary form as a push
// would, returning the reference.
func pushed(tb testing.TB, m *memS3, name string) (DatasetRef, *datasets.Dataset) {
	tb.Helper()
	d, err := datasets.Load(name, datasets.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := d.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	sum, err := d.SHA256()
	if err != nil {
		tb.Fatal(err)
	}
	ref := DatasetRef{Bucket: "b", Key: DefaultDatasetsPrefix + sum, SHA256: sum}
	m.put(ref.Bucket, ref.Key, b)
	return ref, d
}

func TestS3SourceFetchesOncePerEnvironment(t *testing.T) {
	m := &memS3{}
	ref, want := pushed(t, m, "iris")
	dir := t.TempDir()
	newSource := func() *S3Source {
		return &S3Source{Client: m, Bucket: "b", Prefix: DefaultDatasetsPrefix, Dir: dir}
	}
	ctx := context.Background()

	src := newSource()
	for i, wantSource := range []string{"s3", "memory", "memory"} {
		d, source, err := src.Load(ctx, ref, datasets.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if source != wantSource {
			t.Errorf("load %d: source %q, want %q", i, source, wantSource)
		}
		if d.Rows != want.Rows || d.Cols != want.Cols {
			t.Errorf("load %d: shape %d×%d, want %d×%d", i, d.Rows, d.Cols, want.Rows, want.Cols)
		}
	}
	if got := src.Gets(); got != 1 {
		t.Errorf("Gets = %d, want 1", got)
	}

	// A new runtime in the same environment finds the dataset in /tmp.
	restarted := newSource()
	if _, source, err := restarted.Load(ctx, ref, datasets.Options{}); err != nil || source != "tmp" {
		t.Errorf("after restart: source %q, err %v; want tmp", source, err)
	}
	if restarted.Gets() != 0 || m.gets.Load() != 1 {
		t.Errorf("after restart: %d gets here, %d in all; want 0 and 1", restarted.Gets(), m.gets.Load())
	}

	// A damaged cache file is replaced by a fresh GET.
	if err := os.WriteFile(filepath.Join(dir, ref.SHA256), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, source, err := newSource().Load(ctx, ref, datasets.Options{}); err != nil || source != "s3" {
		t.Errorf("damaged cache: source %q, err %v; want s3", source, err)
	}
}

func TestS3SourceConcurrentLoadsShareOneGet(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "wine")
	src := &S3Source{Client: m, Bucket: "b", Prefix: DefaultDatasetsPrefix}
	var wg sync.WaitGroup
	sources := make([]string, 16)
	ptrs := make([]*datasets.Dataset, 16)
	for i := range sources {
		wg.Go(func() {
			d, s, err := src.Load(context.Background(), ref, datasets.Options{})
			if err != nil {
				t.Error(err)
			}
			sources[i], ptrs[i] = s, d
		})
	}
	wg.Wait()
	if got := src.Gets(); got != 1 {
		t.Errorf("Gets = %d, want 1", got)
	}
	var s3Count int
	for i, s := range sources {
		if s == "s3" {
			s3Count++
		}
		if ptrs[i] != ptrs[0] {
			t.Errorf("load %d returned a different *Dataset", i)
		}
	}
	if s3Count != 1 {
		t.Errorf("%d loads report s3, want 1 (others memory): %v", s3Count, sources)
	}
}

func TestS3SourceRefuses(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	tampered := ref
	tampered.Key = DefaultDatasetsPrefix + "tampered"
	m.put("b", tampered.Key, []byte("not the dataset"))

	tests := []struct {
		name string
		src  *S3Source
		ref  DatasetRef
		want error
	}{
		{"other bucket", &S3Source{Bucket: "b"}, DatasetRef{Bucket: "evil", Key: ref.Key, SHA256: ref.SHA256}, ErrRefused},
		{"no bucket configured", &S3Source{}, ref, ErrRefused},
		{"outside prefix", &S3Source{Bucket: "b", Prefix: "datasets/"}, DatasetRef{Bucket: "b", Key: "secrets/" + ref.SHA256, SHA256: ref.SHA256}, ErrRefused},
		{"dot dot", &S3Source{Bucket: "b", Prefix: "datasets/"}, DatasetRef{Bucket: "b", Key: "datasets/../x", SHA256: ref.SHA256}, ErrRefused},
		{"bad sha", &S3Source{Bucket: "b"}, DatasetRef{Bucket: "b", Key: ref.Key, SHA256: "../../etc/passwd"}, ErrRefused},
		{"local path", &S3Source{Bucket: "b"}, DatasetRef{Path: "/etc/passwd"}, ErrRefused},
		{"bundled without fallback", &S3Source{Bucket: "b"}, DatasetRef{Name: "iris"}, ErrRefused},
		{"checksum mismatch", &S3Source{Bucket: "b"}, tampered, ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			src.Client = m
			_, _, err := src.Load(context.Background(), tt.ref, datasets.Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestS3SourceChecksFirstThenRetriesAfterFailure(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	missing := DatasetRef{Bucket: "b", Key: DefaultDatasetsPrefix + strings.Repeat("0", 64), SHA256: strings.Repeat("0", 64)}
	src := &S3Source{Client: m, Bucket: "b", Prefix: DefaultDatasetsPrefix}
	for range 2 {
		if _, _, err := src.Load(context.Background(), missing, datasets.Options{}); err == nil {
			t.Fatal("missing object loaded")
		}
	}
	// A failed fetch is not cached: each load tries again.
	if got := src.Gets(); got != 2 {
		t.Errorf("Gets = %d after two failed loads, want 2", got)
	}
	// A request whose target disagrees with the pushed dataset fails as
	// bad input.
	_, _, err := src.Load(context.Background(), ref, datasets.Options{Target: "nope"})
	if !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("wrong target: err = %v, want ErrBadInput", err)
	}
}

// endless is an object body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bigS3 serves one object: an endless body, or a declared length only.
type bigS3 struct{ length int64 }

func (b bigS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	out := &s3.GetObjectOutput{Body: io.NopCloser(io.Reader(endless{}))}
	if b.length > 0 {
		out.ContentLength = aws.Int64(b.length)
	}
	return out, nil
}

func TestS3SourceBoundsTheObject(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	ref := DatasetRef{Bucket: "b", Key: DefaultDatasetsPrefix + sum, SHA256: sum}
	for name, client := range map[string]bigS3{
		"endless body":          {},
		"declared beyond limit": {length: 1 << 40},
	} {
		t.Run(name, func(t *testing.T) {
			src := &S3Source{Client: client, Bucket: "b", Prefix: DefaultDatasetsPrefix, MaxObjectBytes: 1 << 20}
			_, _, err := src.Load(context.Background(), ref, datasets.Options{})
			if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), "more than 1048576 bytes") {
				t.Fatalf("err = %v, want bad input naming the limit", err)
			}
		})
	}
}

func TestSplitsCacheIsBounded(t *testing.T) {
	w := New(nil)
	d, err := datasets.Load("iris", datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for seed := range 10 * maxFoldEntries {
		if _, err := w.Splits(d, trial.CV{Folds: 3, Seed: uint64(seed)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(w.folds); n > maxFoldEntries {
		t.Errorf("%d fold assignments cached, want at most %d", n, maxFoldEntries)
	}
}
