package lambdaexec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

func refitOf(base worker.Request) worker.RefitRequest {
	req := worker.RefitRequest{Request: base, Refit: worker.Refit{Version: "test"}}
	req.Trial = knnTrial(2)
	return req
}

// TestRefitMatchesLocalRefit: a refit through the function gives the
// model file a refit in this process gives, read back from where the
// worker stored it under the study's results prefix.
func TestRefitMatchesLocalRefit(t *testing.T) {
	h := newHarness(t, Config{})
	h.ex.Results = &worker.ResultsRef{Bucket: "bkt", Prefix: "results/s-1/"}
	got, err := h.ex.Refit(context.Background(), refitOf(h.base))
	if err != nil {
		t.Fatal(err)
	}
	want, err := refit.Local{Worker: worker.New(nil)}.Refit(context.Background(), refitOf(h.local))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the Lambda refit gave %d bytes, the local refit %d different ones", len(got), len(want))
	}
	if _, ok := h.s3.objects[worker.ModelKey("results/s-1/", 2)]; !ok {
		t.Error("the model file is not stored under the study's results prefix")
	}
}

func TestRefitFails(t *testing.T) {
	h := newHarness(t, Config{})
	if _, err := h.ex.Refit(context.Background(), refitOf(h.base)); err == nil || !strings.Contains(err.Error(), "no results location") {
		t.Errorf("without Results: err = %v", err)
	}
	h.ex.Results = &worker.ResultsRef{Bucket: "bkt", Prefix: "results/s-1/"}
	req := refitOf(h.base)
	req.Trial.Params = trial.Params{"n_neighbors": "many"}
	if _, err := h.ex.Refit(context.Background(), req); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("bad parameters: err = %v, want bad input", err)
	}
}

// oldFunction answers every invocation as a worker that does not know
// refits: a trial's result, no model.
type oldFunction struct{ LambdaAPI }

func (oldFunction) Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	b, _ := json.Marshal(worker.LambdaResponse{Result: trial.Result{Number: 2, State: trial.Complete, Score: 0.9}})
	return &lambda.InvokeOutput{StatusCode: 200, Payload: b}, nil
}

func TestRefitOnAnOldWorker(t *testing.T) {
	h := newHarness(t, Config{})
	ex := NewWithClients(Config{Bucket: "bkt"}, Clients{Lambda: oldFunction{}, S3: h.s3})
	ex.Base, ex.Results = h.base, &worker.ResultsRef{Bucket: "bkt", Prefix: "results/s-1/"}
	if _, err := ex.Refit(context.Background(), refitOf(h.base)); !errors.Is(err, ErrNoRefitSupport) {
		t.Errorf("err = %v, want ErrNoRefitSupport", err)
	}
}
