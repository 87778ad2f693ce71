package s3journal

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// API is the part of the S3 API a Journal uses; *s3.Client satisfies it.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

var (
	_ API           = (*s3.Client)(nil)
	_ results.Store = (*Journal)(nil)
)

// ConflictError is a journal segment that another writer wrote first:
// another scheduler runs the study. It wraps results.ErrLocked, as the
// local LOCK's refusal does.
type ConflictError struct {
	// Study and Segment are the s3:// URLs of the study and of the
	// segment both tried to write.
	Study, Segment string
	// Owner is the writer named in the segment's metadata; zero when it
	// names none.
	Owner results.Owner
}

func (e *ConflictError) Error() string {
	who := "another scheduler"
	if e.Owner.PID != 0 {
		who += " (" + e.Owner.String() + ")"
	}
	return fmt.Sprintf("s3journal: study %s is in use by %s, which wrote %s first; this run writes nothing more. Wait for that run to finish or stop it, then resume: hpsearch resume %s",
		e.Study, who, e.Segment, e.Study)
}

// Unwrap lets errors.Is find results.ErrLocked.
func (e *ConflictError) Unwrap() error { return results.ErrLocked }

// commitTimeout bounds one commit, the SDK's retries included. A commit
// is not cancelled with its Append's context (see results.Store), so
// something must end one that hangs.
const commitTimeout = time.Minute

// readConcurrency is how many segments Replay reads at once.
const readConcurrency = 32

// Journal is the Store of a study in S3. Each commit is one segment
// written with If-None-Match: *, numbered after the last: an Append that
// finds no commit in progress commits its events itself; Appends that
// arrive meanwhile wait, and are then committed together in one segment
// (group commit), by a goroutine the Journal owns until Close. A
// Journal from Create or Reopen keeps what it has read and written in
// memory, so its Events and Replay make no request: the segments its
// newest checkpoint covers as that checkpoint's compressed bytes, and
// the journal lines of those after it (see archive). One from Open
// reads S3 on each call and cannot append.
type Journal struct {
	api      API
	study    Location
	readOnly bool
	owner    results.Owner
	// token marks the objects this Journal writes (metaToken), so that a
	// read-back tells its own write from another writer's same bytes.
	token string

	mu   sync.Mutex
	idle *sync.Cond // on mu: signalled when committing turns false
	// queue holds the Appends waiting for the next commit; committing
	// says a commit is under way (by an Append or by drain), and only
	// its committer touches next and broken.
	queue      []*appendRequest
	committing bool
	closed     bool
	// next is the number of the segment to write next. The journal
	// lines of every segment before it are archive, segments
	// 1..archive.segments compressed (the newest checkpoint's bytes),
	// followed by tail, the lines of the segments after those; tailOff
	// is where tail starts in the journal's lines (archive.size), and
	// the offsets below are in the journal's lines too. tail holds each
	// segment's lines as the slice committed (see chunks): a commit
	// copies nothing.
	next    uint64
	archive archive
	tail    chunks
	tailOff int
	// broken is the error of the first failed commit: after it, whether
	// and what the store holds at next is unknown, or another scheduler
	// writes the study, so every later commit fails.
	broken error
	// every is the fewest segments between periodic checkpoints;
	// checkpointed the last segment the newest checkpoint covers, read
	// or written; checkpointing says the checkpoint writer runs (or
	// Close writes a checkpoint), which cancelCheckpoint cancels.
	every            uint64
	checkpointed     uint64
	checkpointing    bool
	cancelCheckpoint context.CancelFunc
	// rebase is the newest checkpoint written, where the delta writer
	// starts its next stack; its lines end at rebaseOff.
	rebase    uint64
	rebaseOff int
	// deltaEvery is the fewest segments a new delta covers; compacting
	// says the delta writer runs, which cancelCompaction cancels. The
	// stack is the deltas after segment stackBase (a checkpoint's, or 0),
	// oldest and longest first, covering segments to stackEnd, whose
	// journal lines end at stackEndOff; gz compresses new
	// deltas. Only the delta writer touches them once the Journal is
	// made.
	deltaEvery       uint64
	compacting       bool
	cancelCompaction context.CancelFunc
	stack            []run
	stackBase        uint64
	stackEnd         uint64
	stackEndOff      int
	gz               *gzip.Writer
	wg               sync.WaitGroup // drain and the checkpoint and delta writers

	// deltaEnd is the last segment the newest delta covers, under mu,
	// for the commits that wait for the delta writer (see commit).
	deltaEnd uint64
}

type appendRequest struct {
	data []byte
	done chan error // buffered: a committer never waits on an appender
}

func newJournal(api API, study Location, every, deltaEvery uint64) *Journal {
	host, _ := os.Hostname()
	j := &Journal{
		api: api, study: study, next: 1, every: every, deltaEvery: deltaEvery, archive: newArchive(),
		owner: results.Owner{Host: host, PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second)},
		token: rand.Text(),
	}
	j.idle = sync.NewCond(&j.mu)
	return j
}

// size returns the length of the journal's lines. The caller holds mu.
func (j *Journal) size() int { return j.tailOff + j.tail.len() }

// Dir returns the study's s3:// URL.
func (j *Journal) Dir() string { return j.study.String() }

// Create makes the study at study — its spec.yaml, spec.json and a
// journal that starts with a study event named after the location's last
// element — and returns its journal open for appending.
//
// If anything is stored under study already, Create fails with an error
// wrapping trial.ErrStudyExists, and so does the loser of two Creates
// racing for one study: spec.json, written first and conditionally,
// decides. A Create that fails after writing it deletes what it wrote; a
// process that dies before writing the journal leaves a study that
// Reopen refuses, saying so.
func Create(ctx context.Context, api API, study Location, specYAML, specJSON []byte) (_ *Journal, err error) {
	_, name := study.Split()
	if err := results.CheckStudyName(name); err != nil {
		return nil, fmt.Errorf("s3journal: create study %s: %w", study, err)
	}
	if found, err := Exists(ctx, api, study); err != nil {
		return nil, err
	} else if found {
		return nil, existsError(study)
	}
	every, err := checkpointEvery()
	if err != nil {
		return nil, err
	}
	deltas, err := deltaEvery()
	if err != nil {
		return nil, err
	}
	j := newJournal(api, study, every, deltas)
	var written []string
	defer func() {
		if err == nil {
			return
		}
		// Only what this Create wrote: a conditional PUT that was refused
		// wrote nothing, and one that failed may or may not have landed,
		// so each object is deleted only if it carries this Journal's
		// token.
		ctx := context.WithoutCancel(ctx)
		for _, key := range written {
			j.deleteOwn(ctx, key)
		}
	}()
	header, err := results.EncodeEvents([]results.Event{results.StudyEvent(name, time.Now().UTC())})
	if err != nil {
		return nil, fmt.Errorf("s3journal: create study: %w", err)
	}
	for _, f := range []struct {
		key, contentType string
		data             []byte
	}{
		{study.object(results.SpecJSONFile), "application/json", specJSON},
		{study.object(results.SpecYAMLFile), "application/yaml", specYAML},
		{study.segmentKey(1), contentTypeJSONL, header},
	} {
		if err := j.putNew(ctx, f.key, chunksOf(f.data), f.contentType, nil); err != nil {
			var taken *takenError
			if errors.As(err, &taken) {
				return nil, existsError(study)
			}
			written = append(written, f.key) // it may have landed
			return nil, fmt.Errorf("s3journal: create study %s: %w", study, err)
		}
		written = append(written, f.key)
	}
	j.next, j.tail = 2, chunksOf(header)
	return j, nil
}

func existsError(study Location) error {
	return fmt.Errorf("s3journal: %w: %s (choose another study name with `name:` in the spec or --name, or another --dir; to continue it: hpsearch resume %s)",
		trial.ErrStudyExists, study, study)
}

// Exists reports whether anything is stored under the study location.
func Exists(ctx context.Context, api API, study Location) (bool, error) {
	out, err := api.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(study.Bucket), Prefix: aws.String(study.Key + "/"), MaxKeys: aws.Int32(1),
	})
	if err != nil {
		return false, fmt.Errorf("s3journal: list %s: %w", study, err)
	}
	return len(out.Contents) > 0, nil
}

// Reopen opens the journal of the existing study at study for appending,
// to resume it, and returns it with what it held. Appends continue at the
// segment after the last; if another scheduler writes that segment first,
// the Append fails with a *ConflictError and the journal writes nothing
// more.
//
// A gap in the numbering or a segment that cannot be read is an error
// naming the segment (a *results.CorruptError for the latter); nothing is
// written. A location holding no journal is an error wrapping
// trial.ErrBadInput.
func Reopen(ctx context.Context, api API, study Location) (*Journal, results.Replay, error) {
	var out sink
	j, err := reopen(ctx, api, study, &out)
	if err != nil {
		return nil, results.Replay{}, err
	}
	return j, results.Replay{Events: out.events}, nil
}

// ReopenScan is Reopen for a journal too large to hold as events: it
// hands fn the journal's events one at a time, in order, instead of
// returning them. The Journal keeps the journal as every writer does
// for its checkpoints (the newest checkpoint's compressed bytes, and the
// lines of the segments after it), but not its events. A read that finds a
// checkpoint or delta damaged after fn had some of its events, and
// reads the journal again another way, calls reset first (if not nil):
// fn is then given the journal from its first event again, and what it
// made of the events before reset must be thrown away. An error from
// fn stops the read and is returned as it is; on any error, fn may have
// had some of the events.
func ReopenScan(ctx context.Context, api API, study Location, fn func(results.Event) error, reset func()) (*Journal, error) {
	return reopen(ctx, api, study, &sink{fn: fn, reset: reset})
}

// Scan reads the journal of the study at study as ReopenScan does, for
// a reader that will not append: it keeps neither the journal's events
// nor its bytes, so that a study of any size is read in the memory of
// what fn keeps. reset and the errors are as for ReopenScan.
func Scan(ctx context.Context, api API, study Location, fn func(results.Event) error, reset func()) error {
	_, err := readStudyJournal(ctx, api, study, &sink{fn: fn, reset: reset, dropBytes: true})
	return err
}

// readStudyJournal is readJournal of a journal that must be there and
// open with its study event: an empty one is noJournalError's error, and
// one that opens with another event is damaged.
func readStudyJournal(ctx context.Context, api API, study Location, out *sink) (journalRead, error) {
	read, err := readJournal(ctx, api, study, out)
	if err != nil {
		return read, err
	}
	if read.segments == 0 {
		return read, noJournalError(ctx, api, study)
	}
	if out.first.Type != results.EventStudy {
		return read, &results.CorruptError{File: study.url(study.segmentKey(1)), Line: 1,
			Err: errors.New("the journal does not start with a study event")}
	}
	return read, nil
}

// reopen is Reopen and ReopenScan, which hands the events to out.
func reopen(ctx context.Context, api API, study Location, out *sink) (*Journal, error) {
	every, err := checkpointEvery()
	if err != nil {
		return nil, err
	}
	deltas, err := deltaEvery()
	if err != nil {
		return nil, err
	}
	read, err := readStudyJournal(ctx, api, study, out)
	if err != nil {
		return nil, err
	}
	j := newJournal(api, study, every, deltas)
	j.next, j.checkpointed = read.segments+1, read.checkpoint
	j.archive, j.tail, j.tailOff = read.archive, chunksOf(read.data), read.archive.size
	// The deltas read continue as this writer's stack.
	j.stack, j.stackBase, j.stackEnd, j.stackEndOff = read.stack, read.checkpoint, read.stackEnd, read.stackEndOff
	j.rebase, j.deltaEnd = read.checkpoint, read.stackEnd
	return j, nil
}

// Open returns the journal of the study at study, for reading: Events
// and Replay read its segments from S3 on each call. Append on it returns
// results.ErrReadOnly.
func Open(api API, study Location) *Journal {
	j := newJournal(api, study, DefaultCheckpointSegments, DefaultDeltaSegments)
	j.readOnly = true
	return j
}

// noJournalError explains a study location without journal segments.
func noJournalError(ctx context.Context, api API, study Location) error {
	if _, err := ReadFile(ctx, api, study, results.SpecJSONFile); err == nil {
		return fmt.Errorf("s3journal: %w: %s has a %s but no journal: the run that created it stopped before it was done. Nothing ran; remove it (aws s3 rm --recursive %s/) and start again",
			trial.ErrBadInput, study, results.SpecJSONFile, study)
	}
	return fmt.Errorf("s3journal: %w: %s is not a study (it has no journal under %s)", trial.ErrBadInput, study, study.url(study.journalPrefix()))
}

// ReadFile returns the file name of the study at study (spec.yaml,
// spec.json). A missing one is an error wrapping fs.ErrNotExist.
func ReadFile(ctx context.Context, api API, study Location, name string) ([]byte, error) {
	key := study.object(name)
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(study.Bucket), Key: aws.String(key)})
	if err != nil {
		if s3data.IsNotFound(err) {
			return nil, fmt.Errorf("s3journal: %s: %w", study.url(key), fs.ErrNotExist)
		}
		return nil, fmt.Errorf("s3journal: get %s: %w", study.url(key), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("s3journal: get %s: %w", study.url(key), err)
	}
	return b, nil
}

// Append commits events as the next segment and returns once S3 has
// acknowledged it; see results.Store for the contract. An Append that
// arrives while a commit is under way waits for the next one, which
// carries every Append waiting then. Once a commit has failed every later
// Append fails too; a segment another scheduler wrote first is a
// *ConflictError.
func (j *Journal) Append(ctx context.Context, events ...results.Event) error {
	if j.readOnly {
		return fmt.Errorf("s3journal: append: %w", results.ErrReadOnly)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("s3journal: append: %w", err)
	}
	data, err := results.EncodeEvents(events)
	if err != nil {
		return fmt.Errorf("s3journal: append: %w", err)
	}
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return fmt.Errorf("s3journal: append: %w", results.ErrClosed)
	}
	if len(events) == 0 {
		j.mu.Unlock()
		return nil
	}
	r := &appendRequest{data: data, done: make(chan error, 1)}
	j.queue = append(j.queue, r)
	if j.committing {
		j.mu.Unlock()
		select {
		case err := <-r.done:
			return err
		case <-ctx.Done():
			return fmt.Errorf("s3journal: append: %w (the events may have been written)", ctx.Err())
		}
	}
	j.committing = true
	j.mu.Unlock()
	// Commit the queue (this Append's events alone, or with those that
	// came since), then leave whatever queued meanwhile to drain.
	j.commitQueued(ctx)
	j.mu.Lock()
	if len(j.queue) > 0 {
		j.wg.Add(1)
		go j.drain()
	} else {
		j.committing = false
		j.idle.Broadcast()
	}
	j.mu.Unlock()
	return <-r.done
}

// drain commits the queue until it is empty: the Appends that arrived
// during a commit. After Close it fails them instead.
func (j *Journal) drain() {
	defer j.wg.Done()
	for {
		j.mu.Lock()
		if j.closed {
			for _, r := range j.queue {
				r.done <- fmt.Errorf("s3journal: append: %w", results.ErrClosed)
			}
			j.queue = nil
		}
		if len(j.queue) == 0 {
			j.committing = false
			j.idle.Broadcast()
			j.mu.Unlock()
			return
		}
		j.mu.Unlock()
		j.commitQueued(context.Background())
	}
}

// commitQueued takes the queue and commits it as one segment. The caller
// is the committer.
func (j *Journal) commitQueued(ctx context.Context) {
	j.mu.Lock()
	batch := j.queue
	j.queue = nil
	j.mu.Unlock()
	// buf is kept as the segment's lines in the tail: sized exactly, and
	// one Append's own bytes when it is alone and they fill their array.
	buf := batch[0].data
	if len(batch) > 1 || cap(buf) > len(buf)+len(buf)/8 {
		n := 0
		for _, r := range batch {
			n += len(r.data)
		}
		buf = make([]byte, 0, n)
		for _, r := range batch {
			buf = append(buf, r.data...)
		}
	}
	err := j.commit(ctx, buf)
	for _, r := range batch {
		r.done <- err
	}
}

// commit writes data as segment next. The caller is the committer.
func (j *Journal) commit(ctx context.Context, data []byte) error {
	if j.broken != nil {
		return j.broken
	}
	// While the delta writer runs, a commit leaves at most maxDeltaLag
	// segments after the newest delta or checkpoint: a writer killed
	// now leaves no more to read one by one. It waits for the delta
	// writer otherwise (a delta is written in a PUT or two; one that
	// fails ends the wait, and the next commit starts another).
	j.mu.Lock()
	for j.compacting && !j.closed && j.next-1 >= max(j.deltaEnd, j.checkpointed)+maxDeltaLag {
		j.idle.Wait()
	}
	j.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	key := j.study.segmentKey(j.next)
	if err := j.putNew(ctx, key, chunksOf(data), contentTypeJSONL, nil); err != nil {
		var taken *takenError
		if errors.As(err, &taken) {
			j.broken = &ConflictError{Study: j.study.String(), Segment: j.study.url(key), Owner: taken.owner}
		} else {
			j.broken = fmt.Errorf("s3journal: append to %s: %w (the journal writes nothing more; resume the study to continue)", j.study.url(key), err)
		}
		return j.broken
	}
	j.mu.Lock()
	j.next++
	j.tail = j.tail.add(data)
	j.startCompaction()
	j.mu.Unlock()
	return nil
}

const contentTypeJSONL = "application/x-ndjson"

// Metadata keys naming the writer of an object (S3 lowercases them).
const (
	metaHost  = "hpsearch-host"
	metaPID   = "hpsearch-pid"
	metaSince = "hpsearch-since"
	metaToken = "hpsearch-token"
)

// takenError is an object that was at key before a conditional PUT, and
// is not what the PUT wrote.
type takenError struct {
	key   string
	owner results.Owner
}

func (e *takenError) Error() string { return e.key + " exists" }

// conflictRetries bounds the retries of a PUT that S3 refused because a
// conditional write of the same key was in progress (409).
const conflictRetries = 5

// putNew writes data at key with If-None-Match: *, with the writer's
// metadata and meta. An object already there is a *takenError, unless it
// holds data byte for byte and this Journal's token: then the SDK
// retried a PUT whose first attempt had landed, and the write is ours.
// The body is read from data's slices, not copied into one.
func (j *Journal) putNew(ctx context.Context, key string, data chunks, contentType string, meta map[string]string) error {
	metadata := map[string]string{
		metaHost: j.owner.Host, metaPID: strconv.Itoa(j.owner.PID), metaSince: j.owner.Since.Format(time.RFC3339),
		metaToken: j.token,
	}
	for k, v := range meta {
		metadata[k] = v
	}
	for attempt := 0; ; attempt++ {
		_, err := j.api.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(j.study.Bucket),
			Key:           aws.String(key),
			Body:          data.reader(),
			ContentLength: aws.Int64(int64(data.len())),
			ContentType:   aws.String(contentType),
			IfNoneMatch:   aws.String("*"),
			Metadata:      metadata,
		})
		switch {
		case err == nil:
			return nil
		case hasStatus(err, http.StatusPreconditionFailed, "PreconditionFailed"):
			return j.checkTaken(ctx, key, data)
		case hasStatus(err, http.StatusConflict, "ConditionalRequestConflict") && attempt < conflictRetries:
			select {
			case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
			case <-ctx.Done():
				return err
			}
		default:
			return err
		}
	}
}

// deleteOwn deletes the object at key if this Journal wrote it.
func (j *Journal) deleteOwn(ctx context.Context, key string) {
	out, err := j.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(j.study.Bucket), Key: aws.String(key)})
	if err != nil {
		return
	}
	out.Body.Close()
	if out.Metadata[metaToken] == j.token {
		j.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(j.study.Bucket), Key: aws.String(key)})
	}
}

// checkTaken reads the object at key, which a conditional PUT of data
// found there.
func (j *Journal) checkTaken(ctx context.Context, key string, data chunks) error {
	out, err := j.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(j.study.Bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("%s exists; reading it: %w", key, err)
	}
	defer out.Body.Close()
	there, err := io.ReadAll(out.Body)
	if err != nil {
		return fmt.Errorf("%s exists; reading it: %w", key, err)
	}
	if data.equal(there) && out.Metadata[metaToken] == j.token {
		return nil
	}
	t := &takenError{key: key}
	t.owner.Host = out.Metadata[metaHost]
	t.owner.PID, _ = strconv.Atoi(out.Metadata[metaPID])
	t.owner.Since, _ = time.Parse(time.RFC3339, out.Metadata[metaSince])
	return t
}

// hasStatus reports whether err is S3's answer with HTTP status or error
// code.
func hasStatus(err error, status int, code string) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == status {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// Events returns the journal's events; see Replay.
func (j *Journal) Events(ctx context.Context) ([]results.Event, error) {
	rp, err := j.Replay(ctx)
	return rp.Events, err
}

// Replay returns the journal's events. A journal open for appending
// returns what it has read and written, without a request; a read-only
// one lists and reads the segments (see Reopen for the errors). It never
// has warnings: a segment is whole or absent.
func (j *Journal) Replay(ctx context.Context) (results.Replay, error) {
	var rp results.Replay
	_, err := j.Scan(ctx, func(e results.Event) error {
		rp.Events = append(rp.Events, e)
		return nil
	})
	return rp, err
}

// Scan reads the journal as Replay does, streaming it: it calls fn with
// each event in order and keeps none, so that a reader that keeps only
// what it needs reads a journal of any length in bounded memory. A
// journal open for appending decodes what it has read and written
// (Appends may go on meanwhile: Scan sees those committed when it
// started); a read-only one reads S3 (see Reopen for the errors), checking the
// journal before it decodes it again for fn. An
// error from fn stops the scan and is returned as it is. The Scanned it
// returns has no warnings: a segment is whole or absent.
func (j *Journal) Scan(ctx context.Context, fn func(results.Event) error) (results.Scanned, error) {
	if err := ctx.Err(); err != nil {
		return results.Scanned{}, fmt.Errorf("s3journal: read journal: %w", err)
	}
	if !j.readOnly {
		j.mu.Lock()
		lines := j.archive.lines(j.tail.slice(0, j.tail.len()))
		j.mu.Unlock()
		return new(results.Checker).Scan(lines, j.Dir(), fn)
	}
	// Read and check the journal's bytes first, then decode them again
	// for fn: a read that starts out again (see sink) would give fn some
	// events twice.
	read, err := readJournal(ctx, j.api, j.study, &sink{fn: func(results.Event) error { return nil }})
	if err == nil && read.segments == 0 {
		err = noJournalError(ctx, j.api, j.study)
	}
	if err != nil {
		return results.Scanned{}, err
	}
	return new(results.Checker).Scan(read.archive.lines(chunksOf(read.data)), j.Dir(), fn)
}

// Close waits for the commit under way, fails the Appends still waiting
// with results.ErrClosed and makes later ones fail so. It cancels the
// checkpoint and delta writers, then writes a
// checkpoint of every segment committed
// if closeCheckpointSegments or more came after the newest, unless a
// commit failed. A checkpoint that cannot be written is no error: the
// segments hold the journal, and a reader reads them instead. Close is
// idempotent.
func (j *Journal) Close() error {
	j.mu.Lock()
	j.closed = true
	j.idle.Broadcast() // a commit waiting for the delta writer goes on
	for j.committing {
		j.idle.Wait()
	}
	if j.checkpointing && j.cancelCheckpoint != nil {
		j.cancelCheckpoint() // Close writes its own, of every segment
	}
	if j.compacting && j.cancelCompaction != nil {
		j.cancelCompaction()
	}
	for j.checkpointing || j.compacting {
		j.idle.Wait()
	}
	k, base, lines := j.next-1, j.archive, j.tail.slice(0, j.tail.len())
	due := !j.readOnly && j.broken == nil && k-j.checkpointed >= closeCheckpointSegments
	if due {
		j.checkpointing = true
	}
	j.mu.Unlock()
	j.wg.Wait()
	if due {
		next, err := base.extend(k, lines)
		if err == nil {
			err = j.writeCheckpoint(context.Background(), next)
		}
		j.mu.Lock()
		j.checkpointing = false
		if err == nil {
			j.checkpointed = k
			j.dropArchived(next)
		}
		j.mu.Unlock()
	}
	return nil
}

// listSegments returns the keys of the study's segments after segment
// after in order, page by page, and fails on a gap in their numbering or
// a key that is not a segment's.
func listSegments(ctx context.Context, api API, study Location, after uint64) ([]string, error) {
	var keys []string
	in := &s3.ListObjectsV2Input{Bucket: aws.String(study.Bucket), Prefix: aws.String(study.journalPrefix())}
	if after > 0 {
		in.StartAfter = aws.String(study.segmentKey(after))
	}
	for {
		page, err := api.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("s3journal: list %s: %w", study.url(study.journalPrefix()), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			seq, ok := study.parseSegmentKey(key)
			switch {
			case !ok:
				return nil, fmt.Errorf("s3journal: %w: %s is not a journal segment (want %s)",
					results.ErrCorrupt, study.url(key), path.Base(study.segmentKey(after+uint64(len(keys)+1))))
			case seq != after+uint64(len(keys)+1):
				return nil, fmt.Errorf("s3journal: %w: segment %s is missing (the next one is %s); the journal cannot be read past it",
					results.ErrCorrupt, study.url(study.segmentKey(after+uint64(len(keys)+1))), study.url(key))
			}
			keys = append(keys, key)
		}
		if !aws.ToBool(page.IsTruncated) {
			return keys, nil
		}
		if page.NextContinuationToken == nil {
			return nil, fmt.Errorf("s3journal: list %s: the listing is truncated but gives no continuation token", study.url(study.journalPrefix()))
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}

// decodeSegment decodes one segment with the journal reader, checking its
// records after those of the segments before it with check, and hands
// its events to add. A segment is written whole, so anything the reader
// would forgive in a file's last record — a torn record, a missing
// newline — and an empty segment are damage, a *results.CorruptError
// naming the segment and line, found once add has had the events before
// it; so is a record that contradicts those before it, in this segment
// or an earlier one (see results.Checker). An error from add is returned
// as it is.
func decodeSegment(check *results.Checker, url string, data []byte, add func(results.Event) error) error {
	n := 0
	sc, err := check.Scan(bytes.NewReader(data), url, func(e results.Event) error {
		n++
		return add(e)
	})
	if err != nil {
		return err
	}
	switch {
	case n == 0:
		return &results.CorruptError{File: url, Line: 1, Err: errors.New("an empty segment")}
	case len(sc.Warnings) > 0 || data[len(data)-1] != '\n':
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		last := lines[len(lines)-1]
		var e results.Event
		perr := json.Unmarshal(last, &e)
		if perr == nil {
			perr = e.Validate()
		}
		if perr == nil {
			perr = errors.New("no newline at the end of the segment")
		}
		return &results.CorruptError{File: url, Line: len(lines), Err: perr}
	}
	return nil
}
