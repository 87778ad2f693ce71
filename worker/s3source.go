package worker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// DefaultDatasetsPrefix is the key prefix under which datasets are pushed
// to S3 and the only one a Lambda worker reads from unless configured
// otherwise.
const DefaultDatasetsPrefix = "datasets/"

// Errors of S3Source. Test for them with errors.Is.
var (
	// ErrRefused is returned for a dataset reference outside the bucket or
	// prefix the worker is allowed to read, or of a form the worker does
	// not serve (a local path inside Lambda).
	ErrRefused = errors.New("dataset reference refused")
	// ErrChecksum is returned when a dataset's bytes do not hash to the
	// SHA-256 its reference names.
	ErrChecksum = errors.New("dataset checksum mismatch")
)

// ObjectGetter is the part of the S3 API an S3Source uses; *s3.Client
// satisfies it.
type ObjectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// S3Source is a Source for datasets pushed to S3 in the binary form of
// package datasets (references with Bucket, Key and SHA256). It fetches a
// dataset at most once per process: a warm hit is served from memory
// ("memory"); otherwise the dataset is read from Dir ("tmp"), which
// outlives a crashed runtime in the same Lambda execution environment, and
// only then fetched from S3 ("s3") and written to Dir. Bytes from Dir or S3
// are checked against the reference's SHA-256 before use.
//
// References without a Bucket are passed to Fallback only when they name
// a bundled dataset exactly; local paths, and names that are not bundled,
// are refused, since anything a Lambda worker read from its own
// filesystem would be exposed to whoever may invoke it. A key must lie
// under Prefix and be made of plain path segments (see checkKey), so that
// no spelling of it can reach another object, whatever the store does with
// dots, slashes or escapes.
//
// Errors never quote the dataset's contents: a pushed dataset that fails
// validation is reported as corrupt without the details, which would name
// its columns or labels. S3Source is safe for concurrent use: concurrent
// loads of one dataset share a single fetch.
type S3Source struct {
	// Client fetches objects.
	Client ObjectGetter
	// Bucket is the only bucket a reference may name; "" refuses every
	// S3 reference.
	Bucket string
	// Prefix, when set, must begin every key a reference names.
	Prefix string
	// Dir caches fetched datasets as <Dir>/<sha256>; "" disables the cache.
	Dir string
	// Fallback serves references by bundled Name; nil refuses them. A
	// Lambda worker uses a BundledSource, which reads no files.
	Fallback Source
	// MaxObjectBytes bounds the object a GET may return; 0 means
	// MaxDatasetObjectBytes.
	MaxObjectBytes int64

	gets atomic.Int64

	mu      sync.Mutex
	flights map[string]*flight
}

// flight is one dataset being fetched, then kept: done is closed when d or
// err is set. A failed flight is dropped so that a later load retries.
type flight struct {
	done chan struct{}
	d    *datasets.Dataset
	err  error
}

var _ Source = (*S3Source)(nil)

// DefaultCacheDir is where a Lambda worker keeps fetched datasets:
// /tmp/hpsearch-datasets (os.TempDir honours TMPDIR).
func DefaultCacheDir() string { return filepath.Join(os.TempDir(), "hpsearch-datasets") }

// Gets returns how many S3 GET requests this source has made.
func (s *S3Source) Gets() int64 { return s.gets.Load() }

// Load implements Source.
func (s *S3Source) Load(ctx context.Context, ref DatasetRef, opts datasets.Options) (*datasets.Dataset, string, error) {
	if err := oneForm(ref); err != nil {
		return nil, "", err
	}
	switch {
	case ref.Path != "":
		return nil, "", refused("path", ref.Path, "local paths are not readable by a Lambda worker; push the dataset with 'hpsearch datasets push'")
	case ref.Name != "":
		if err := checkBundled(ref.Name); err != nil {
			return nil, "", err
		}
		if s.Fallback == nil {
			return nil, "", refused("name", ref.Name, "this worker only reads datasets from S3")
		}
		return s.Fallback.Load(ctx, ref, opts)
	}
	if err := s.check(ref); err != nil {
		return nil, "", err
	}
	sum := strings.ToLower(ref.SHA256)

	s.mu.Lock()
	if s.flights == nil {
		s.flights = map[string]*flight{}
	}
	f, shared := s.flights[sum]
	if !shared {
		f = &flight{done: make(chan struct{})}
		s.flights[sum] = f
	}
	s.mu.Unlock()

	var source string
	if shared {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, "", fmt.Errorf("worker: load s3://%s/%s: %w", ref.Bucket, ref.Key, ctx.Err())
		}
		source = "memory"
	} else {
		f.d, source, f.err = s.fetch(ctx, ref, sum)
		if f.err != nil {
			s.mu.Lock()
			delete(s.flights, sum)
			s.mu.Unlock()
		}
		close(f.done)
	}
	if f.err != nil {
		return nil, "", f.err
	}
	if err := matches(f.d, opts); err != nil {
		return nil, "", fmt.Errorf("worker: load s3://%s/%s: %w", ref.Bucket, ref.Key, err)
	}
	return f.d, source, nil
}

// loaded returns the dataset ref names if this source holds it in memory,
// without fetching it; nil otherwise.
func (s *S3Source) loaded(ref DatasetRef) *datasets.Dataset {
	if ref.Bucket == "" || !isSHA256(ref.SHA256) {
		return nil
	}
	s.mu.Lock()
	f := s.flights[strings.ToLower(ref.SHA256)]
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		return f.d
	default:
		return nil
	}
}

// check refuses references outside the allowed bucket and prefix.
func (s *S3Source) check(ref DatasetRef) error {
	// Quoted: a refused key may hold control characters or be long.
	loc := quoteShort(s3Loc(ref))
	switch {
	case ref.Bucket == "" || ref.Key == "":
		return fmt.Errorf("worker: load %s: %w: both bucket and key are required", loc, ErrRefused)
	case s.Bucket == "":
		return fmt.Errorf("worker: load %s: %w: the worker has no bucket configured (HPSEARCH_BUCKET)", loc, ErrRefused)
	case ref.Bucket != s.Bucket:
		return fmt.Errorf("worker: load %s: %w: the bucket is not the worker's bucket %q (HPSEARCH_BUCKET)", loc, ErrRefused, s.Bucket)
	case !strings.HasPrefix(ref.Key, s.Prefix):
		return fmt.Errorf("worker: load %s: %w: key is outside the datasets prefix %q (HPSEARCH_DATASETS_PREFIX)", loc, ErrRefused, s.Prefix)
	case !isSHA256(ref.SHA256):
		return fmt.Errorf("worker: load %s: %w: sha256 %s is not 64 hex digits", loc, ErrRefused, quoteShort(ref.SHA256))
	}
	if why := checkKey(strings.TrimPrefix(ref.Key, s.Prefix)); why != "" {
		return fmt.Errorf("worker: load %s: %w: key under the datasets prefix %q (HPSEARCH_DATASETS_PREFIX) %s", loc, ErrRefused, s.Prefix, why)
	}
	return nil
}

// maxKey is S3's limit on the length of a key, in bytes.
const maxKey = 1024

// checkKey returns why rest, the part of a dataset key after the datasets
// prefix, is refused, or "" when it is plain: one or more segments
// separated by single slashes, each of ASCII letters, digits, '_', '-' and
// '.', none starting with a dot. That rules out every way of leaving the
// prefix or of naming one object two ways: "..", ".", empty segments and
// a leading slash, backslashes, percent escapes that a store might decode
// ("%2e%2e%2f"), control characters, and Unicode look-alikes of dots and
// slashes. Pushed datasets are named by their SHA-256 in hex, which is
// plain.
func checkKey(rest string) string {
	if rest == "" {
		return "is empty"
	}
	if len(rest) > maxKey {
		return fmt.Sprintf("is longer than %d bytes", maxKey)
	}
	for _, seg := range strings.Split(rest, "/") {
		if seg == "" {
			return "has an empty segment (a leading, trailing or double slash)"
		}
		if seg[0] == '.' {
			return fmt.Sprintf("has a segment %s starting with a dot", quoteShort(seg))
		}
		for _, c := range []byte(seg) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
				return fmt.Sprintf("has %q in it; keys are made of letters, digits, '_', '-', '.' and '/'", rune(c))
			}
		}
	}
	return ""
}

// MaxDatasetObjectBytes bounds the pushed dataset object a worker reads
// from S3, whatever its Content-Length says: the binary form of the
// largest dataset the loaders accept (datasets.MaxCells values).
const MaxDatasetObjectBytes int64 = 8*datasets.MaxCells + 64<<20

// fetch reads the dataset from the cache directory or else from S3.
//
// Both are streamed: the object is decoded straight into the matrix as
// it arrives, hashed on the way and (from S3) copied to the cache file,
// so that the encoded object is never in memory beside the matrix. The
// SHA-256 is checked once the last byte is in, and a dataset whose object
// does not match is dropped, as is its cache file.
func (s *S3Source) fetch(ctx context.Context, ref DatasetRef, sum string) (*datasets.Dataset, string, error) {
	loc := fmt.Sprintf("s3://%s/%s", ref.Bucket, ref.Key)
	if s.Dir != "" {
		if d, err := readCached(filepath.Join(s.Dir, sum), sum); err == nil {
			return d, "tmp", nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			// A bad cached copy (a torn write, a changed disk) is dropped
			// and fetched again rather than failing the trial.
			_ = os.Remove(filepath.Join(s.Dir, sum))
		}
	}
	if s.Client == nil {
		return nil, "", fmt.Errorf("worker: load %s: no S3 client", loc)
	}
	s.gets.Add(1)
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)})
	if err != nil {
		return nil, "", fmt.Errorf("worker: get %s: %w", loc, err)
	}
	defer out.Body.Close()
	limit := s.MaxObjectBytes
	if limit <= 0 {
		limit = MaxDatasetObjectBytes
	}
	// Neither a Content-Length nor a body beyond the limit is read.
	tooLarge := fmt.Errorf("worker: get %s: %w: the object is more than %d bytes (worker.MaxDatasetObjectBytes)", loc, trial.ErrBadInput, limit)
	size := aws.ToInt64(out.ContentLength)
	if size > limit {
		return nil, "", tooLarge
	}
	var body io.Reader = out.Body
	if out.ContentLength == nil || size < 0 {
		// Without a length the decoder cannot bound what it allocates:
		// read the object first, as far as the limit.
		b, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
		if err != nil {
			return nil, "", fmt.Errorf("worker: get %s: read: %w", loc, err)
		}
		if int64(len(b)) > limit {
			return nil, "", tooLarge
		}
		body, size = bytes.NewReader(b), int64(len(b))
	}
	var cache *cacheFile
	if s.Dir != "" {
		// The cache is an optimisation: failing to write it costs a GET in
		// a later runtime of this environment, not the trial.
		cache = newCacheFile(s.Dir, sum)
	}
	d, err := decode(body, size, sum, cache)
	if err != nil {
		cache.discard()
		return nil, "", fmt.Errorf("worker: get %s: %w", loc, err)
	}
	cache.keep()
	return d, "s3", nil
}

// readCached decodes the cached object at path.
func readCached(path, sum string) (*datasets.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return decode(f, fi.Size(), sum, nil)
}

// decode decodes the size bytes of r, hashing them (and copying them to
// cache, unless nil) as they pass, and checks them against the expected
// SHA-256. Every byte of the object is hashed even when decoding stops
// early, so that the wrong object is reported as ErrChecksum, not as
// corrupt.
func decode(r io.Reader, size int64, sum string, cache *cacheFile) (*datasets.Dataset, error) {
	h := sha256.New()
	seen := &countingWriter{w: h}
	var w io.Writer = seen
	if cache != nil {
		w = io.MultiWriter(seen, cache)
	}
	tee := io.TeeReader(r, w)
	d, derr := datasets.DecodeBinary(tee, size)
	if left := size + 1 - seen.n; left > 0 {
		if _, err := io.Copy(io.Discard, io.LimitReader(tee, left)); err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
	}
	if seen.n != size || hex.EncodeToString(h.Sum(nil)) != sum {
		// The object's actual hash is not said: it would let a caller
		// who guessed a key learn the reference that loads it.
		return nil, fmt.Errorf("%w: the object does not hash to the reference's sha256 %s", ErrChecksum, sum)
	}
	var ie *trial.InputError
	if errors.As(derr, &ie) {
		// Validation errors quote feature names and class labels: the
		// data's contents, which the caller may not own.
		return nil, fmt.Errorf("decode: %w: the dataset fails validation (details withheld: they would quote its contents; validate it where it was pushed from)", datasets.ErrCorrupt)
	}
	if derr != nil {
		return nil, fmt.Errorf("decode: %w", derr)
	}
	return d, nil
}

// countingWriter counts the bytes written through it to w.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// cacheFile writes an object to a temporary file in dir as it streams
// past, and renames it to dir/name once kept, so a concurrent or crashed
// writer never leaves a partial file under name. It never fails a write:
// after an error it stops writing and keep drops the file. Its methods
// are no-ops on nil.
type cacheFile struct {
	f    *os.File
	path string
	err  error
}

func newCacheFile(dir, name string) *cacheFile {
	c := &cacheFile{path: filepath.Join(dir, name)}
	if c.err = os.MkdirAll(dir, 0o700); c.err == nil {
		c.f, c.err = os.CreateTemp(dir, name+".*.tmp")
	}
	return c
}

func (c *cacheFile) Write(p []byte) (int, error) {
	if c.err == nil {
		_, c.err = c.f.Write(p)
	}
	return len(p), nil
}

// keep closes the file and renames it into place, or removes it if any
// write failed.
func (c *cacheFile) keep() {
	if c == nil || c.f == nil {
		return
	}
	if err := c.f.Close(); c.err == nil && err == nil && os.Rename(c.f.Name(), c.path) == nil {
		return
	}
	_ = os.Remove(c.f.Name())
}

// discard closes and removes the file.
func (c *cacheFile) discard() {
	if c == nil || c.f == nil {
		return
	}
	c.f.Close()
	_ = os.Remove(c.f.Name())
}

// matches checks that a pushed dataset was loaded the way the request
// asks; a pushed dataset is already encoded, so options cannot be applied.
func matches(d *datasets.Dataset, opts datasets.Options) error {
	if opts.Target != "" && opts.Target != d.Target {
		// The pushed dataset's own target is not said: a column name is
		// the data's, not the caller's.
		return fmt.Errorf("%w: request target %s is not the pushed dataset's target column", trial.ErrBadInput, quoteShort(opts.Target))
	}
	if opts.Task != "" && opts.Task != d.Task {
		return fmt.Errorf("%w: request task %s, but the pushed dataset's task is %s", trial.ErrBadInput, opts.Task, d.Task)
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
