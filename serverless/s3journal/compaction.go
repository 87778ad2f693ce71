package s3journal

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvDeltaSegments names the environment variable that sets how many
// segments a writer commits before it writes a delta of them (default
// DefaultDeltaSegments). Tests set it low or high.
const EnvDeltaSegments = "HPSEARCH_S3_DELTA_SEGMENTS"

// DefaultDeltaSegments is the fewest segments a new delta covers when
// EnvDeltaSegments is unset: at most this many less one are left for a
// reader of a killed writer's journal to read one by one.
const DefaultDeltaSegments = 8

// deltaEvery returns the fewest segments a new delta covers, from
// EnvDeltaSegments.
func deltaEvery() (uint64, error) {
	return segmentsFromEnv(EnvDeltaSegments, DefaultDeltaSegments)
}

// maxStack is the most deltas a writer's stack holds: a push that would
// make it longer merges the deltas on top into the new one beyond the
// binary counter's rule (see writeDelta), so that a reader's plan from a
// checkpoint is at most this many deltas whatever the journal's length.
const maxStack = 6

// maxDeltaLag is the most segments a commit may leave after the newest
// delta or checkpoint while the delta writer runs: beyond it the commit
// waits for the delta writer to push one (see Journal.commit). With
// maxStack, it bounds the requests of a read of a killed writer's study:
// a LIST of the checkpoints and deltas, the checkpoint, at most maxStack
// deltas, the LIST of the segments after them and at most maxDeltaLag of
// them — 3 + 6 + 11 = 20.
const maxDeltaLag = 11

// run is a delta the writer keeps on its stack: segments from..to, and
// the delta object's bytes (gzip members), which a merge concatenates
// without compressing them again.
type run struct {
	from, to uint64
	body     []byte
}

func (r run) segments() uint64 { return r.to - r.from + 1 }

// startCompaction starts, in the background, the checkpoint writer if a
// checkpoint is due and the delta writer if a delta is, each unless it
// runs already. They run side by side, so that deltas keep up with the
// commits while a checkpoint of the whole journal is being written. The
// caller holds mu.
func (j *Journal) startCompaction() {
	if j.closed || j.broken != nil {
		return
	}
	k, size := j.next-1, j.size()
	if !j.checkpointing && checkpointDue(k, j.checkpointed, j.every, size, j.tailOff) {
		j.checkpointing = true
		ctx, cancel := context.WithCancel(context.Background())
		j.cancelCheckpoint = cancel
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			defer cancel()
			j.checkpoints(ctx, k, size)
		}()
	}
	if !j.compacting && j.deltaDue(k) {
		j.compacting = true
		ctx, cancel := context.WithCancel(context.Background())
		j.cancelCompaction = cancel
		j.wg.Add(1)
		go func() {
			defer j.wg.Done()
			defer cancel()
			j.deltas(ctx, k, size)
		}()
	}
}

// deltaDue reports whether a delta of the segments after the stack is
// due once segments 1..k are committed: deltaEvery of them at the least,
// in a journal of more segments than Close leaves without a checkpoint
// (a small study keeps only its segments). The caller holds mu, or is
// the delta writer.
func (j *Journal) deltaDue(k uint64) bool {
	return k > closeCheckpointSegments && k >= j.stackEnd+j.deltaEvery
}

// checkpoints writes checkpoints while one is due, until ctx is
// cancelled (by Close), a commit has failed, or a write fails (the next
// commit tries again). The first covers the segments to first, committed
// when it was started, whose lines end at firstSize in the journal;
// later ones what has been committed since. Each is the archive of the
// newest extended by the lines after it (see archive); once written it
// is the Journal's archive, and the lines it covers are dropped from the
// tail. A checkpoint written is where the delta writer starts a new
// stack (rebase). Only the checkpoint writer, one at a time, and Close,
// once it has stopped, change the archive and the tail's start.
func (j *Journal) checkpoints(ctx context.Context, first uint64, firstSize int) {
	defer func() {
		j.mu.Lock()
		j.checkpointing = false
		j.idle.Broadcast()
		j.mu.Unlock()
	}()
	for pass := 0; ; pass++ {
		j.mu.Lock()
		k, size := j.next-1, j.size()
		if pass == 0 {
			k, size = first, firstSize
		}
		due := ctx.Err() == nil && j.broken == nil && checkpointDue(k, j.checkpointed, j.every, size, j.tailOff)
		base := j.archive
		var lines chunks
		if due {
			lines = j.tail.slice(0, size-j.tailOff)
		}
		j.mu.Unlock()
		if !due {
			return
		}
		next, err := base.extend(k, lines)
		if err != nil || j.writeCheckpoint(ctx, next) != nil {
			return
		}
		j.mu.Lock()
		if k > j.checkpointed {
			j.checkpointed, j.rebase, j.rebaseOff = k, k, size
			j.dropArchived(next)
		}
		j.idle.Broadcast() // a commit may wait for it (see commit)
		j.mu.Unlock()
	}
}

// dropArchived makes a, which covers a prefix of the tail, the Journal's
// archive, and drops the lines it covers from the tail: what the delta
// writer or a Scan took of the old tail stays as it was (see chunks).
// The caller holds mu.
func (j *Journal) dropArchived(a archive) {
	j.tail = j.tail.dropFront(a.size - j.tailOff)
	j.tailOff, j.archive = a.size, a
}

// deltas pushes deltas while one is due, until ctx is cancelled (by
// Close), a commit has failed, or a write fails (the next commit tries
// again); first and firstSize are as for checkpoints. Once a checkpoint
// newer than the stack's base has been written, it starts a new stack
// on it: the next delta covers the segments after the checkpoint, and
// once it is written the old stack's deltas are deleted, so that one
// LIST of a study finds a page of checkpoints and deltas, not all ever
// written. Only the delta writer touches the stack, and one runs at a
// time.
func (j *Journal) deltas(ctx context.Context, first uint64, firstSize int) {
	defer func() {
		j.mu.Lock()
		j.compacting = false
		j.idle.Broadcast()
		j.mu.Unlock()
	}()
	var stale []run // the deltas of the stack before the rebase
	for pass := 0; ; pass++ {
		j.mu.Lock()
		k, size := j.next-1, j.size()
		if pass == 0 {
			k, size = first, firstSize
		}
		if j.rebase > j.stackBase {
			stale = append(stale, j.stack...)
			j.stack, j.stackBase, j.stackEnd, j.stackEndOff = nil, j.rebase, j.rebase, j.rebaseOff
		}
		due := ctx.Err() == nil && j.broken == nil && j.deltaDue(k)
		var lines chunks
		if due {
			// The stack starts at the newest checkpoint or after it, so
			// its end is in the tail (see dropArchived).
			lines = j.tail.slice(j.stackEndOff-j.tailOff, size-j.tailOff)
		}
		j.mu.Unlock()
		if !due || j.writeDelta(ctx, k, lines) != nil {
			return
		}
		j.stackEndOff = size
		j.mu.Lock()
		j.deltaEnd = k
		j.idle.Broadcast() // a commit may wait for it (see commit)
		j.mu.Unlock()
		if len(stale) > 0 {
			j.deleteDeltas(ctx, stale)
			stale = nil
		}
	}
}

// writeDelta pushes segments stackEnd+1..k, whose journal lines are
// data, onto the stack as one delta object. The deltas on top of the
// stack that are no longer than the new one are merged with it first,
// so that each delta below is longer than the one above it and a stack
// over n segments holds about log2(n/deltaEvery) of them: the object
// written covers the merged deltas and the new segments, and is their
// gzip members concatenated (a gzip stream of several members is one
// stream to a reader) with the new segments' member, so a merge
// compresses nothing again. The merged deltas' objects are deleted once
// it is written: a reader that lists them picks the merged one, and S3
// does not charge for deletes.
func (j *Journal) writeDelta(ctx context.Context, k uint64, data chunks) error {
	if j.gz == nil {
		j.gz, _ = gzip.NewWriterLevel(nil, gzip.BestSpeed)
	}
	var member bytes.Buffer
	j.gz.Reset(&member)
	for _, p := range data.parts {
		if _, err := j.gz.Write(p); err != nil {
			return fmt.Errorf("s3journal: delta %d-%d: %w", j.stackEnd+1, k, err)
		}
	}
	if err := j.gz.Close(); err != nil {
		return fmt.Errorf("s3journal: delta %d-%d: %w", j.stackEnd+1, k, err)
	}
	top := run{from: j.stackEnd + 1, to: k}
	i := len(j.stack)
	for i > 0 && (j.stack[i-1].segments() <= top.segments() || i >= maxStack) {
		top.from = j.stack[i-1].from
		i--
	}
	var n int
	for _, r := range j.stack[i:] {
		n += len(r.body)
	}
	top.body = make([]byte, 0, n+member.Len())
	for _, r := range j.stack[i:] {
		top.body = append(top.body, r.body...)
	}
	top.body = append(top.body, member.Bytes()...)

	sum := sha256.Sum256(top.body)
	key := j.study.deltaKey(top.from, top.to)
	wctx, cancel := context.WithTimeout(ctx, checkpointTimeout)
	defer cancel()
	err := j.putNew(wctx, key, chunksOf(top.body), contentTypeGzip, map[string]string{
		metaBodySHA256: hex.EncodeToString(sum[:]),
		metaFrom:       strconv.FormatUint(top.from, 10),
		metaSegments:   strconv.FormatUint(top.to, 10),
	})
	var taken *takenError
	if err != nil && !errors.As(err, &taken) { // another writer's delta of the same segments holds the same lines
		return fmt.Errorf("s3journal: write delta %s: %w", j.study.url(key), err)
	}
	j.deleteDeltas(wctx, j.stack[i:])
	j.stack = append(j.stack[:i], top)
	j.stackEnd = k
	return nil
}

// deleteDeltas deletes the objects of runs, which a newer delta or
// checkpoint covers. A delete that fails leaves an object a reader
// plans around.
func (j *Journal) deleteDeltas(ctx context.Context, runs []run) {
	for _, r := range runs {
		j.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(j.study.Bucket), Key: aws.String(j.study.deltaKey(r.from, r.to))})
	}
}
