package results

import (
	"fmt"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Recovery is Recovered for a journal read one event at a time, so that
// a resume that streams a journal of any size decides what to journal
// from what it recovered without holding the journal: it keeps what a
// Checker keeps of the journal, a few words a trial. Add the journal's
// events in order, then call Recovered once. The zero Recovery is ready
// for a journal's first event. It is not safe for concurrent use.
type Recovery struct {
	check   Checker
	records int
}

// Add reads the journal's next event. The events must have been read
// through a Checker (any reader of journals does): Add only builds its
// state from them.
func (r *Recovery) Add(e Event) {
	r.records++
	r.check.Check(e, "journal", r.records)
}

// Recovered is Recovered of the events added: the events to journal for
// found, and why any of found was ignored.
func (r *Recovery) Recovered(found []trial.Result, seed func(number int) uint64, at time.Time) (journal []Event, ignored []string) {
	for _, res := range found {
		var add []Event
		if _, dispatched := r.check.trials[res.Number]; !dispatched {
			if seed != nil && res.Seed != seed(res.Number) {
				ignored = append(ignored, fmt.Sprintf("ignoring the stored result of trial %d: its seed is not the study's", res.Number))
				continue
			}
			add = append(add, DispatchEvent(trial.Trial{Number: res.Number, Model: res.Model, Params: res.Params,
				Seed: res.Seed, Budget: res.Budget, Attempt: int(res.Backend["attempt"])}, at))
		}
		add = append(add, ResultEvent(res, at))
		if err := checkAll(&r.check, add); err != nil {
			ignored = append(ignored, fmt.Sprintf("ignoring the stored result of trial %d: %v", res.Number, err))
			continue
		}
		journal = append(journal, add...)
	}
	return journal, ignored
}
