package lambdaexec

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

var studyEvent = results.StudyEvent("s", time.Date(2026, 1, 2, 15, 4, 5, 1, time.UTC))

func TestStudyResults(t *testing.T) {
	ref := StudyResults("bkt", studyEvent)
	if ref == nil || ref.Bucket != "bkt" || ref.Prefix != "results/s-20260102T150405.000000001Z/" {
		t.Errorf("got %+v", ref)
	}
	if StudyResults("", studyEvent) != nil {
		t.Error("no bucket: want nil")
	}
}

func TestExecuteStoresResults(t *testing.T) {
	h := newHarness(t, Config{})
	h.ex.Results = StudyResults("bkt", studyEvent)
	res, err := h.ex.Execute(context.Background(), knnTrial(2))
	if err != nil || res.State != trial.Complete {
		t.Fatalf("%s %q %v", res.State, res.Error, err)
	}
	if res.Backend["stored"] != 1 {
		t.Errorf("Backend[stored] = %v, want 1", res.Backend["stored"])
	}
	if _, ok := h.s3.objects[h.ex.Results.Prefix+"2/1.json"]; !ok {
		t.Errorf("no result object; objects: %v", keys(h.s3.objects))
	}
}

// TestRecover: of the trials in flight in a journal, those with stored
// results are recovered from their lowest attempt; a stored result of
// another trial (another seed, or other parameters) is ignored; trials with a result in the journal are not
// looked at. RecoverInFlight, which takes the trials in flight instead
// of the events, finds the same.
func TestRecover(t *testing.T) {
	h := newHarness(t, Config{})
	h.ex.Results = StudyResults("bkt", studyEvent)
	ctx := context.Background()
	run := func(tr trial.Trial, attempt int) trial.Result {
		t.Helper()
		tr.Attempt = attempt
		res, err := h.ex.Execute(ctx, tr)
		if err != nil || res.State != trial.Complete {
			t.Fatalf("trial %d: %s %q %v", tr.Number, res.State, res.Error, err)
		}
		return res
	}
	run(knnTrial(0), 1)
	want1 := run(knnTrial(1), 3) // a duplicate's, stored first...
	run(knnTrial(1), 2)          // ...then the lower attempt's
	other := knnTrial(3)
	other.Seed++
	run(other, 1)
	otherParams := knnTrial(2) // the same number and seed, another scheduler's parameters
	otherParams.Params = trial.Params{"n_neighbors": 9.0}
	run(otherParams, 1)
	want5 := run(knnTrial(5), 1) // ran, but its dispatch never reached the journal

	events := []results.Event{studyEvent}
	for n := range 4 {
		tr := knnTrial(n)
		tr.Attempt = 1
		events = append(events, results.DispatchEvent(tr, time.Time{}))
	}
	events = append(events, results.ResultEvent(trial.Result{Number: 0, State: trial.Failed, Error: "journaled"}, time.Time{}))

	got, err := h.ex.Recover(ctx, events)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("recovered %d results, want trials 1 and 5: %+v", len(got), got)
	}
	if r := got[1]; r.Number != 5 || r.Score != want5.Score || r.Seed != want5.Seed || r.Backend["attempt"] != 1 {
		t.Errorf("recovered %d score %v seed %d backend %v; want trial 5's", r.Number, r.Score, r.Seed, r.Backend)
	}
	r := got[0]
	if r.Number != 1 || r.State != trial.Complete || r.Score != want1.Score || r.Backend["recovered"] != 1 || r.Backend["attempt"] != 2 {
		t.Errorf("recovered %d %s score %v backend %v; want trial 1, attempt 2, score %v", r.Number, r.State, r.Score, r.Backend, want1.Score)
	}

	// RecoverInFlight, given what a streamed journal's planner keeps (the
	// trials in flight, as last dispatched, and the next number), finds
	// the same.
	inflight := []trial.Trial{knnTrial(3), knnTrial(2), knnTrial(1)}
	if streamed, err := h.ex.RecoverInFlight(ctx, inflight, 4); err != nil || !reflect.DeepEqual(streamed, got) {
		t.Errorf("RecoverInFlight: %+v, %v; want Recover's %+v", streamed, err, got)
	}

	h.ex.Results = nil
	if got, err := h.ex.Recover(ctx, events); err != nil || len(got) != 0 {
		t.Errorf("without a results prefix: %v %v", got, err)
	}
}

// TestTrialTimeout: a trial that overruns the trial timeout is stopped
// by the worker, which reports it; one whose worker hangs is given up by
// the executor. Neither outcome depends on the machine's speed: the
// executor waits a grace of a second beyond the timeout for the worker's
// report, and the hanging worker hangs for an hour.
func TestTrialTimeout(t *testing.T) {
	h := newHarness(t, Config{TrialTimeout: 300 * time.Millisecond})
	tests := []struct {
		name   string
		params trial.Params
		want   string
	}{
		{"the worker stops the trial", trial.Params{"_sleep_ms": float64(time.Hour / time.Millisecond)}, "within the trial timeout (300ms)"},
		{"the executor stops waiting", trial.Params{"_hang_ms": float64(time.Hour / time.Millisecond)}, "no answer within the trial timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := h.ex.Execute(context.Background(), trial.Trial{Number: 1, Model: "noop", Params: tt.params})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != trial.Failed || !strings.Contains(res.Error, tt.want) {
				t.Errorf("got %s %q, want failed with %q", res.State, res.Error, tt.want)
			}
		})
	}
	if n := len(h.lambda.requests); n != 2 {
		t.Errorf("%d invocations, want 2: timeouts are not retried", n)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
