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
//	PREFIX/NAME/checkpoint/delta/00000000000000001001-00000000000000001512.jsonl.gz   segments 1001..1512 (see Deltas)
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
// A checkpoint is one gzip stream, of one member or several: a writer
// keeps its newest checkpoint's bytes rather than the journal's lines,
// and writes the next as those bytes followed by a member of the lines
// committed since, its SHA-256 carried on from the one before (a
// 100,000-trial study's writer so holds its journal in about a sixth of
// its 60 MB, and compresses each line once for all its checkpoints).
// A reader reads either kind the same way.
//
// A reader lists the checkpoints, reads the newest that reads well and
// then only the segments after it (a LIST with StartAfter): a handful of
// requests whatever the study's size. A checkpoint that is torn, fails
// its checksum or does not decode is passed over for an older one, or
// for the segments alone.
//
// The writer writes one in the background after a commit once
// EnvCheckpointSegments segments (1,000 by default) and a quarter of the
// journal have been committed since the newest, or 8 MiB of journal
// lines and a quarter of the journal's bytes (a scheduler at parallel
// 1,000 commits about a hundred trials a segment), so that all checkpoints
// together write at most about five times the journal's bytes; and Close
// writes one when 16 or more segments came after the newest. A closed
// journal is so read in three requests.
//
// # Deltas
//
// A writer that is killed (SIGKILL, a lost machine) does not Close, and
// up to a fifth of its journal may follow its newest checkpoint. So the
// writer also keeps a stack of deltas over the segments after the newest
// checkpoint, an LSM's tiers: a delta is the journal lines of segments
// FROM..TO, gzip'd, with FROM, TO and the SHA-256 of its bytes in its
// metadata. Once EnvDeltaSegments segments (8 by default) follow the
// stack, in a journal of more than 16, the writer pushes a delta of
// them, after merging into it the deltas on top of the stack that are
// no longer than it: the object written covers them all. So each delta
// is longer than the one above it, like the digits of a binary counter,
// and the stack over n segments holds about log2(n/8) deltas — at most
// 6: a push that would make it 7 merges the top one into the new delta
// too. A merge
// concatenates the merged deltas' gzip members with the new one (a gzip
// stream of several members is one stream to a reader), so nothing is
// compressed twice; the merged deltas are then deleted (S3 charges
// nothing for a delete). A segment is written into about log2 deltas
// before a checkpoint covers it: once a checkpoint is written, the next
// delta starts a new stack on it, and the old stack's deltas are deleted
// then. Checkpoints and deltas are written in the background by two
// goroutines, one for each, so that deltas keep up with the commits
// while a checkpoint of a large journal is being written; Close cancels
// them. A commit waits for them only when 11 committed segments follow
// the newest delta or checkpoint while the delta writer runs (S3 slow for
// deltas, say): then it waits until a delta is written, or the delta
// writer fails (the next commit starts another), or Close.
//
// A reader lists the checkpoints and deltas (one LIST: deltas are under
// the checkpoints' prefix), plans for each checkpoint the fewest objects
// that cover the segments from it to the last a delta covers (deltas,
// and single segments where none serves), starts from the checkpoint
// whose plan needs the fewest GETs (the newest may not have deltas after
// it yet), reads the plan's objects at once, and then lists and reads
// the segments after them. A killed writer's study is so read in at
// most 20 requests whatever its size (about a dozen when the delta
// writer kept up): the LIST, the checkpoint, the deltas of the stack (6
// at most), the LIST of the segments after the deltas and a GET of each
// (11 at most; fewer than 8 when the delta writer kept up). A
// delta whose checksum, metadata, compression or records are wrong is
// planned around (smaller deltas or its segments), as is one listed but
// gone (a running writer merged it; the reader lists again, a few times
// at most); leftovers of a writer killed between a merge and its
// deletes are planned around too. A writer that reopens a study
// continues the stack it read.
//
// A resume reads the journal to decide what is left to run, then
// reopens it to append: ScanSnapshot keeps the objects its read decoded
// (compressed, as a writer keeps them), and Snapshot.Reopen decodes them
// again and lists the segments after them, reading only those appended
// since (by another writer, whose next segment then refuses this one's
// commit as always). The journal is so read from S3 once, and one LIST.
//
// Checkpoints and deltas change none of the guarantees above. A
// checkpoint or delta holds only segments that S3 acknowledged to its
// writer (or that the writer read back on Reopen), and segments are
// immutable, so two writers' checkpoints of K (or deltas of FROM..TO)
// hold the same lines; each is written with If-None-Match too, once.
// Segments are never deleted: the segments remain the journal, a
// checkpoint or delta only a shortcut to some of them, so a reader that
// ignores both reads the same journal, and a failed write of either is
// no error. A writer whose commit failed writes neither from then on.
//
// There is no lock to take: S3 has none. A scheduler learns that another
// one runs the study only when it writes, and whichever writes a number
// second stops — the one started last, usually, but the first one if it
// had nothing to write meanwhile.
//
// Journal implements results.Store; its tests run results/storetest
// against an in-memory S3 that honours If-None-Match and paginates.
package s3journal
