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
//	PREFIX/NAME/checkpoint/00000000000000001000.jsonl.gz   segments 1..1000 (see Checkpoints)
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
// # Checkpoints
//
// Reading a journal segment by segment costs one GET a segment: 100,000
// for a 100,000-trial study. So the writer also writes checkpoints, each
// the journal lines of segments 1..K concatenated, gzip-compressed, with
// their SHA-256 and K in the object's metadata:
//
//	PREFIX/NAME/checkpoint/00000000000000001000.jsonl.gz
//
// A reader lists the checkpoints, reads the newest that reads well and
// then only the segments after it (a LIST with StartAfter): a handful of
// requests whatever the study's size. A checkpoint that is torn, fails
// its checksum or does not decode is passed over for an older one, or
// for the segments alone.
//
// The writer starts one in the background after a commit once
// EnvCheckpointSegments segments (1,000 by default) and a quarter of the
// journal have been committed since the newest, so that all checkpoints
// together write at most about five times the journal's bytes; and Close
// writes one when 16 or more segments came after the newest. A crashed
// writer leaves at most a fifth of its journal (or 1,000 segments) to be
// read segment by segment; a closed one fewer than 16.
//
// Checkpoints change none of the guarantees above. A checkpoint holds
// only segments that S3 acknowledged to its writer (or that the writer
// read back on Reopen), and segments are immutable, so two writers'
// checkpoints of K hold the same lines; it is written with If-None-Match
// too, once. Segments are never deleted: the segments remain the
// journal, a checkpoint only a shortcut to its first K segments, so a
// reader that ignores checkpoints reads the same journal, and a failed
// checkpoint write is no error. A writer whose commit failed writes no
// checkpoint at Close.
//
// There is no lock to take: S3 has none. A scheduler learns that another
// one runs the study only when it writes, and whichever writes a number
// second stops — the one started last, usually, but the first one if it
// had nothing to write meanwhile.
//
// Journal implements results.Store; its tests run results/storetest
// against an in-memory S3 that honours If-None-Match and paginates.
package s3journal
