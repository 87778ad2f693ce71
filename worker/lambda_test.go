package worker

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

func TestLambdaConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want LambdaConfig
	}{
		{"empty", nil, LambdaConfig{}},
		{"all", map[string]string{EnvBucket: "b", EnvDatasetsPrefix: "data/", EnvTestFaults: "1"},
			LambdaConfig{Bucket: "b", DatasetsPrefix: "data/", TestFaults: true}},
		{"faults only when 1", map[string]string{EnvTestFaults: "true"}, LambdaConfig{}},
		{"in place in a Lambda runtime", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}, LambdaConfig{InPlaceFolds: true}},
		{"in place at concurrency 1", map[string]string{"AWS_LAMBDA_RUNTIME_API": "x", "AWS_LAMBDA_MAX_CONCURRENCY": "1"}, LambdaConfig{InPlaceFolds: true}},
		{"in place when the concurrency is not a number (aws-lambda-go serves one)", map[string]string{"AWS_LAMBDA_RUNTIME_API": "x", "AWS_LAMBDA_MAX_CONCURRENCY": "many"}, LambdaConfig{InPlaceFolds: true}},
		{"copies at concurrency 2", map[string]string{"AWS_LAMBDA_RUNTIME_API": "x", "AWS_LAMBDA_MAX_CONCURRENCY": "2"}, LambdaConfig{}},
		{"copies when asked", map[string]string{"AWS_LAMBDA_RUNTIME_API": "x", EnvCopyFolds: "1"}, LambdaConfig{}},
		{"copies outside a Lambda runtime", map[string]string{"AWS_LAMBDA_MAX_CONCURRENCY": "1"}, LambdaConfig{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LambdaConfigFromEnv(func(k string) string { return tt.env[k] })
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func newTestHandler(tb testing.TB, m *memS3, faults bool) *LambdaHandler {
	tb.Helper()
	return NewLambdaHandlerWith(LambdaConfig{Bucket: "b", CacheDir: tb.TempDir(), TestFaults: faults}, m)
}

func invoke(tb testing.TB, h *LambdaHandler, ctx context.Context, req Request) LambdaResponse {
	tb.Helper()
	payload, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		tb.Fatal(err)
	}
	var resp LambdaResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		tb.Fatal(err)
	}
	return resp
}

func TestLambdaHandlerMatchesLocalRun(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	h := newTestHandler(t, m, false)
	tr := trial.Trial{Number: 3, Model: "knn", Params: trial.Params{"n_neighbors": 7.0}, Seed: 42}
	remote := Request{Study: "s", Trial: tr, Dataset: ref, Metric: "accuracy", CV: trial.CV{Folds: 5, Seed: 1}}
	local := remote
	local.Dataset = DatasetRef{Name: "iris"}

	want := New(nil).Run(context.Background(), local)
	if want.State != trial.Complete {
		t.Fatalf("local run: %s %s", want.State, want.Error)
	}
	for i, wantSource := range []string{"s3", "memory"} {
		got := invoke(t, h, context.Background(), remote)
		if got.State != trial.Complete || got.Score != want.Score || len(got.FoldScores) != len(want.FoldScores) {
			t.Fatalf("invocation %d: %s %q score %v folds %v; want score %v folds %v", i, got.State, got.Error, got.Score, got.FoldScores, want.Score, want.FoldScores)
		}
		for f := range want.FoldScores {
			if got.FoldScores[f] != want.FoldScores[f] {
				t.Errorf("invocation %d fold %d: %v, want %v", i, f, got.FoldScores[f], want.FoldScores[f])
			}
		}
		if got.DatasetSource != wantSource || got.S3Gets != 1 || got.Environment == "" {
			t.Errorf("invocation %d: source %q, s3_gets %d, environment %q; want %s, 1, set", i, got.DatasetSource, got.S3Gets, got.Environment, wantSource)
		}
	}
}

func TestLambdaHandlerFailures(t *testing.T) {
	m := &memS3{}
	ref, _ := pushed(t, m, "iris")
	elsewhere := ref
	elsewhere.Bucket = "other"
	tests := []struct {
		name    string
		faults  bool
		trial   trial.Trial
		dataset DatasetRef
		want    string
	}{
		{"unknown model", false, trial.Trial{Model: "nope"}, ref, "unknown model"},
		{"unknown param", false, trial.Trial{Model: "knn", Params: trial.Params{"k": 1.0}}, ref, "k"},
		{"bucket refused", false, trial.Trial{Model: "knn"}, elsewhere, "refused"},
		{"hooks off by default", false, trial.Trial{Model: "knn", Params: trial.Params{"_panic": true}}, ref, "_panic"},
		{"sleep past the deadline", true, trial.Trial{Model: "knn", Params: trial.Params{"_sleep_ms": 5000.0}}, ref, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHandler(t, m, tt.faults)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			got := invoke(t, h, ctx, Request{Trial: tt.trial, Dataset: tt.dataset, CV: trial.CV{Folds: 3}})
			if got.State != trial.Failed || !strings.Contains(got.Error, tt.want) {
				t.Errorf("got %s %q, want failed with %q", got.State, got.Error, tt.want)
			}
			if len(tt.trial.Params) > 0 && len(got.Params) != len(tt.trial.Params) {
				t.Errorf("result params %v, want the trial's %v", got.Params, tt.trial.Params)
			}
		})
	}
}

func TestLambdaHandlerPanicHook(t *testing.T) {
	h := newTestHandler(t, &memS3{}, true)
	payload, _ := json.Marshal(Request{Trial: trial.Trial{Model: "noop", Params: trial.Params{"_panic": "boom"}}})
	defer func() {
		if p := recover(); p != "boom" {
			t.Errorf("recovered %v, want boom", p)
		}
	}()
	_, _ = h.Invoke(context.Background(), payload)
	t.Error("the _panic hook did not panic")
}

func TestLambdaHandlerStripsHooksBeforeRun(t *testing.T) {
	h := newTestHandler(t, &memS3{}, true)
	tr := trial.Trial{Model: "noop", Params: trial.Params{"x": 2.0, "_alloc_mb": 1.0, "_sleep_ms": 1.0}}
	got := invoke(t, h, context.Background(), Request{Trial: tr})
	if got.State != trial.Complete || got.Score != 2 {
		t.Errorf("got %s %q score %v, want complete with 2 (hooks not seen by noop)", got.State, got.Error, got.Score)
	}
	if len(got.Params) != 3 {
		t.Errorf("result params %v, want the trial's own", got.Params)
	}
}

func TestLambdaHandlerBadPayload(t *testing.T) {
	h := newTestHandler(t, &memS3{}, false)
	if _, err := h.Invoke(context.Background(), []byte("{")); err == nil {
		t.Error("undecodable payload: no error")
	}
}
