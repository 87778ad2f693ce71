package worker

import (
	"context"
	"sync/atomic"

	"github.com/hpsearch/hpsearch/datasets"
)

// StaticSource serves one dataset already in memory, whatever the request
// names: for a dataset read once by the caller (from an s3:// URI, say)
// and run on the local backend.
type StaticSource struct {
	D      *datasets.Dataset
	served atomic.Bool
}

var _ Source = (*StaticSource)(nil)

// Load implements Source: "local" the first time, "memory" after.
func (s *StaticSource) Load(context.Context, DatasetRef, datasets.Options) (*datasets.Dataset, string, error) {
	if s.served.Swap(true) {
		return s.D, "memory", nil
	}
	return s.D, "local", nil
}
