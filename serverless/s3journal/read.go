package s3journal

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3data"
)

// journalRead is a study's journal as read from S3.
type journalRead struct {
	// segments is the number of the last segment. The events of all
	// went to the read's sink; archive holds those of the checkpoint
	// read (segments 1..checkpoint, 0 when none was), compressed, and
	// data the journal lines of the segments after it (none when the
	// sink drops them).
	segments   uint64
	checkpoint uint64
	archive    archive
	data       []byte
	// stack is the deltas read one after another from the checkpoint
	// (or the journal's start), which a writer that reopens the journal
	// continues; stackEnd is the last segment they cover (checkpoint
	// when none), stackEndOff where its lines end in the journal's.
	stack       []run
	stackEnd    uint64
	stackEndOff int
}

// deltaPrefix is the key prefix of the study's deltas: under the
// checkpoints' prefix, so that one LIST finds both, and after them in
// key order.
func (l Location) deltaPrefix() string { return l.checkpointPrefix() + "delta/" }

// deltaKey returns the key of the delta of segments from..to.
func (l Location) deltaKey(from, to uint64) string {
	return fmt.Sprintf("%s%020d-%020d.jsonl.gz", l.deltaPrefix(), from, to)
}

// parseDeltaKey returns the segments a key made by deltaKey covers.
func (l Location) parseDeltaKey(key string) (from, to uint64, ok bool) {
	rest, ok := strings.CutPrefix(key, l.deltaPrefix())
	if !ok {
		return 0, 0, false
	}
	digits, ok := strings.CutSuffix(rest, ".jsonl.gz")
	a, b, ok2 := strings.Cut(digits, "-")
	if !ok || !ok2 || len(a) != 20 || len(b) != 20 {
		return 0, 0, false
	}
	from, err1 := strconv.ParseUint(a, 10, 64)
	to, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil || from == 0 || to < from {
		return 0, 0, false
	}
	return from, to, true
}

// sink takes a read's events in journal order: it hands them to fn, or
// keeps them in events when fn is nil. A read that finds a checkpoint or
// delta damaged part way through decoding it starts again from the
// journal's first event with another plan: it calls restart, which
// calls reset if fn has had events since, so that fn is given the
// journal once, from its start, after its last reset.
type sink struct {
	fn     func(results.Event) error
	reset  func()
	events []results.Event
	// given counts the events taken since the last restart; first is
	// the first of them.
	given int
	first results.Event
	// err is fn's first error, which stops the read and is its error.
	err error
	// dropBytes says the read keeps no journal lines (journalRead.data
	// stays nil): a reader that will not append.
	dropBytes bool
	// reader, when not nil, is the reader to read with: a Snapshot's,
	// which keeps what it fetched for the read after its first.
	reader *reader
}

// keep returns data, to add to a read's bytes, or nil when s drops them.
func (s *sink) keep(data []byte) []byte {
	if s.dropBytes {
		return nil
	}
	return data
}

// add takes the read's next event.
func (s *sink) add(e results.Event) error {
	if s.given == 0 {
		s.first = e
	}
	s.given++
	if s.fn == nil {
		s.events = append(s.events, e)
		return nil
	}
	if err := s.fn(e); err != nil {
		s.err = err
		return err
	}
	return nil
}

// restart readies s for a read from the journal's start.
func (s *sink) restart() {
	if s.given > 0 && s.fn != nil && s.reset != nil {
		s.reset()
	}
	s.events, s.given, s.first = nil, 0, results.Event{}
}

// piece is a part of a read plan: a delta of segments from..to, or the
// segment from = to.
type piece struct {
	from, to uint64
	delta    bool
}

func (p piece) key(study Location) string {
	if p.delta {
		return study.deltaKey(p.from, p.to)
	}
	return study.segmentKey(p.from)
}

// listCompactions returns the last segments of the study's checkpoints,
// newest first, and its deltas. Keys that are neither are ignored: the
// segments are the journal, checkpoints and deltas only shortcuts.
func listCompactions(ctx context.Context, api API, study Location) (checkpoints []uint64, deltas []piece, err error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(study.Bucket), Prefix: aws.String(study.checkpointPrefix())}
	for {
		page, err := api.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("s3journal: list %s: %w", study.url(study.checkpointPrefix()), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if k, ok := study.parseCheckpointKey(key); ok {
				checkpoints = append(checkpoints, k)
			} else if from, to, ok := study.parseDeltaKey(key); ok {
				deltas = append(deltas, piece{from: from, to: to, delta: true})
			}
		}
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil {
			break
		}
		in.ContinuationToken = page.NextContinuationToken
	}
	slices.Sort(checkpoints)
	slices.Reverse(checkpoints)
	return checkpoints, deltas, nil
}

// planRead returns the fewest objects that hold segments k+1..m one
// after another, m the last segment any of deltas covers: deltas, and
// single segments where none serves. The deltas a writer leaves are a
// stack, each starting where the one before ends, so the plan is
// usually that stack; leftovers of a writer killed between a merge and
// its deletes, and gaps where excluded deltas were, are planned around.
func planRead(k uint64, deltas []piece, excluded map[piece]bool) []piece {
	points := []uint64{k}
	ending := map[uint64][]piece{}
	for _, d := range deltas {
		if d.from > k && !excluded[d] {
			points = append(points, d.from-1, d.to)
			ending[d.to] = append(ending[d.to], d)
		}
	}
	slices.Sort(points)
	points = slices.Compact(points)
	at := make(map[uint64]int, len(points))
	for i, p := range points {
		at[p] = i
	}
	cost := make([]uint64, len(points))
	via := make([]*piece, len(points)) // nil: single segments from the point before
	for i := 1; i < len(points); i++ {
		cost[i] = cost[i-1] + points[i] - points[i-1]
		for _, d := range ending[points[i]] {
			if c := cost[at[d.from-1]] + 1; c <= cost[i] {
				cost[i], via[i] = c, &d
			}
		}
	}
	var plan []piece
	for i := len(points) - 1; i > 0; {
		if d := via[i]; d != nil {
			plan = append(plan, *d)
			i = at[d.from-1]
			continue
		}
		for s := points[i]; s > points[i-1]; s-- {
			plan = append(plan, piece{from: s, to: s})
		}
		i--
	}
	slices.Reverse(plan)
	return plan
}

// fetched is an object a reader read, or found missing.
type fetched struct {
	body    []byte
	meta    map[string]string
	missing bool
}

// reader reads a study's journal through its checkpoints and deltas,
// keeping what it fetched so that a plan made again after damage reads
// only what is new.
//
// A reader that keeps (a Snapshot's) also keeps, once a read of its
// succeeded, the objects that read decoded (the checkpoint, the plan's
// deltas and segments, and the segments after them) and what it chose
// (base and plan, done set): its next read decodes those again and
// only lists the segments after them (see again).
type reader struct {
	api   API
	study Location
	cache map[string]fetched
	keep  bool
	done  bool
	base  uint64
	plan  []piece
}

func newReader(api API, study Location) *reader {
	return &reader{api: api, study: study, cache: map[string]fetched{}}
}

// maxRelists bounds how often a read lists the deltas again after one
// it planned was gone: a writer running meanwhile merged it into a
// newer delta and deleted it.
const maxRelists = 3

// readJournal reads the study's journal: a checkpoint, the fewest
// deltas and segments that cover what follows it (see planRead), then
// the segments after those, listed and read (readConcurrency at a time),
// all decoded in order, their events handed to out. The checkpoint is
// the one that needs the fewest requests so, the newest of those; a
// damaged checkpoint is passed over for the next, or for none; a damaged
// delta is planned around. Either starts out again (see sink). A read
// with a Snapshot's reader (out.reader) after its first is made from
// what the first fetched (see reader.again).
func readJournal(ctx context.Context, api API, study Location, out *sink) (journalRead, error) {
	r := out.reader
	if r == nil {
		r = newReader(api, study)
	}
	if r.done {
		return r.again(ctx, out)
	}
	return r.read(ctx, out)
}

// read is readJournal's first read with r.
func (r *reader) read(ctx context.Context, out *sink) (journalRead, error) {
	study := r.study
	checkpoints, deltas, err := listCompactions(ctx, r.api, study)
	if err != nil {
		return journalRead{}, err
	}
	relists := 0
	for _, k := range cheapestFirst(checkpoints, deltas) {
		excluded := map[piece]bool{}
		for {
			plan := planRead(k, deltas, excluded)
			if err := r.fetch(ctx, r.keys(k, plan)); err != nil {
				return journalRead{}, err
			}
			out.restart()
			read, check, bad, err := r.decode(k, plan, out)
			var damaged *damagedCheckpoint
			switch {
			case out.err != nil:
				return journalRead{}, out.err
			case errors.As(err, &damaged) && k > 0:
			case err != nil:
				return journalRead{}, err
			case bad == nil:
				if read, err = r.segmentsAfter(ctx, read, check, out); err != nil || !r.keep {
					return read, err
				}
				r.done, r.base, r.plan = true, k, plan
				r.keepOnly(read.segments)
				return read, nil
			case r.cache[bad.key(study)].missing && relists < maxRelists:
				// Gone since the LIST: a writer merged it into a newer
				// delta, which a new LIST shows.
				relists++
				excluded[*bad] = true
				if _, deltas, err = listCompactions(ctx, r.api, study); err != nil {
					return journalRead{}, err
				}
				continue
			default:
				excluded[*bad] = true
				continue
			}
			break // to an older checkpoint
		}
	}
	panic("unreachable: the read without a checkpoint returns")
}

// again reads the journal once more after a read of r's that succeeded,
// without a GET of what that read fetched: it decodes the checkpoint and
// plan it chose from the objects kept (segments, checkpoints and deltas
// are never rewritten, so they still hold what S3 holds under their
// keys), then lists the segments after the plan, as every read does,
// and reads only those not kept: the segments another writer appended
// since. A journal unchanged is so read again in one LIST; one appended
// to is read to its end, as a new read would.
func (r *reader) again(ctx context.Context, out *sink) (journalRead, error) {
	if err := r.fetch(ctx, r.keys(r.base, r.plan)); err != nil {
		return journalRead{}, err
	}
	out.restart()
	read, check, bad, err := r.decode(r.base, r.plan, out)
	switch {
	case out.err != nil:
		return journalRead{}, out.err
	case err != nil || bad != nil:
		// The same bytes decoded well before: not expected, but a
		// new read settles it.
		r.done = false
		return r.read(ctx, out)
	}
	return r.segmentsAfter(ctx, read, check, out)
}

// keys returns the keys of the checkpoint of k (none for 0) and of the
// pieces of plan.
func (r *reader) keys(k uint64, plan []piece) []string {
	var keys []string
	if k > 0 {
		keys = append(keys, r.study.checkpointKey(k))
	}
	for _, p := range plan {
		keys = append(keys, p.key(r.study))
	}
	return keys
}

// keepOnly drops from r's cache what its read did not decode: checkpoints
// and deltas passed over, and objects found missing. segments is the
// last segment the read decoded.
func (r *reader) keepOnly(segments uint64) {
	used := map[string]bool{}
	for _, key := range r.keys(r.base, r.plan) {
		used[key] = true
	}
	end := r.base
	if len(r.plan) > 0 {
		end = r.plan[len(r.plan)-1].to
	}
	for s := end + 1; s <= segments; s++ {
		used[r.study.segmentKey(s)] = true
	}
	for key := range r.cache {
		if !used[key] {
			delete(r.cache, key)
		}
	}
}

// segmentsAfter reads the segments after read.segments (those not kept
// already) and adds them to read, decoding them with check and handing
// their events to out. A reader that does not keep lets go of each
// segment once decoded.
func (r *reader) segmentsAfter(ctx context.Context, read journalRead, check *results.Checker, out *sink) (journalRead, error) {
	keys, err := listSegments(ctx, r.api, r.study, read.segments)
	if err != nil {
		return journalRead{}, err
	}
	if err := r.fetch(ctx, keys); err != nil {
		return journalRead{}, err
	}
	for _, key := range keys {
		o := r.cache[key]
		if o.missing { // listed, then gone: segments are never deleted
			return journalRead{}, fmt.Errorf("s3journal: %w: segment %s is missing; the journal cannot be read past it",
				results.ErrCorrupt, r.study.url(key))
		}
		if err := decodeSegment(check, r.study.url(key), o.body, out.add); err != nil {
			return journalRead{}, err
		}
		read.data = append(read.data, out.keep(o.body)...)
		if !r.keep {
			delete(r.cache, key)
		}
	}
	read.segments += uint64(len(keys))
	return read, nil
}

// cheapestFirst orders the checkpoints, newest first, and 0 (none) by
// the GETs a read from each needs to reach the last segment any
// checkpoint or delta covers: the checkpoint, its plan, and the segments
// from the plan's end on. The delta writer starts a new stack on a
// checkpoint only after it is written, so the newest checkpoint may not
// yet have deltas after it while an older one has.
func cheapestFirst(checkpoints []uint64, deltas []piece) []uint64 {
	var last uint64
	if len(checkpoints) > 0 {
		last = checkpoints[0]
	}
	for _, d := range deltas {
		last = max(last, d.to)
	}
	bases := append(slices.Clone(checkpoints), 0)
	cost := make(map[uint64]uint64, len(bases))
	for _, k := range bases {
		plan := planRead(k, deltas, nil)
		end := k
		if len(plan) > 0 {
			end = plan[len(plan)-1].to
		}
		cost[k] = uint64(len(plan)) + last - end
		if k > 0 {
			cost[k]++
		}
	}
	slices.SortStableFunc(bases, func(a, b uint64) int { return cmp.Compare(cost[a], cost[b]) })
	return bases
}

// fetch reads the objects at keys not read yet, readConcurrency at a
// time. A missing object is recorded as such; a failed request is an
// error.
func (r *reader) fetch(ctx context.Context, keys []string) error {
	var todo []string
	for _, key := range keys {
		if _, ok := r.cache[key]; !ok {
			todo = append(todo, key)
		}
	}
	got := make([]fetched, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for i, key := range todo {
		g.Go(func() error {
			out, err := r.api.GetObject(gctx, &s3.GetObjectInput{Bucket: aws.String(r.study.Bucket), Key: aws.String(key)})
			if s3data.IsNotFound(err) {
				got[i].missing = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("s3journal: read %s: %w", r.study.url(key), err)
			}
			defer out.Body.Close()
			if got[i].body, err = readBody(out); err != nil {
				return fmt.Errorf("s3journal: read %s: %w", r.study.url(key), err)
			}
			got[i].meta = out.Metadata
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for i, key := range todo {
		r.cache[key] = got[i]
	}
	return nil
}

// decode decodes the checkpoint of k and the pieces of plan, fetched,
// in order with a new checker, which it returns to decode what follows,
// and hands their events to out. A checkpoint that is missing or
// damaged is a *damagedCheckpoint; a delta that is, is returned as bad;
// a segment that is, is an error. An error of out's is out.err.
func (r *reader) decode(k uint64, plan []piece, out *sink) (journalRead, *results.Checker, *piece, error) {
	check := new(results.Checker) // one story across all the pieces
	read := journalRead{archive: newArchive()}
	if k > 0 {
		o := r.cache[r.study.checkpointKey(k)]
		if o.missing {
			return read, nil, nil, &damagedCheckpoint{fmt.Errorf("s3journal: %s is gone", r.study.url(r.study.checkpointKey(k)))}
		}
		a, err := openCheckpoint(r.study, k, o.body, o.meta, check, out)
		if err != nil {
			return read, nil, nil, err
		}
		read = journalRead{segments: k, checkpoint: k, archive: a, stackEnd: k, stackEndOff: a.size}
	}
	stacked := true // the deltas so far follow one another from k
	for _, p := range plan {
		key := p.key(r.study)
		o := r.cache[key]
		var data []byte
		if p.delta {
			var err error
			if o.missing {
				return read, nil, &p, nil
			}
			if data, err = openDelta(r.study, p, o, check, out); err != nil {
				if out.err != nil {
					return read, nil, nil, out.err
				}
				return read, nil, &p, nil
			}
		} else {
			stacked = false
			if o.missing {
				return read, nil, nil, fmt.Errorf("s3journal: %w: segment %s is missing; the journal cannot be read past it",
					results.ErrCorrupt, r.study.url(key))
			}
			if err := decodeSegment(check, r.study.url(key), o.body, out.add); err != nil {
				return read, nil, nil, err
			}
			data = o.body
		}
		read.data = append(read.data, out.keep(data)...)
		read.segments = p.to
		if stacked {
			read.stack = append(read.stack, run{from: p.from, to: p.to, body: o.body})
			read.stackEnd, read.stackEndOff = p.to, read.archive.size+len(read.data)
		}
	}
	return read, check, nil, nil
}

// openDelta checks o, the object read as the delta p, against its
// metadata (the segments it covers and the SHA-256 of its bytes) and
// decodes its journal lines with check, handing their events to out.
// Any failure but out's means the delta does not hold what was written:
// the caller plans around it.
func openDelta(study Location, p piece, o fetched, check *results.Checker, out *sink) ([]byte, error) {
	url := study.url(p.key(study))
	if o.meta[metaFrom] != strconv.FormatUint(p.from, 10) || o.meta[metaSegments] != strconv.FormatUint(p.to, 10) {
		return nil, fmt.Errorf("s3journal: %s: its metadata says it covers segments %q to %q", url, o.meta[metaFrom], o.meta[metaSegments])
	}
	sum := sha256.Sum256(o.body)
	if want := o.meta[metaBodySHA256]; want != hex.EncodeToString(sum[:]) {
		return nil, fmt.Errorf("s3journal: %s: checksum %x, its metadata says %q", url, sum, want)
	}
	data, err := gunzip(o.body)
	if err != nil {
		return nil, fmt.Errorf("s3journal: %s: %w", url, err)
	}
	if err := decodeSegment(check, url, data, out.add); err != nil {
		return nil, err
	}
	return data, nil
}

// gunzip returns the uncompressed bytes of body, a gzip stream of one
// or more members, read into a buffer sized from the last member's
// length trailer (a hint: a stream of several members is longer; one
// forged larger than 64 times the body is not taken).
func gunzip(body []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if n := len(body); n >= 4 {
		size := int(body[n-4]) | int(body[n-3])<<8 | int(body[n-2])<<16 | int(body[n-1])<<24
		buf.Grow(min(size, 64*n) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxPresized is the largest object whose length, as S3 gives it, sizes
// the buffer it is read into: a length beyond it is not trusted.
const maxPresized = 1 << 30

// readBody reads the body of out into a buffer of its length, so that a
// large object (a checkpoint, which a writer that reopens the journal
// keeps) takes no more memory than its bytes.
func readBody(out *s3.GetObjectOutput) ([]byte, error) {
	n := aws.ToInt64(out.ContentLength)
	if n <= 0 || n > maxPresized {
		return io.ReadAll(out.Body)
	}
	buf := bytes.NewBuffer(make([]byte, 0, int(n)+bytes.MinRead))
	_, err := buf.ReadFrom(out.Body)
	return buf.Bytes(), err
}
