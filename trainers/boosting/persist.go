package boosting

import (
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
)

var _ trainers.Persistent = (*estimator)(nil)

// Bounds on what a decoded ensemble may claim.
const (
	maxCols  = 1 << 30
	maxNodes = 1<<31 - 1
)

// MarshalBinary encodes the baseline scores and every tree's nodes, in
// the order Fit grew them (iteration, then output).
func (e *estimator) MarshalBinary() ([]byte, error) {
	if e.trees == nil {
		return nil, errors.New("gradient_boosting: marshal: not fitted")
	}
	w := wire.NewWriter("gradient_boosting", 1)
	w.Uint(uint64(e.cols))
	w.Floats(e.base)
	w.Uint(uint64(len(e.trees)))
	for _, iter := range e.trees {
		for _, t := range iter {
			w.Uint(uint64(len(t.nodes)))
			for _, nd := range t.nodes {
				w.Float(nd.threshold)
				w.Float(nd.value)
				w.Uint(uint64(nd.feature))
				w.Uint(uint64(nd.next[0]))
				w.Uint(uint64(nd.next[1]))
			}
		}
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores an ensemble encoded by MarshalBinary: max_iter
// iterations of one tree per output. A node is a leaf when both its
// successors are itself; a split's successors come after it, so every
// walk reaches a leaf, and the walk length (the tree's depth) is derived
// again from the nodes.
func (e *estimator) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "gradient_boosting", 1)
	cols := r.Count("columns", maxCols)
	if r.Err() == nil && cols == 0 {
		r.Failf("no columns")
	}
	k := e.outputs()
	base := r.FloatsN("baseline scores", k)
	if n := r.Count("iterations", e.iters); r.Err() == nil && n != e.iters {
		r.Failf("%d iterations, max_iter is %d", n, e.iters)
	}
	trees := make([][]*tree, 0, e.iters)
	for range e.iters {
		if r.Err() != nil {
			break
		}
		iter := make([]*tree, k)
		for c := range iter {
			iter[c] = decodeTree(r, cols)
		}
		trees = append(trees, iter)
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("gradient_boosting: unmarshal: %w", err)
	}
	e.cols, e.base, e.trees = cols, base, trees
	return nil
}

// decodeTree reads one tree's nodes, checks them, and computes its depth.
func decodeTree(r *wire.Reader, cols int) *tree {
	n := r.Count("nodes", maxNodes)
	if r.Err() == nil && n == 0 {
		r.Failf("a tree without nodes")
	}
	t := &tree{}
	depth := []int{}
	for k := 0; k < n && r.Err() == nil; k++ {
		nd := treeNode{threshold: r.Float(), value: r.Float()}
		nd.feature = int32(r.Count("feature", cols-1))
		nd.next[0], nd.next[1] = int32(r.Count("successor", n-1)), int32(r.Count("successor", n-1))
		leaf := nd.next[0] == int32(k) && nd.next[1] == int32(k)
		if r.Err() == nil && !leaf && (int(nd.next[0]) <= k || int(nd.next[1]) <= k) {
			r.Failf("node %d has successors %v, which must come after it", k, nd.next)
		}
		t.nodes = append(t.nodes, nd)
		depth = append(depth, 0)
	}
	if r.Err() != nil {
		return nil
	}
	// Successors come after their node, so one pass in order sets every
	// node's depth from its parent's.
	for k, nd := range t.nodes {
		if nd.next[0] == int32(k) && nd.next[1] == int32(k) {
			t.depth = max(t.depth, depth[k])
			continue
		}
		for _, s := range nd.next {
			depth[s] = max(depth[s], depth[k]+1)
		}
	}
	return t
}
