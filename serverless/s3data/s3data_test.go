package s3data

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// memS3 is an in-memory object store.
type memS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
	puts    int
}

func (m *memS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NotFound{}
	}
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(int64(len(b)))}, nil
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] = b
	m.puts++
	return &s3.PutObjectOutput{}, nil
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func TestPushIsContentAddressedAndOnce(t *testing.T) {
	d, err := datasets.Load("iris", datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := d.SHA256()
	if err != nil {
		t.Fatal(err)
	}
	m := &memS3{}
	ctx := context.Background()
	for i, wantUploaded := range []bool{true, false} {
		ref, uploaded, err := Push(ctx, m, "bkt", d)
		if err != nil {
			t.Fatal(err)
		}
		if uploaded != wantUploaded {
			t.Errorf("push %d: uploaded = %v, want %v", i, uploaded, wantUploaded)
		}
		if ref.Bucket != "bkt" || ref.Key != "datasets/"+sum || ref.SHA256 != sum {
			t.Errorf("push %d: ref %+v, want bkt datasets/%s", i, ref, sum)
		}
	}
	if m.puts != 1 {
		t.Errorf("%d puts, want 1", m.puts)
	}
	got, err := datasets.UnmarshalBinary(m.objects["bkt/datasets/"+sum])
	if err != nil || got.Rows != d.Rows {
		t.Errorf("stored object: %v rows, err %v", got, err)
	}
}

func TestFetch(t *testing.T) {
	m := &memS3{}
	ctx := context.Background()
	_, _ = m.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/houses.csv"),
		Body: strings.NewReader("size,rooms,price\n50,2,100\n70,3,150\n90,4,170\n40,1,80\n")})
	_, _ = m.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("bad.csv"),
		Body: strings.NewReader("a,b\n1,2\n3\n")})

	d, err := Fetch(ctx, m, "s3://bkt/dir/houses.csv", datasets.Options{Task: trial.Regression})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "houses" || d.Rows != 4 || d.Cols != 2 || d.Target != "price" {
		t.Errorf("got %s %d×%d target %s, want houses 4×2 target price", d.Name, d.Rows, d.Cols, d.Target)
	}

	tests := []struct {
		uri  string
		want string
	}{
		{"s3://bkt/missing.csv", "no such object"},
		{"s3://bkt/dir/houses.json", ".csv or .parquet"},
		{"s3:///nokey.csv", "not an s3://bucket/key URI"},
		{"s3://bkt/bad.csv", "s3://bkt/bad.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			_, err := Fetch(ctx, m, tt.uri, datasets.Options{})
			if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want bad input mentioning %q", err, tt.want)
			}
		})
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct {
		uri, bucket, key string
		ok               bool
	}{
		{"s3://bkt/k.csv", "bkt", "k.csv", true},
		{"s3://bkt/a/b/c.parquet", "bkt", "a/b/c.parquet", true},
		{"s3://Bad_Bucket/k.csv", "", "", false},
		{"s3://bkt/", "", "", false},
		{"s3://bkt", "", "", false},
		{"https://b/k.csv", "", "", false},
		{"k.csv", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			b, k, err := ParseURI(tt.uri)
			if (err == nil) != tt.ok || b != tt.bucket || k != tt.key {
				t.Errorf("ParseURI = %q, %q, %v; want %q, %q, ok=%v", b, k, err, tt.bucket, tt.key, tt.ok)
			}
		})
	}
}
