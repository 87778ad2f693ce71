package scheduler

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

func TestSettle(t *testing.T) {
	tr := trial.Trial{Number: 7, Model: "knn", Seed: 99, Params: trial.Params{"k": 3},
		Budget: trial.Budget{Name: "n_estimators", Value: 10, Rung: 1}}
	start, end := epoch, epoch.Add(1500*time.Millisecond)
	for _, tc := range []struct {
		name    string
		r       trial.Result
		err     error
		state   trial.State
		errText string
	}{
		{"complete", trial.Result{State: trial.Complete, Score: 0.5}, nil, trial.Complete, ""},
		{"executor error", trial.Result{State: trial.Complete, Score: 0.5}, errors.New("unreachable"), trial.Failed, "unreachable"},
		{"non-final state", trial.Result{State: trial.Running}, nil, trial.Failed, `state "running"`},
		{"empty state", trial.Result{}, nil, trial.Failed, `state ""`},
		{"failed without reason", trial.Result{State: trial.Failed}, nil, trial.Failed, "without a reason"},
		{"NaN score", trial.Result{State: trial.Complete, Score: math.NaN()}, nil, trial.Failed, "score is NaN"},
		{"Inf fold", trial.Result{State: trial.Pruned, Score: 1, FoldScores: []float64{1, math.Inf(1)}}, nil, trial.Failed, "fold 1"},
		{"failed with NaN", trial.Result{State: trial.Failed, Error: "x", Score: math.NaN(), FoldScores: []float64{math.NaN()}}, nil, trial.Failed, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := settle(tr, tc.r, tc.err, start, end)
			if r.State != tc.state || !strings.Contains(r.Error, tc.errText) || (tc.errText == "") != (r.Error == "") {
				t.Errorf("settled to %s %q, want %s containing %q", r.State, r.Error, tc.state, tc.errText)
			}
			if r.Number != 7 || r.Seed != 99 || r.Model != "knn" || r.Params.Format() != "k=3" || r.Budget != tr.Budget {
				t.Errorf("identity not taken from the trial: %+v", r)
			}
			if !r.Started.Equal(start) || !r.Finished.Equal(end) || r.Seconds != 1.5 {
				t.Errorf("times: %v %v %g", r.Started, r.Finished, r.Seconds)
			}
			if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
				t.Errorf("score %v left non-finite", r.Score)
			}
			for _, f := range r.FoldScores {
				if math.IsNaN(f) || math.IsInf(f, 0) {
					t.Errorf("fold scores %v left non-finite", r.FoldScores)
				}
			}
		})
	}
	backend := map[string]float64{"billed_ms": 100, "bad": math.NaN()}
	r := settle(tr, trial.Result{State: trial.Complete, Backend: backend}, nil, start, end)
	if _, ok := r.Backend["bad"]; ok || r.Backend["billed_ms"] != 100 || len(backend) != 2 {
		t.Errorf("backend = %v (executor's map now %v)", r.Backend, backend)
	}
}
