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
// more trials to propose (a finished grid); Run then stops asking. Tell
// receives every result Run journals, in journal order, including failed
// ones; results of trials cut short by cancellation are not told.
type Sampler interface {
	Ask(n int) (t trial.Trial, ok bool)
	Tell(r trial.Result)
}

// Learner is implemented by samplers whose proposals depend on the
// results told so far (TPE, early stopping). Run asks a sampler whose
// Learns returns true for a new trial only once every finished trial's
// result has been journaled and told: a finished trial's slot is refilled
// after its result is durable, not before. So what such a sampler
// proposes depends on the order of tells, not on how fast the journal is
// written; with Parallel 1 it sees every earlier result, as in a
// sequential study.
type Learner interface {
	Learns() bool
}
