package s3journal_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// fakeS3 is an in-memory S3 bucket holding the calls a Journal makes: it
// honours If-None-Match: * (412 when the key exists), lists in key order
// a few keys per page, and lets a test intercept PUTs.
type fakeS3 struct {
	mu      sync.Mutex
	objects map[string]fakeObject
	// pageSize is how many keys a ListObjectsV2 page holds at most.
	pageSize int
	// beforePut, when set, is called before each PUT is applied; a
	// non-nil error is returned instead, and with store true the object
	// is stored all the same (a response lost after the write landed).
	beforePut func(key string) (err error, store bool)
	// latency delays each PUT.
	latency time.Duration
	// hold, when set, is called first by each PUT with its context; a
	// non-nil error is returned instead.
	hold func(ctx context.Context, key string) error
	// killAfter, when positive, kills the writer at the PUT of that
	// number: it lands but its answer is lost, and every later PUT and
	// DELETE fails, as S3 sees a process killed (SIGKILL, a lost
	// machine) while its PUT was under way.
	killAfter int64
	killed    atomic.Bool
	// listExtra are keys a LIST shows whether or not they are stored: a
	// listing taken before a writer deleted them.
	listExtra []string
	// written counts the bytes stored by PUTs, by kindOf their keys.
	written map[string]int64
	deletes atomic.Int64
	puts    atomic.Int64
	gets    atomic.Int64
	lists   atomic.Int64
}

type fakeObject struct {
	data []byte
	meta map[string]string
}

var _ s3journal.API = (*fakeS3)(nil)

func newFakeS3() *fakeS3 { return &fakeS3{objects: map[string]fakeObject{}, pageSize: 3} }

// apiError is an error as the SDK returns S3's answer with status.
func apiError(status int, code string) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
			Err: &smithy.GenericAPIError{Code: code, Message: code}},
	}}
}

var errKilled = errors.New("the writer was killed")

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.killed.Load() {
		return nil, errKilled
	}
	var injected error
	if n := f.puts.Add(1); f.killAfter > 0 && n >= f.killAfter && f.killed.CompareAndSwap(false, true) {
		injected = errKilled // lands, answer lost
	}
	if f.hold != nil {
		if err := f.hold(ctx, aws.ToString(in.Key)); err != nil {
			return nil, err
		}
	}
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	data, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	key := aws.ToString(in.Key)
	if f.beforePut != nil && injected == nil {
		var store bool
		if injected, store = f.beforePut(key); injected != nil && !store {
			return nil, injected
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, exists := f.objects[key]; exists && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, apiError(http.StatusPreconditionFailed, "PreconditionFailed")
	}
	f.objects[key] = fakeObject{data: data, meta: in.Metadata}
	if f.written == nil {
		f.written = map[string]int64{}
	}
	f.written[kindOf(key)] += int64(len(data))
	if injected != nil {
		return nil, injected
	}
	return &s3.PutObjectOutput{}, nil
}

func (f *fakeS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.gets.Add(1)
	f.mu.Lock()
	o, ok := f.objects[aws.ToString(in.Key)]
	f.mu.Unlock()
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(o.data)), Metadata: o.meta}, nil
}

func (f *fakeS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.lists.Add(1)
	f.mu.Lock()
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) && k > aws.ToString(in.StartAfter) {
			keys = append(keys, k)
		}
	}
	for _, k := range f.listExtra {
		if _, ok := f.objects[k]; !ok && strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) && k > aws.ToString(in.StartAfter) {
			keys = append(keys, k)
		}
	}
	f.mu.Unlock()
	slices.Sort(keys)
	n := f.pageSize
	if in.MaxKeys != nil && int(*in.MaxKeys) < n {
		n = int(*in.MaxKeys)
	}
	out := &s3.ListObjectsV2Output{}
	if len(keys) > n {
		keys = keys[:n]
		out.IsTruncated = aws.Bool(true)
		out.NextContinuationToken = aws.String(keys[n-1])
	}
	for _, k := range keys {
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k)})
	}
	return out, nil
}

func (f *fakeS3) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if f.killed.Load() {
		return nil, errKilled
	}
	f.deletes.Add(1)
	f.mu.Lock()
	delete(f.objects, aws.ToString(in.Key))
	f.mu.Unlock()
	return &s3.DeleteObjectOutput{}, nil
}

// kindOf says what a study's key holds: "segment", "checkpoint",
// "delta" or "other".
func kindOf(key string) string {
	switch {
	case strings.Contains(key, "/checkpoint/delta/"):
		return "delta"
	case strings.Contains(key, "/checkpoint/"):
		return "checkpoint"
	case strings.Contains(key, "/journal/"):
		return "segment"
	}
	return "other"
}

func (f *fakeS3) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for k := range f.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// requests returns the GETs and LISTs so far.
func (f *fakeS3) requests() int64 { return f.gets.Load() + f.lists.Load() }

func (f *fakeS3) set(key string, data []byte) {
	f.mu.Lock()
	f.objects[key] = fakeObject{data: data}
	f.mu.Unlock()
}

func deleteInput(key string) *s3.DeleteObjectInput {
	return &s3.DeleteObjectInput{Key: aws.String(key)}
}
