package worker

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

// Source finds the dataset a request names. Implementations are safe for
// concurrent use and load each dataset at most once per process: later
// calls return the same read-only *datasets.Dataset. The returned string
// says where the data came from ("memory" for a warm hit, else "local",
// "tmp" or "s3"), for the trial's result.
type Source interface {
	Load(ctx context.Context, ref DatasetRef, opts datasets.Options) (*datasets.Dataset, string, error)
}

// LocalSource loads bundled datasets by Name and local files by Path,
// caching each parsed dataset in memory by reference and options. A Name
// is only ever a bundled dataset: one that is not (a path, a bundled name
// with a suffix) is refused, never read as a file, so that a payload's
// Name cannot reach the filesystem. Callers that mean a file say so with
// Path (cmd/hpsearch resolves a spec's dataset: to an absolute Path).
type LocalSource struct {
	mu    sync.Mutex
	cache map[string]*cacheEntry
}

type cacheEntry struct {
	once sync.Once
	d    *datasets.Dataset
	err  error
}

var _ Source = (*LocalSource)(nil)

// Load implements Source.
func (s *LocalSource) Load(ctx context.Context, ref DatasetRef, opts datasets.Options) (*datasets.Dataset, string, error) {
	name, err := localName(ref)
	if err != nil {
		return nil, "", err
	}
	return s.load(name, opts)
}

// load parses name (a bundled name or an absolute path) once per options.
func (s *LocalSource) load(name string, opts datasets.Options) (*datasets.Dataset, string, error) {
	key := fmt.Sprintf("%s|%s|%s|%s|%t", name, opts.Target, opts.Task, opts.Encoding, opts.AllowMissing)
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]*cacheEntry{}
	}
	e, warm := s.cache[key]
	if !warm {
		e = &cacheEntry{}
		s.cache[key] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.d, e.err = datasets.Load(name, opts) })
	if e.err != nil {
		return nil, "", e.err
	}
	if warm {
		return e.d, "memory", nil
	}
	return e.d, "local", nil
}

// localName returns what datasets.Load should read for ref: its Name when
// that is a bundled dataset, or its Path made absolute.
func localName(ref DatasetRef) (string, error) {
	if err := oneForm(ref); err != nil {
		return "", err
	}
	switch {
	case ref.Name != "":
		if err := checkBundled(ref.Name); err != nil {
			return "", err
		}
		return ref.Name, nil
	case ref.Path != "":
		abs, err := filepath.Abs(ref.Path)
		if err != nil {
			return "", fmt.Errorf("worker: load %s: %w", ref.Path, err)
		}
		return abs, nil
	}
	return "", refused("s3", s3Loc(ref), "a local worker reads bundled datasets and files; load S3 datasets through an S3 source")
}

// BundledSource serves bundled datasets by Name and nothing else: no
// path, no file, whatever the reference says. It is what a Lambda worker
// falls back to for references without a bucket, since anything it read
// from its own filesystem (its code, /proc/self/environ with the
// function's credentials) would be exposed to whoever may invoke it.
type BundledSource struct {
	local LocalSource
}

var _ Source = (*BundledSource)(nil)

// Load implements Source.
func (s *BundledSource) Load(ctx context.Context, ref DatasetRef, opts datasets.Options) (*datasets.Dataset, string, error) {
	if err := oneForm(ref); err != nil {
		return nil, "", err
	}
	switch {
	case ref.Path != "":
		return nil, "", refused("path", ref.Path, "local paths are not readable by a Lambda worker; push the dataset with 'hpsearch datasets push'")
	case ref.Name == "":
		return nil, "", refused("s3", s3Loc(ref), "this source serves bundled datasets only")
	}
	if err := checkBundled(ref.Name); err != nil {
		return nil, "", err
	}
	return s.local.load(ref.Name, opts)
}

// oneForm refuses a reference that names no dataset or uses more than one
// of its forms (Name, Path, S3), so that no source can pick one form while
// another component checked the other.
func oneForm(ref DatasetRef) error {
	forms := 0
	for _, set := range []bool{ref.Name != "", ref.Path != "", ref.Bucket != "" || ref.Key != "" || ref.SHA256 != ""} {
		if set {
			forms++
		}
	}
	switch forms {
	case 0:
		return fmt.Errorf("worker: %w: request names no dataset", trial.ErrBadInput)
	case 1:
		return nil
	}
	return fmt.Errorf("worker: load dataset: %w: the reference sets more than one of name, path and bucket/key/sha256", ErrRefused)
}

// checkBundled refuses a Name that is not exactly a bundled dataset.
func checkBundled(name string) error {
	if datasets.IsBundled(name) {
		return nil
	}
	names := make([]string, 0, len(datasets.Bundled()))
	for _, b := range datasets.Bundled() {
		names = append(names, b.Name)
	}
	return refused("name", name, "not a bundled dataset ("+strings.Join(names, ", ")+"); a name is never read as a file")
}

// refused is the ErrRefused error for a reference's field. The value, the
// caller's own input, is quoted and shortened, never followed.
func refused(field, value, why string) error {
	return fmt.Errorf("worker: load dataset %s %s: %w (%w): %s", field, quoteShort(value), ErrRefused, trial.ErrBadInput, why)
}

// quoteShort quotes s, cut to 200 bytes, so that an error never carries
// control characters or an unbounded copy of a payload.
func quoteShort(s string) string {
	const max = 200
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}

func s3Loc(ref DatasetRef) string { return "s3://" + ref.Bucket + "/" + ref.Key }
