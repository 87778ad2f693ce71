package worker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/refit" // registers the refit
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// objects is an in-memory S3 bucket: GetObject finds nothing, PutObject
// keeps what it is given.
type objects struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (o *objects) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return nil, io.ErrUnexpectedEOF
}

func (o *objects) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, nil
}

func refitRequest() worker.LambdaRequest {
	return worker.LambdaRequest{
		Request: worker.Request{Study: "iris", Dataset: worker.DatasetRef{Name: "iris"}, Metric: "accuracy", CV: trial.CV{Folds: 3},
			Trial: trial.Trial{Number: 4, Attempt: 1, Model: "decision_tree", Params: trial.Params{"max_depth": 3.0}, Seed: 9}},
		Results: &worker.ResultsRef{Bucket: "b", Prefix: "results/iris-1/"},
		Refit:   &worker.Refit{Version: "test"},
	}
}

// TestLambdaRefit: a refit invocation fits the trial on every row, stores
// the model file under the study's results prefix and answers where; the
// file is the one a local refit of the same request writes.
func TestLambdaRefit(t *testing.T) {
	store := &objects{m: map[string][]byte{}}
	h := worker.NewLambdaHandlerWith(worker.LambdaConfig{Bucket: "b", CacheDir: t.TempDir()}, store)
	lreq := refitRequest()
	resp := h.Handle(context.Background(), lreq)
	if resp.State != trial.Complete || resp.ModelFile == nil {
		t.Fatalf("refit answered %s %q, model %v", resp.State, resp.Error, resp.ModelFile)
	}
	if want := "results/iris-1/model/4.hpm"; resp.ModelFile.Key != want || resp.ModelFile.Bucket != "b" {
		t.Errorf("model stored at %s/%s, want b/%s", resp.ModelFile.Bucket, resp.ModelFile.Key, want)
	}
	stored := store.m["b/"+resp.ModelFile.Key]
	local, err := refit.Local{Worker: worker.New(nil)}.Refit(context.Background(), worker.RefitRequest{Request: lreq.Request, Refit: *lreq.Refit})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stored, local) || resp.ModelFile.Bytes != len(local) {
		t.Errorf("the Lambda refit stored %d bytes, the local refit gave %d different ones", len(stored), len(local))
	}
	if _, _, ok := worker.ParseResultKey(lreq.Results.Prefix, resp.ModelFile.Key); ok {
		t.Error("the model's key parses as a trial result's")
	}
}

func TestLambdaRefitRefused(t *testing.T) {
	tests := []struct {
		name   string
		change func(*worker.LambdaRequest)
		want   string
	}{
		{"no results location", func(r *worker.LambdaRequest) { r.Results = nil }, "names no results location"},
		{"another bucket", func(r *worker.LambdaRequest) { r.Results.Bucket = "other" }, "is not the worker's bucket"},
		{"unknown model", func(r *worker.LambdaRequest) { r.Trial.Model = "no_such_model" }, "no_such_model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &objects{m: map[string][]byte{}}
			h := worker.NewLambdaHandlerWith(worker.LambdaConfig{Bucket: "b", CacheDir: t.TempDir()}, store)
			lreq := refitRequest()
			tt.change(&lreq)
			resp := h.Handle(context.Background(), lreq)
			if resp.State != trial.Failed || resp.ModelFile != nil || !strings.Contains(resp.Error, tt.want) {
				t.Errorf("answered %s %q, model %v; want failed saying %q", resp.State, resp.Error, resp.ModelFile, tt.want)
			}
			if len(store.m) != 0 {
				t.Errorf("a refused refit stored %d objects", len(store.m))
			}
		})
	}
}

// TestLambdaResponseKeepsTheModelFamily: the refit's model file travels
// beside the result's model family in the answer, not in its place.
func TestLambdaResponseKeepsTheModelFamily(t *testing.T) {
	in := worker.LambdaResponse{Result: trial.Result{Number: 1, Model: "knn", State: trial.Complete},
		ModelFile: &worker.StoredModel{Bucket: "b", Key: "k"}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out worker.LambdaResponse
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Model != "knn" || out.ModelFile == nil || out.ModelFile.Key != "k" {
		t.Errorf("%s decoded as model %q, file %+v", b, out.Model, out.ModelFile)
	}
}
