package worker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/datasets"
)

// streamS3 serves one object body with a declared Content-Length, as S3
// does, a few bytes per Read.
type streamS3 struct {
	body   func() io.Reader
	length int64
}

func (s streamS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(iotest.HalfReader(s.body())), ContentLength: aws.Int64(s.length)}, nil
}

// streamedObject is iris's binary form and its reference.
func streamedObject(tb testing.TB) (DatasetRef, []byte, *datasets.Dataset) {
	tb.Helper()
	m := &memS3{}
	ref, d := pushed(tb, m, "iris")
	return ref, m.objects[ref.Bucket+"/"+ref.Key], d
}

// cacheEntries lists dir's files, temporary ones included.
func cacheEntries(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestS3SourceStreamsTheObjectIntoTheMatrixAndTheCache(t *testing.T) {
	ref, obj, want := streamedObject(t)
	dir := t.TempDir()
	src := &S3Source{Client: streamS3{body: func() io.Reader { return bytes.NewReader(obj) }, length: int64(len(obj))},
		Bucket: "b", Prefix: DefaultDatasetsPrefix, Dir: dir}
	got, source, err := src.Load(context.Background(), ref, datasets.Options{})
	if err != nil || source != "s3" {
		t.Fatalf("Load = %v, %q; want the dataset from s3", err, source)
	}
	if got.Rows != want.Rows || got.Cols != want.Cols || !slicesEqual(got.X, want.X) || !slicesEqual(got.Y, want.Y) {
		t.Errorf("streamed dataset differs from the pushed one")
	}
	cached, err := os.ReadFile(filepath.Join(dir, ref.SHA256))
	if err != nil || !bytes.Equal(cached, obj) {
		t.Errorf("cache file: %v; equal to the object: %v", err, bytes.Equal(cached, obj))
	}
	if names := cacheEntries(t, dir); len(names) != 1 {
		t.Errorf("cache directory holds %q, want the object alone", names)
	}
	// A later runtime of the environment reads the cache file.
	again := &S3Source{Bucket: "b", Prefix: DefaultDatasetsPrefix, Dir: dir}
	if d, source, err := again.Load(context.Background(), ref, datasets.Options{}); err != nil || source != "tmp" || !slicesEqual(d.X, want.X) {
		t.Errorf("from the cache: %v, %q", err, source)
	}
}

func TestS3SourceStreamRefusesABadObjectAndCachesNothing(t *testing.T) {
	ref, obj, _ := streamedObject(t)
	other, err := datasets.Load("wine", datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	otherObj, err := other.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(obj)
	flipped[len(flipped)/2] ^= 1
	broken := errors.New("connection reset")
	tests := []struct {
		name   string
		body   func() io.Reader
		length int64
		want   error
	}{
		{"another dataset's object", func() io.Reader { return bytes.NewReader(otherObj) }, int64(len(otherObj)), ErrChecksum},
		{"a byte flipped", func() io.Reader { return bytes.NewReader(flipped) }, int64(len(obj)), ErrChecksum},
		{"body shorter than its length", func() io.Reader { return bytes.NewReader(obj[:len(obj)/2]) }, int64(len(obj)), ErrChecksum},
		{"body longer than its length", func() io.Reader { return bytes.NewReader(append(bytes.Clone(obj), 0)) }, int64(len(obj)), ErrChecksum},
		{"body failing midway", func() io.Reader {
			return io.MultiReader(bytes.NewReader(obj[:len(obj)/2]), iotest.ErrReader(broken))
		}, int64(len(obj)), broken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := &S3Source{Client: streamS3{body: tt.body, length: tt.length}, Bucket: "b", Prefix: DefaultDatasetsPrefix, Dir: dir}
			if _, _, err := src.Load(context.Background(), ref, datasets.Options{}); !errors.Is(err, tt.want) {
				t.Errorf("Load = %v, want %v", err, tt.want)
			}
			if names := cacheEntries(t, dir); len(names) != 0 {
				t.Errorf("cache directory holds %q after a failed fetch, want nothing", names)
			}
		})
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			return false
		}
	}
	return true
}
