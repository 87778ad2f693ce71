package knn

import (
	"context"
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
)

var _ trainers.Persistent = (*Estimator)(nil)

// maxDim bounds the rows and columns a decoded model may claim, so that
// their product cannot overflow.
const maxDim = 1 << 31

// MarshalBinary encodes what a knn model is: its training rows and their
// targets. The packed copy and the norms are derived again on restore.
func (e *Estimator) MarshalBinary() ([]byte, error) {
	if e.y == nil {
		return nil, errors.New("knn: marshal: not fitted")
	}
	w := wire.NewWriter("knn", 1)
	w.Uint(uint64(e.x.Rows))
	w.Uint(uint64(e.x.Cols))
	w.Floats(e.x.Data)
	w.Floats(e.y)
	return w.Bytes(), nil
}

// UnmarshalBinary restores the training rows and fits on them again,
// which checks them (enough rows for n_neighbors, labels below the number
// of classes) as a fit does.
func (e *Estimator) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "knn", 1)
	rows := r.Count("rows", maxDim)
	cols := r.Count("columns", maxDim)
	x := r.FloatsN("training rows", rows*cols)
	y := r.FloatsN("targets", rows)
	if err := r.Close(); err != nil {
		return fmt.Errorf("knn: unmarshal: %w", err)
	}
	restored := *e
	if err := restored.Fit(context.Background(), trainers.Matrix{Rows: rows, Cols: cols, Data: x}, y); err != nil {
		return fmt.Errorf("knn: unmarshal: %w: %w", trainers.ErrBadState, err)
	}
	*e = restored
	return nil
}
