package tree

import (
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
	"github.com/hpsearch/hpsearch/trial"
)

var (
	_ trainers.Persistent = (*treeEstimator)(nil)
	_ trainers.Persistent = (*forestEstimator)(nil)
)

// maxCols bounds the columns a decoded tree may claim.
const maxCols = 1 << 30

// MarshalBinary encodes the fitted tree's node arrays.
func (e *treeEstimator) MarshalBinary() ([]byte, error) {
	if e.tree == nil {
		return nil, errors.New("decision_tree: marshal: not fitted")
	}
	w := wire.NewWriter("decision_tree", 1)
	encodeModel(w, e.tree)
	return w.Bytes(), nil
}

// UnmarshalBinary restores a tree encoded by MarshalBinary, checking that
// every path from the root ends in a leaf of the width e's task needs.
func (e *treeEstimator) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "decision_tree", 1)
	m := decodeModel(r, outputs(e.cfg), -1)
	if err := r.Close(); err != nil {
		return fmt.Errorf("decision_tree: unmarshal: %w", err)
	}
	e.tree = m
	return nil
}

// MarshalBinary encodes every tree of the forest, in order.
func (e *forestEstimator) MarshalBinary() ([]byte, error) {
	if e.forest == nil {
		return nil, errors.New("random_forest: marshal: not fitted")
	}
	w := wire.NewWriter("random_forest", 1)
	w.Uint(uint64(len(e.forest)))
	for _, m := range e.forest {
		encodeModel(w, m)
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores a forest encoded by MarshalBinary: as many
// trees as n_estimators, all on the same columns.
func (e *forestEstimator) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "random_forest", 1)
	if n := r.Count("trees", e.trees); r.Err() == nil && n != e.trees {
		r.Failf("%d trees, n_estimators is %d", n, e.trees)
	}
	forest := make([]*model, 0, e.trees)
	cols := -1
	for t := 0; t < e.trees && r.Err() == nil; t++ {
		m := decodeModel(r, outputs(e.cfg), cols)
		if m != nil {
			cols = m.cols
		}
		forest = append(forest, m)
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("random_forest: unmarshal: %w", err)
	}
	e.forest, e.flat = forest, flattenAll(forest)
	return nil
}

// outputs is the width of a leaf's value for cfg: the number of classes,
// or 1 for regression.
func outputs(cfg trainers.Config) int {
	if cfg.Task == trial.Classification {
		return cfg.Classes
	}
	return 1
}

func encodeModel(w *wire.Writer, m *model) {
	w.Uint(uint64(m.cols))
	w.Uint(uint64(m.width))
	w.Uint(uint64(len(m.feature)))
	for k := range m.feature {
		// Per node: feature+1 (0 for a leaf), then the threshold and
		// the children, or the leaf's index into value.
		w.Uint(uint64(m.feature[k] + 1))
		if m.feature[k] < 0 {
			w.Uint(uint64(m.leaf[k]))
			continue
		}
		w.Float(m.threshold[k])
		w.Uint(uint64(m.left[k]))
		w.Uint(uint64(m.right[k]))
	}
	w.Floats(m.value)
}

// decodeModel reads a tree whose leaves have the given width and, when
// cols >= 0, that many columns. It returns nil after recording an error
// in r. Children must come after their parent, as Fit lays them out, so
// every walk from the root ends in a leaf.
func decodeModel(r *wire.Reader, width, cols int) *model {
	m := &model{cols: r.Count("columns", maxCols), width: r.Count("leaf width", width)}
	if r.Err() != nil {
		return nil
	}
	if m.width != width {
		r.Failf("leaf width %d, want %d", m.width, width)
	}
	if cols >= 0 && m.cols != cols {
		r.Failf("a tree on %d columns, the first is on %d", m.cols, cols)
	}
	// A node takes at least two bytes.
	n := r.Count("nodes", 1<<31-1)
	if n == 0 {
		r.Failf("a tree without nodes")
	}
	if r.Err() != nil {
		return nil
	}
	leaves := 0
	for k := 0; k < n && r.Err() == nil; k++ {
		m.addNode()
		f := r.Count("feature", m.cols)
		if f == 0 {
			m.leaf[k] = int32(r.Count("leaf", n))
			leaves = max(leaves, int(m.leaf[k])+1)
			continue
		}
		m.feature[k] = int32(f - 1)
		m.threshold[k] = r.Float()
		l, rt := r.Count("left child", n-1), r.Count("right child", n-1)
		if r.Err() == nil && (l <= k || rt <= k) {
			r.Failf("node %d has children %d and %d, which must come after it", k, l, rt)
		}
		m.left[k], m.right[k] = int32(l), int32(rt)
	}
	m.value = r.Floats()
	if r.Err() == nil && len(m.value) != leaves*width {
		r.Failf("%d leaf values for %d leaves of width %d", len(m.value), leaves, width)
	}
	if r.Err() != nil {
		return nil
	}
	return m
}
