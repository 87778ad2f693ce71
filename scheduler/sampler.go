package scheduler

import "github.com/hpsearch/hpsearch/trial"

// Sampler proposes trials and learns from their results, ask/tell style.
// It has the shape of search.Sampler, so every sampler of package search
// satisfies it; the scheduler declares its own to keep its dependency on
// search one of behaviour, not of import.
//
// Run calls Ask and Tell from one goroutine only, so a sampler need not be
// safe for concurrent use. Run asks for n = 0, 1, 2, ... in order, each n
// once; then sets the trial's Number to n and its Seed from Config.Seed,
// so the sampler need not. Ask returns ok false when the sampler has no
// more trials to propose (a finished grid); Run then stops asking.
//
// Tell receives each result as Run queues it for the journal, in journal
// order, including failed ones; results of trials cut short by
// cancellation are not told. That is before the result is durable — its
// write may be in progress, so Tell must not modify it or the maps it
// holds — and before Run asks again: every finished result is told before
// the next Ask, so with Parallel 1 trial n is asked knowing the n results
// before it, as in a sequential study, and at any Parallel what the
// sampler proposes depends on the order of its asks and tells, never on
// how fast the journal is written. That order is the journal's: a trial's
// dispatch is journaled after every result told before it was asked, and
// before every result told after. So replaying a journal cut short by a
// crash (Ask at each trial's first dispatch, Tell at each result, as
// resume does) rebuilds the sampler as it was when it had seen the last
// of those events, and it goes on to propose what it would have. If the
// store fails, Run returns its error and the sampler may have been told
// results the journal lacks.
type Sampler interface {
	Ask(n int) (t trial.Trial, ok bool)
	Tell(r trial.Result)
}
