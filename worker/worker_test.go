package worker

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	_ "github.com/hpsearch/hpsearch/trainers/zoo"
	"github.com/hpsearch/hpsearch/trial"
)

func irisRequest(model string, p trial.Params) Request {
	return Request{
		Study:   "test",
		Trial:   trial.Trial{Number: 1, Model: model, Params: p, Seed: 42},
		Dataset: DatasetRef{Name: "iris"},
		Metric:  "accuracy",
		CV:      trial.CV{Folds: 5, Seed: 0},
	}
}

func TestRunCrossValidates(t *testing.T) {
	w := New(nil)
	res := w.Run(context.Background(), irisRequest("knn", trial.Params{"n_neighbors": 5}))
	if res.State != trial.Complete {
		t.Fatalf("state %s: %s", res.State, res.Error)
	}
	if len(res.FoldScores) != 5 {
		t.Fatalf("%d fold scores, want 5", len(res.FoldScores))
	}
	var sum float64
	for _, s := range res.FoldScores {
		sum += s
	}
	if math.Abs(sum/5-res.Score) > 1e-12 {
		t.Errorf("score %v is not the mean of %v", res.Score, res.FoldScores)
	}
	if res.Score < 0.9 {
		t.Errorf("knn on iris scored %v, want > 0.9", res.Score)
	}
	if res.DatasetSource != "local" {
		t.Errorf("first load came from %q, want local", res.DatasetSource)
	}
	again := w.Run(context.Background(), irisRequest("knn", trial.Params{"n_neighbors": 5}))
	if again.DatasetSource != "memory" {
		t.Errorf("second load came from %q, want memory", again.DatasetSource)
	}
	if again.Score != res.Score {
		t.Errorf("same trial scored %v then %v", res.Score, again.Score)
	}
}

// The score of a trial depends only on its parameters, seed and data, not
// on how many trials run at once.
func TestRunDeterministicUnderConcurrency(t *testing.T) {
	w := New(nil)
	req := irisRequest("random_forest", trial.Params{"n_estimators": 20})
	want := w.Run(context.Background(), req)
	if want.State != trial.Complete {
		t.Fatalf("state %s: %s", want.State, want.Error)
	}
	var wg sync.WaitGroup
	got := make([]trial.Result, 8)
	for i := range got {
		wg.Go(func() { got[i] = w.Run(context.Background(), req) })
	}
	wg.Wait()
	for i, g := range got {
		if g.Score != want.Score {
			t.Errorf("run %d scored %v, want %v", i, g.Score, want.Score)
		}
	}
}

func TestRunFailures(t *testing.T) {
	w := New(nil)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		req  Request
		want string
	}{
		{"unknown model", context.Background(), irisRequest("knnn", nil), "unknown model"},
		{"unknown parameter", context.Background(), irisRequest("knn", trial.Params{"k": 3}), "unknown parameter"},
		{"bad value", context.Background(), irisRequest("knn", trial.Params{"weights": "uniformm"}), "not one of"},
		{"metric for other task", context.Background(), func() Request {
			r := irisRequest("knn", nil)
			r.Metric = "nope"
			return r
		}(), "unknown metric"},
		{"cancelled", cancelled, irisRequest("knn", nil), "context canceled"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := w.Run(tt.ctx, tt.req)
			if res.State != trial.Failed || !strings.Contains(res.Error, tt.want) {
				t.Errorf("state %s error %q, want failed with %q", res.State, res.Error, tt.want)
			}
		})
	}
}

func TestRunObjective(t *testing.T) {
	w := New(nil)
	res := w.Run(context.Background(), Request{Trial: trial.Trial{Model: "branin", Params: trial.Params{"x1": math.Pi, "x2": 2.275}}})
	if res.State != trial.Complete || math.Abs(res.Score-0.397887) > 1e-5 {
		t.Errorf("branin at a minimizer: %s %v %s", res.State, res.Score, res.Error)
	}
}

func TestRunBudgetOverridesParameter(t *testing.T) {
	w := New(nil)
	req := irisRequest("random_forest", trial.Params{"n_estimators": 50})
	req.Trial.Budget = trial.Budget{Name: "n_estimators", Value: 3, Rung: 0}
	small := w.Run(context.Background(), req)
	req.Trial.Budget = trial.Budget{}
	req.Trial.Params = trial.Params{"n_estimators": 3}
	same := w.Run(context.Background(), req)
	if small.State != trial.Complete || small.Score != same.Score {
		t.Errorf("budget n_estimators=3 scored %v (%s), explicit n_estimators=3 scored %v", small.Score, small.Error, same.Score)
	}
	req.Trial.Budget = trial.Budget{Name: DataFraction, Value: 0.5}
	if r := w.Run(context.Background(), req); r.State != trial.Complete {
		t.Errorf("data_fraction: %s", r.Error)
	}
}
