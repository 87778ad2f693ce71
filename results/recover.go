package results

import (
	"fmt"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Recovered returns the events that journal found, results of trials in
// flight when a study was interrupted that were recovered from elsewhere
// (the results a Lambda worker stored in S3), after events, the study's
// journal as read: for each result a dispatch first if its trial has
// none in events (its Model, Params, Seed and Budget are the result's,
// Attempt its Backend "attempt"), then the result, stamped at.
//
// A result is left out, with the reason in ignored, if the journal would
// then hold what no scheduler writes (see Checker): a trial number far
// beyond those dispatched, a second result for a trial, a result that
// differs from its trial's dispatch; and a result for a trial without a
// dispatch whose seed is not seed(number), the seed the study gives that
// trial. Stored results come from whoever may write to the bucket: what
// is journaled must not make the journal unreadable or steer the resume.
func Recovered(events []Event, found []trial.Result, seed func(number int) uint64, at time.Time) (journal []Event, ignored []string) {
	var check Checker
	dispatched := map[int]bool{}
	for i, e := range events {
		// events were read through a Checker: this only builds its state.
		check.Check(e, "journal", i+1)
		if e.Type == EventDispatch {
			dispatched[e.Trial.Number] = true
		}
	}
	for _, r := range found {
		var add []Event
		if !dispatched[r.Number] {
			if seed != nil && r.Seed != seed(r.Number) {
				ignored = append(ignored, fmt.Sprintf("ignoring the stored result of trial %d: its seed is not the study's", r.Number))
				continue
			}
			add = append(add, DispatchEvent(trial.Trial{Number: r.Number, Model: r.Model, Params: r.Params,
				Seed: r.Seed, Budget: r.Budget, Attempt: int(r.Backend["attempt"])}, at))
		}
		add = append(add, ResultEvent(r, at))
		if err := checkAll(&check, add); err != nil {
			ignored = append(ignored, fmt.Sprintf("ignoring the stored result of trial %d: %v", r.Number, err))
			continue
		}
		dispatched[r.Number] = true
		journal = append(journal, add...)
	}
	return journal, ignored
}

// checkAll checks events in turn. Recovered's dispatch, made from its
// result, is refused only for its number: when it passes, its result
// does too, so a refusal leaves nothing of the pair in c.
func checkAll(c *Checker, events []Event) error {
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return err
		}
		if err := c.Check(e, "S3", 0); err != nil {
			return err
		}
	}
	return nil
}
