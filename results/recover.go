package results

import (
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
	var r Recovery // see recovery.go, which streams the events
	for _, e := range events {
		r.Add(e)
	}
	return r.Recovered(found, seed, at)
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
