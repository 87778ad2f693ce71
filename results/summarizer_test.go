package results_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestSummarizerIsSummarize: a Summarizer fed a journal's events one at a
// time gives Summarize's Summary, for journals with trials in flight,
// failures, pruned trials, results of undispatched (recovered) trials and
// stop events.
func TestSummarizerIsSummarize(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 3))
		events := []results.Event{results.StudyEvent("s", at)}
		for n := range rng.IntN(120) {
			tr := trial.Trial{Number: n, Model: "m", Attempt: 1}
			if rng.IntN(8) != 0 {
				events = append(events, results.DispatchEvent(tr, at))
				if rng.IntN(5) == 0 {
					tr.Attempt = 2
					events = append(events, results.DispatchEvent(tr, at))
				}
			}
			r := trial.Result{Number: n, Model: "m", State: trial.Complete, Score: float64(rng.IntN(30))}
			switch rng.IntN(6) {
			case 0:
				continue // in flight
			case 1:
				r.State, r.Error = trial.Failed, "boom"
			case 2:
				r.State = trial.Pruned
			}
			events = append(events, results.ResultEvent(r, at))
			if rng.IntN(20) == 0 {
				events = append(events, results.StopEvent("interrupted", at))
			}
		}
		for _, dir := range []trial.Direction{trial.Minimize, trial.Maximize} {
			t.Run(fmt.Sprintf("seed%d/%s", seed, dir), func(t *testing.T) {
				z := results.NewSummarizer(dir)
				for _, e := range events {
					z.Add(e)
				}
				if got, want := z.Summary(), results.Summarize(events, dir); !reflect.DeepEqual(got, want) {
					t.Errorf("Summarizer %+v\nSummarize  %+v", got, want)
				}
			})
		}
	}
}
