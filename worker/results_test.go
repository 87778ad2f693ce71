package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/trial"
)

// PutObject stores an object, honouring If-None-Match: * as S3 does.
func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	name := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	if _, exists := m.objects[name]; exists && aws.ToString(in.IfNoneMatch) == "*" {
		return nil, &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusPreconditionFailed}},
			Err:      errors.New("PreconditionFailed"),
		}
	}
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[name] = b
	return &s3.PutObjectOutput{}, nil
}

func (m *memS3) object(name string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[name]
	return b, ok
}

func invokeLambda(tb testing.TB, h *LambdaHandler, req LambdaRequest) LambdaResponse {
	tb.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		tb.Fatal(err)
	}
	var resp LambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		tb.Fatal(err)
	}
	return resp
}

func TestHandlerStoresResultOnce(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	h := newTestHandler(t, m, false)
	req := LambdaRequest{
		Request: Request{Study: "s", Dataset: ref, Metric: "accuracy", CV: trial.CV{Folds: 3, Seed: 1},
			Trial: trial.Trial{Number: 7, Attempt: 2, Model: "knn", Params: trial.Params{"n_neighbors": 5.0}, Seed: 9}},
		Results: &ResultsRef{Bucket: "b", Prefix: "results/s-1/"},
	}
	first := invokeLambda(t, h, req)
	if first.State != trial.Complete || first.Stored != StoredWritten {
		t.Fatalf("first: %s %q stored %q", first.State, first.Error, first.Stored)
	}
	b, ok := m.object("b/results/s-1/7/2.json")
	if !ok {
		t.Fatal("no object at results/s-1/7/2.json")
	}
	var got StoredResult
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Study != "s" || got.Trial != 7 || got.Attempt != 2 || got.Result.Score != first.Score || got.Result.Number != 7 {
		t.Errorf("stored %+v, want trial 7 attempt 2 score %v", got, first.Score)
	}

	// A duplicate invocation of the same attempt leaves the object alone.
	m.put("b", "results/s-1/7/2.json", []byte(`{"marker":true}`))
	dup := invokeLambda(t, h, req)
	if dup.State != trial.Complete || dup.Stored != StoredExists {
		t.Errorf("duplicate: %s stored %q, want %q", dup.State, dup.Stored, StoredExists)
	}
	if b, _ := m.object("b/results/s-1/7/2.json"); string(b) != `{"marker":true}` {
		t.Errorf("the duplicate overwrote the object: %s", b)
	}
}

func TestHandlerStoresFailedResult(t *testing.T) {
	m := &memS3{}
	h := newTestHandler(t, m, false)
	req := LambdaRequest{
		Request: Request{Study: "s", Dataset: DatasetRef{Name: "iris"}, Metric: "accuracy",
			Trial: trial.Trial{Number: 1, Model: "no_such_model"}},
		Results: &ResultsRef{Bucket: "b", Prefix: "results/s/"},
	}
	resp := invokeLambda(t, h, req)
	if resp.State != trial.Failed || resp.Stored != StoredWritten {
		t.Fatalf("got %s stored %q", resp.State, resp.Stored)
	}
	if _, ok := m.object("b/results/s/1/1.json"); !ok {
		t.Error("a failed result was not stored (attempt 0 is stored as 1)")
	}
}

func TestHandlerRefusesResultsOutsidePrefix(t *testing.T) {
	tests := []struct {
		name string
		ref  ResultsRef
		want string
	}{
		{"other bucket", ResultsRef{Bucket: "other", Prefix: "results/s/"}, "not the worker's bucket"},
		{"datasets", ResultsRef{Bucket: "b", Prefix: "datasets/"}, "prefix of one study"},
		{"the prefix itself", ResultsRef{Bucket: "b", Prefix: "results/"}, "prefix of one study"},
		{"escape", ResultsRef{Bucket: "b", Prefix: "results/../datasets/"}, "prefix of one study"},
		{"no slash", ResultsRef{Bucket: "b", Prefix: "results/s"}, "prefix of one study"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memS3{}
			h := newTestHandler(t, m, false)
			resp := invokeLambda(t, h, LambdaRequest{
				Request: Request{Study: "s", Dataset: DatasetRef{Name: "iris"}, Metric: "accuracy",
					Trial: trial.Trial{Number: 1, Model: "noop"}},
				Results: &tt.ref,
			})
			if resp.State != trial.Failed || !strings.Contains(resp.Error, "refused") || !strings.Contains(resp.Error, tt.want) {
				t.Errorf("got %s %q, want refused: %s", resp.State, resp.Error, tt.want)
			}
			if len(m.objects) != 0 {
				t.Errorf("wrote %v", m.objects)
			}
		})
	}
}

func TestHandlerTrialTimeout(t *testing.T) {
	m := &memS3{}
	h := newTestHandler(t, m, true)
	resp := invokeLambda(t, h, LambdaRequest{
		Request: Request{Study: "s", Dataset: DatasetRef{Name: "iris"}, Metric: "accuracy",
			Trial: trial.Trial{Number: 1, Model: "noop", Params: trial.Params{"_sleep_ms": 5000.0}}},
		TrialTimeoutMS: 200,
	})
	if resp.State != trial.Failed || !strings.Contains(resp.Error, "trial timeout (200ms)") {
		t.Errorf("got %s %q, want a trial timeout", resp.State, resp.Error)
	}
}

func TestParseResultKey(t *testing.T) {
	const p = "results/s-1/"
	for _, tt := range []struct {
		key  string
		n, a int
		ok   bool
	}{
		{ResultKey(p, 0, 1), 0, 1, true},
		{ResultKey(p, 123, 4), 123, 4, true},
		{"results/s-1/12/0.json", 0, 0, false},
		{"results/s-1/012/1.json", 0, 0, false},
		{"results/s-1/12/1.txt", 0, 0, false},
		{"results/s-1/12/x/1.json", 0, 0, false},
		{"results/s-2/12/1.json", 0, 0, false},
		{"results/s-1/-1/1.json", 0, 0, false},
	} {
		n, a, ok := ParseResultKey(p, tt.key)
		if ok != tt.ok || ok && (n != tt.n || a != tt.a) {
			t.Errorf("ParseResultKey(%q) = %d, %d, %v; want %d, %d, %v", tt.key, n, a, ok, tt.n, tt.a, tt.ok)
		}
	}
}

func ExampleResultKey() {
	fmt.Println(ResultKey("results/digits-knn-20260102T150405.000000001Z/", 12, 2))
	// Output: results/digits-knn-20260102T150405.000000001Z/12/2.json
}
