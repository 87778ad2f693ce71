// Package scheduler runs a study: it asks a Sampler for trials, journals
// each dispatch to a results.Store, runs up to Parallel trials at once
// through an Executor, queues each result for the journal and tells the
// sampler at once, in journal order, and stops on the first of: MaxTrials
// dispatched, the sampler exhausted, MaxFailed failures, a stop rule,
// cancellation, or a backend unavailable for longer than OutageTimeout
// (while it is unavailable, dispatching pauses and its trials are held in
// flight, to run again when it answers: see Run). The journal is written in the order events are queued,
// one batch at a time, while the study goes on; what the study reports
// (counts, results, progress) is what the journal holds.
//
// Run is the whole loop. One goroutine — the one that called Run — makes
// every decision and owns the sampler, the counts and the order of the
// store's writes; the Parallel worker goroutines only call Execute and
// hand back what it returned, and the journal's batches are appended in
// order by a goroutine each (writer.go), or by Run's own once nothing is
// left to run. At Parallel 1 Run's goroutine calls Execute itself: a
// sequential study of fast trials hands a goroutine only its batches to
// write. The plumbing (sampler, executor, store, clock, progress
// callback) is injected through Config, so tests drive the loop with a
// fake executor that records what it was given and when.
package scheduler
