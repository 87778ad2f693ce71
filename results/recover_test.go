package results_test

import (
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/trial"
)

// TestRecovered: results recovered from S3 are journaled with a dispatch
// when their trial has none, unless they would make the journal one no
// scheduler writes — a forged trial number far beyond the others, a
// second result, a budget or seed that is not the trial's — which are
// ignored with a reason, so that a hostile object in the bucket cannot
// make the study unreadable or steer its resume.
func TestRecovered(t *testing.T) {
	seed := func(n int) uint64 { return storetest.Trial(n).Seed }
	events := []results.Event{results.StudyEvent("s", at), dispatch(0, 1), result(0), dispatch(1, 1), dispatch(2, 1)}
	stored := func(n int, change func(*trial.Result)) trial.Result {
		r := storetest.Result(n)
		r.Backend = map[string]float64{"recovered": 1, "attempt": 2}
		change(&r)
		return r
	}
	same := func(*trial.Result) {}
	found := []trial.Result{
		stored(0, same), // has its result already
		stored(1, same), // in flight: its result only
		stored(2, func(r *trial.Result) { r.Budget.Value = 7 }), // not its dispatch's budget
		stored(3, same), // dispatch lost at the crash: a dispatch too
		stored(4, func(r *trial.Result) { r.Seed++ }), // not the study's seed
		stored(999999999999, same),                    // forged
		stored(5, same),                               // after 3, a gap of one
	}
	journal, ignored := results.Recovered(events, found, seed, at)
	var got []string
	for _, e := range journal {
		switch e.Type {
		case results.EventDispatch:
			got = append(got, "d"+trial.FormatValue(float64(e.Trial.Number)))
			if e.Trial.Attempt != 2 {
				t.Errorf("dispatch of trial %d has attempt %d, want the stored 2", e.Trial.Number, e.Trial.Attempt)
			}
		case results.EventResult:
			got = append(got, "r"+trial.FormatValue(float64(e.Result.Number)))
		}
	}
	if want := "r1 d3 r3 d5 r5"; strings.Join(got, " ") != want {
		t.Errorf("journaled %q, want %q", strings.Join(got, " "), want)
	}
	for i, want := range []string{"trial 0: inconsistent journal record: a second result for trial 0", "trial 2: inconsistent journal record: a result for trial 2 whose budget differs",
		"trial 4: its seed is not the study's", "trial 999999999999: inconsistent journal record: a dispatch of trial 999999999999, more than 100000 beyond"} {
		if i >= len(ignored) || !strings.Contains(ignored[i], want) {
			t.Errorf("ignored %q, want %d: %q", ignored, i, want)
		}
	}
	// What Recovered journals reads back.
	all := append(append([]results.Event{}, events...), journal...)
	if _, err := results.ReadJournal(strings.NewReader(string(must(results.EncodeEvents(all)))), "j"); err != nil {
		t.Errorf("the journal with the recovered results: %v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
