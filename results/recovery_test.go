package results_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestRecoveryIsRecovered: a Recovery given a journal's events one at a
// time decides as Recovered does of the whole slice, for results that
// are journaled (a trial in flight, one beyond the journal) and results
// that are ignored (a second result, another seed, a number far beyond).
func TestRecoveryIsRecovered(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	seed := func(n int) uint64 { return uint64(100 + n) }
	tr := func(n int) trial.Trial {
		return trial.Trial{Number: n, Model: "knn", Params: trial.Params{"k": float64(n)}, Seed: seed(n), Attempt: 1}
	}
	res := func(n int) trial.Result {
		return trial.Result{Number: n, Model: "knn", Params: trial.Params{"k": float64(n)}, Seed: seed(n), State: trial.Complete,
			Score: 0.5, Backend: map[string]float64{"recovered": 1, "attempt": 1}}
	}
	events := []results.Event{results.StudyEvent("s", at)}
	for n := range 3 {
		events = append(events, results.DispatchEvent(tr(n), at))
	}
	events = append(events, results.ResultEvent(res(0), at))
	otherSeed := res(4)
	otherSeed.Seed++
	found := []trial.Result{res(0), res(1), res(3), otherSeed, res(results.MaxTrialNumberGap + 10)}

	wantJournal, wantIgnored := results.Recovered(events, found, seed, at)
	var r results.Recovery
	for _, e := range events {
		r.Add(e)
	}
	journal, ignored := r.Recovered(found, seed, at)
	if !reflect.DeepEqual(journal, wantJournal) || !reflect.DeepEqual(ignored, wantIgnored) {
		t.Fatalf("Recovery: %d events, ignored %q; Recovered: %d events, ignored %q", len(journal), ignored, len(wantJournal), wantIgnored)
	}
	if len(journal) != 3 || len(ignored) != 3 {
		t.Errorf("journaled %d events (want trial 1's result, trial 3's dispatch and result), ignored %q (want 3)", len(journal), ignored)
	}
}
