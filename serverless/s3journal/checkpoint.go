package s3journal

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// EnvCheckpointSegments names the environment variable that sets how
// many segments a writer commits between two checkpoints at the least
// (default DefaultCheckpointSegments). Tests set it low, so that a small
// study reads through checkpoints.
const EnvCheckpointSegments = "HPSEARCH_S3_CHECKPOINT_SEGMENTS"

// DefaultCheckpointSegments is the fewest segments between two periodic
// checkpoints when EnvCheckpointSegments is unset.
const DefaultCheckpointSegments = 1000

// closeCheckpointSegments is the fewest segments since the last
// checkpoint for which Close writes one: fewer are read one by one as
// cheaply as a checkpoint, and keep a small study's segments the only
// record, as before checkpoints.
const closeCheckpointSegments = 16

// checkpointTimeout bounds the write of one checkpoint, which may be
// megabytes, the SDK's retries included; Close may wait as long.
const checkpointTimeout = 2 * time.Minute

const (
	contentTypeGzip = "application/gzip"
	// metaSHA256 is the hex SHA-256 of a checkpoint's uncompressed
	// journal lines.
	metaSHA256 = "hpsearch-sha256"
	// metaSegments is the last segment a checkpoint covers, as in its
	// key: an object copied under another checkpoint's key is not taken
	// for it.
	metaSegments = "hpsearch-segments"
	// metaFrom is the first segment a delta covers, as in its key.
	metaFrom = "hpsearch-from"
	// metaBodySHA256 is the hex SHA-256 of a delta object's bytes as
	// stored (compressed): a merge concatenates deltas without
	// decompressing them.
	metaBodySHA256 = "hpsearch-body-sha256"
)

// checkpointEvery returns the fewest segments between periodic
// checkpoints, from EnvCheckpointSegments.
func checkpointEvery() (uint64, error) {
	return segmentsFromEnv(EnvCheckpointSegments, DefaultCheckpointSegments)
}

// segmentsFromEnv reads a count of segments, at least 1, from the
// environment variable name, or returns def when it is unset.
func segmentsFromEnv(name string, def uint64) (uint64, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("s3journal: %w: $%s=%q: want a whole number of segments, at least 1", trial.ErrBadInput, name, v)
	}
	return n, nil
}

// checkpointBytes is the fewest bytes of journal lines after the newest
// checkpoint that make one due whatever their segments' count: a
// scheduler at parallel 1,000 commits about a hundred trials a segment
// (100,000 trials in some 800 segments), so a count of segments alone
// would leave its writer holding the journal's lines until Close.
const checkpointBytes = 8 << 20

// checkpointDue reports whether a checkpoint of segments 1..k, whose
// journal lines are size bytes, is due while the newest one covers
// 1..last, lastSize bytes of them: after every segments or
// checkpointBytes at the least, and after a quarter of last (or of
// lastSize) once that is more, so that the bytes all checkpoints write
// stay within five times the journal's, and a crashed writer leaves at
// most a fifth of the journal to read segment by segment.
func checkpointDue(k, last, every uint64, size, lastSize int) bool {
	return k-last >= max(every, last/4) || (k > last && size-lastSize >= max(checkpointBytes, lastSize/4))
}

// checkpointPrefix is the key prefix of the study's checkpoints.
func (l Location) checkpointPrefix() string { return l.Key + "/checkpoint/" }

// checkpointKey returns the key of the checkpoint of segments 1..k,
// zero-padded as segmentKey is, so that the newest lists last.
func (l Location) checkpointKey(k uint64) string {
	return fmt.Sprintf("%s%020d.jsonl.gz", l.checkpointPrefix(), k)
}

// parseCheckpointKey returns the last segment a key made by
// checkpointKey covers.
func (l Location) parseCheckpointKey(key string) (uint64, bool) {
	rest, ok := strings.CutPrefix(key, l.checkpointPrefix())
	if !ok {
		return 0, false
	}
	digits, ok := strings.CutSuffix(rest, ".jsonl.gz")
	if !ok || len(digits) != 20 {
		return 0, false
	}
	k, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || k == 0 {
		return 0, false
	}
	return k, true
}

// archive is segments 1..segments of the journal kept compressed, as
// a writer needs them for its next checkpoint: body is the gzip members
// of their journal lines (the newest checkpoint's bytes; none before
// the first), size the length of those lines and sum the SHA-256 state
// after them. A writer keeps it rather than the lines themselves (a
// 100,000-trial study's are some 60 MB, its archive a sixth of that):
// the next checkpoint is body followed by a member of the lines
// committed since, its checksum sum carried on over them, so nothing is
// compressed or hashed twice. A gzip stream of several members is one
// stream to a reader, so a reader reads it as a checkpoint of one. body
// holds each member as a slice of its own (see chunks): extending it
// copies none of the members before.
type archive struct {
	segments uint64
	body     chunks
	size     int
	// sum is never written to once the archive is made: extend clones
	// it, and Sum leaves it as it is.
	sum hash.Hash
}

func newArchive() archive { return archive{sum: sha256.New()} }

// extend returns the archive of segments 1..k, whose journal lines
// after a's are lines. a is left as it is.
func (a archive) extend(k uint64, lines chunks) (archive, error) {
	h, err := a.sum.(hash.Cloner).Clone()
	if err != nil {
		return archive{}, fmt.Errorf("s3journal: checkpoint %d: %w", k, err)
	}
	// A member is some 15% of its lines (a 100,000-trial no-op study's):
	// a sixth holds it without growing, and leaves it little to spare.
	member := bytes.NewBuffer(make([]byte, 0, lines.len()/6+bytes.MinRead))
	zw, _ := gzip.NewWriterLevel(member, gzip.BestSpeed)
	for _, p := range lines.parts {
		h.Write(p)
		if _, err := zw.Write(p); err != nil {
			return archive{}, fmt.Errorf("s3journal: checkpoint %d: %w", k, err)
		}
	}
	if err := zw.Close(); err != nil {
		return archive{}, fmt.Errorf("s3journal: checkpoint %d: %w", k, err)
	}
	m := member.Bytes()
	if cap(m) > len(m)+len(m)/8 {
		m = bytes.Clone(m) // it is kept until the study ends
	}
	// A clipped copy of a's slices: a, or another archive extended from
	// it, never sees the new member.
	body := chunks{parts: slices.Clip(a.body.parts), n: a.body.n}.add(m)
	return archive{segments: k, body: body, size: a.size + lines.len(), sum: h}, nil
}

// lines returns a reader of the journal lines a holds followed by tail.
// a's body was written by this process or read back and checked, so a
// failure to decompress it is the reader's error.
func (a archive) lines(tail chunks) io.Reader {
	if a.body.len() == 0 {
		return tail.reader()
	}
	zr, err := gzip.NewReader(a.body.reader())
	if err != nil {
		return &failedReader{err}
	}
	return io.MultiReader(zr, tail.reader())
}

// failedReader is a reader that fails with err.
type failedReader struct{ err error }

func (r *failedReader) Read([]byte) (int, error) { return 0, r.err }

// writeCheckpoint writes a's body as the checkpoint of a.segments, with
// the SHA-256 of the journal lines it holds in its metadata, and
// conditionally, so that it is written once. A checkpoint another
// writer wrote first holds the same segments (they are never rewritten)
// and is left as it is.
func (j *Journal) writeCheckpoint(ctx context.Context, a archive) error {
	ctx, cancel := context.WithTimeout(ctx, checkpointTimeout)
	defer cancel()
	key := j.study.checkpointKey(a.segments)
	err := j.putNew(ctx, key, a.body, contentTypeGzip, map[string]string{
		metaSHA256: hex.EncodeToString(a.sum.Sum(nil)), metaSegments: strconv.FormatUint(a.segments, 10),
	})
	var taken *takenError
	if errors.As(err, &taken) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("s3journal: write checkpoint %s: %w", j.study.url(key), err)
	}
	return nil
}

// damagedCheckpoint is a checkpoint that was read but does not hold what
// was written: a reader passes over it.
type damagedCheckpoint struct{ err error }

func (e *damagedCheckpoint) Error() string { return e.err.Error() }

// openCheckpoint decodes body, the object read as the checkpoint of
// segments 1..k with its metadata meta, with check, and hands its events
// to out, as it decompresses it: without holding its journal lines (a
// 100,000-trial study's are some 60 MB). It checks the checksum and the
// last record once they have been decoded: out then has the events
// before the damage, and its read starts again. It returns the
// checkpoint as an archive, which a writer that reopens the journal
// continues. A checkpoint whose checksum, compression or records are
// wrong is a *damagedCheckpoint; an error of out's is out.err.
func openCheckpoint(study Location, k uint64, body []byte, meta map[string]string, check *results.Checker, out *sink) (archive, error) {
	url := study.url(study.checkpointKey(k))
	if got := meta[metaSegments]; got != strconv.FormatUint(k, 10) {
		return archive{}, &damagedCheckpoint{fmt.Errorf("s3journal: %s: its metadata says it covers segments to %q", url, got)}
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return archive{}, &damagedCheckpoint{fmt.Errorf("s3journal: %s: %w", url, err)}
	}
	h := &countedHash{Hash: sha256.New()}
	r := io.TeeReader(zr, h)
	n := 0
	sc, err := check.Scan(r, url, func(e results.Event) error {
		if n == 0 && e.Type != results.EventStudy {
			return &damagedCheckpoint{fmt.Errorf("s3journal: %s does not start with a study event", url)}
		}
		n++
		return out.add(e)
	})
	var damaged *damagedCheckpoint
	switch {
	case out.err != nil:
		return archive{}, out.err
	case errors.As(err, &damaged):
		return archive{}, err
	case err != nil:
		return archive{}, &damagedCheckpoint{err}
	}
	if _, err := io.Copy(io.Discard, r); err != nil { // the rest, and gzip's CRC
		return archive{}, &damagedCheckpoint{fmt.Errorf("s3journal: %s: %w", url, err)}
	}
	if n == 0 || len(sc.Warnings) > 0 || sc.Unterminated {
		return archive{}, &damagedCheckpoint{fmt.Errorf("s3journal: %s: an empty checkpoint, or its last record torn or without its newline", url)}
	}
	if want := meta[metaSHA256]; want != hex.EncodeToString(h.Sum(nil)) {
		return archive{}, &damagedCheckpoint{fmt.Errorf("s3journal: %s: checksum %x, its metadata says %q", url, h.Sum(nil), want)}
	}
	return archive{segments: k, body: chunksOf(body), size: h.n, sum: h.Hash}, nil
}

// countedHash is a hash that counts the bytes written to it.
type countedHash struct {
	hash.Hash
	n int
}

func (h *countedHash) Write(p []byte) (int, error) {
	h.n += len(p)
	return h.Hash.Write(p)
}
