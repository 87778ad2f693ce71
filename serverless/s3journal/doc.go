// Package s3journal keeps a study in S3 instead of a local directory, so
// that a study run by a scheduler on an ephemeral machine can be resumed
// from another one.
//
// The study at s3://BUCKET/PREFIX/NAME holds the same files as a study
// directory, and its journal as numbered segments:
//
//	PREFIX/NAME/spec.yaml
//	PREFIX/NAME/spec.json
//	PREFIX/NAME/journal/00000000000000000001.jsonl   the study event
//	PREFIX/NAME/journal/00000000000000000002.jsonl   the events of one Append
//	...
//
// Each segment holds the journal lines of one commit (one Append, or
// several concurrent Appends gathered together) and is written with a
// conditional PUT (If-None-Match: *). So:
//
//   - the sequence number is the commit order, and the journal is the
//     segments read in that order;
//   - a segment is whole or absent (a PUT is atomic): there is no torn
//     tail to repair after a crash, and a resume simply continues at the
//     next number;
//   - two schedulers cannot both write a study: they would both try to
//     write the same next segment, and the second is refused with 412
//     Precondition Failed, which Append reports as a *ConflictError
//     wrapping results.ErrLocked. The refused one writes nothing more.
//
// There is no lock to take: S3 has none. A scheduler learns that another
// one runs the study only when it writes, and whichever writes a number
// second stops — the one started last, usually, but the first one if it
// had nothing to write meanwhile.
//
// Journal implements results.Store; its tests run results/storetest
// against an in-memory S3 that honours If-None-Match and paginates.
package s3journal
