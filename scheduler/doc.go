// Package scheduler runs a study: it asks a Sampler for trials, journals
// each dispatch to a results.Store, runs up to Parallel trials at once
// through an Executor, journals each result durably before acting on it,
// tells the sampler, and stops on the first of: MaxTrials dispatched, the
// sampler exhausted, MaxFailed failures, or cancellation.
//
// Run is the whole loop. One goroutine — the one that called Run — makes
// every decision and owns the sampler, the counts and the store's writes;
// the Parallel worker goroutines only call Execute and hand back what it
// returned. At Parallel 1 Run's goroutine mostly calls Execute itself, and
// writes a batch itself when nothing is executing: a sequential study of
// fast trials then hands nothing from one goroutine to another between
// trials. The plumbing (sampler, executor, store, clock, progress
// callback) is injected through Config, so tests drive the loop with a
// fake executor that records what it was given and when.
package scheduler
