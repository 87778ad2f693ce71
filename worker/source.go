package worker

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/hpsearch/hpsearch/datasets"
)

// Source finds the dataset a request names. Implementations are safe for
// concurrent use and load each dataset at most once per process: later
// calls return the same read-only *datasets.Dataset. The returned string
// says where the data came from ("memory" for a warm hit, else "local",
// "tmp" or "s3"), for the trial's result.
type Source interface {
	Load(ctx context.Context, ref DatasetRef, opts datasets.Options) (*datasets.Dataset, string, error)
}

// LocalSource loads bundled datasets and local files, caching each parsed
// dataset in memory by reference and options.
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
	name := ref.Name
	if name == "" {
		name = ref.Path
	}
	if name == "" {
		return nil, "", fmt.Errorf("worker: request names no dataset")
	}
	if ref.Path != "" {
		if abs, err := filepath.Abs(ref.Path); err == nil {
			name = abs
		}
	}
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
