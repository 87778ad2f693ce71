package golearn

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/wire"
	"github.com/sjwhitworth/golearn/trees"
)

var (
	_ trainers.Persistent = (*bernoulliModel)(nil)
	_ trainers.Persistent = (*id3Model)(nil)
)

// Bounds on what decoded bytes may claim, beyond what their length
// justifies.
const (
	// maxRows bounds a bernoulli_nb model's training rows (datasets.MaxCells
	// is 2^29 cells), so that sums of class counts cannot overflow.
	maxRows = 1 << 40
	// maxCols bounds the columns of a restored id3 tree, for which golearn
	// attributes are made (about 10 µs each) whatever the tree uses: the
	// most feature columns a dataset can have (datasets.MaxColumns).
	maxCols = 100_000
	// maxFeatures bounds a bernoulli_nb model's columns; their
	// probabilities are in the bytes, so the bytes bound them first.
	maxFeatures = 1 << 30
)

// MarshalBinary encodes golearn's fitted state: the training rows and
// the columns, then for each class the classifier saw, in index order,
// its index, its rows and golearn's p(f|c) for every column (the float64s
// golearn computed, bit for bit).
func (m *bernoulliModel) MarshalBinary() ([]byte, error) {
	if m.fitted == nil {
		return nil, errors.New("bernoulli_nb: marshal: not fitted")
	}
	st := m.fitted
	w := wire.NewWriter("bernoulli_nb", 1)
	w.Uint(uint64(st.rows))
	w.Uint(uint64(len(st.condProb[0])))
	w.Uint(uint64(len(st.classes)))
	for k, c := range st.classes {
		w.Uint(uint64(c))
		w.Uint(uint64(st.counts[k]))
		w.Floats(st.condProb[k])
	}
	return w.Bytes(), nil
}

// UnmarshalBinary restores the state MarshalBinary encoded and the
// scores Predict uses, computed from it as after Fit. golearn's
// classifier itself is not rebuilt (its fields are unexported and its
// Load reads a file), so m predicts from golearn's probabilities through
// the arithmetic that TestBernoulliScoresArePredictOnes checks against
// golearn's PredictOne. The state must be one golearn could have
// learned: class indices ascending and below the Config's classes, each
// with at least one row, the rows summing to the training rows, and
// every probability in (0, 1], so every score is finite.
func (m *bernoulliModel) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "bernoulli_nb", 1)
	st := &nbState{rows: r.Count("training rows", maxRows)}
	cols := r.Count("columns", maxFeatures)
	n := r.Count("classes", m.classes)
	if r.Err() == nil && (st.rows == 0 || cols == 0 || n == 0) {
		r.Failf("%d training rows, %d columns and %d classes: none may be 0", st.rows, cols, n)
	}
	sum := 0
	for k := 0; k < n && r.Err() == nil; k++ {
		c := r.Count("class", m.classes-1)
		count := r.Count("class rows", st.rows)
		probs := r.FloatsN("probabilities", cols)
		switch {
		case r.Err() != nil:
		case k > 0 && c <= st.classes[k-1]:
			r.Failf("class %d after class %d", c, st.classes[k-1])
		case count == 0:
			r.Failf("class %d has no rows", c)
		}
		for f, p := range probs {
			if r.Err() == nil && !(p > 0 && p <= 1) {
				r.Failf("class %d, column %d: probability %v outside (0, 1]", c, f, p)
			}
		}
		sum += count
		st.classes, st.counts, st.condProb = append(st.classes, c), append(st.counts, count), append(st.condProb, probs)
	}
	if r.Err() == nil && sum != st.rows {
		r.Failf("class rows sum to %d, training rows %d", sum, st.rows)
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("bernoulli_nb: unmarshal: %w", err)
	}
	m.nb, m.fitted, m.scores = nil, st, st.scores()
	return nil
}

// MarshalBinary encodes golearn's tree: the columns it was fitted on,
// then its nodes in preorder (encodeNode), children in key order, so the
// bytes do not depend on map order.
func (m *id3Model) MarshalBinary() ([]byte, error) {
	if m.root == nil {
		return nil, errors.New("id3: marshal: not fitted")
	}
	w := wire.NewWriter("id3", 1)
	w.Uint(uint64(len(m.schema.features)))
	if err := m.encodeNode(w, m.root); err != nil {
		return nil, fmt.Errorf("id3: marshal: %w", err)
	}
	return w.Bytes(), nil
}

// Rule tags: how a node's SplitRule is encoded. golearn makes a leaf
// with an empty rule, a node it could not split with none, and a split
// node with a rule on a column and children.
const (
	ruleNone  = 0 // SplitRule nil, no children
	ruleEmpty = 1 // SplitRule without an attribute, then its value; no children
	ruleSplit = 2 // column, value, then the children
)

// encodeNode writes a node: its type, its class, its class distribution
// (class, rows) in class order, its rule tag and, for a split, the
// column, the threshold's bits and the children as (key, node) in key
// order.
func (m *id3Model) encodeNode(w *wire.Writer, n *trees.DecisionTreeNode) error {
	class, err := strconv.Atoi(n.Class)
	if err != nil || class < 0 || class >= m.classes {
		return fmt.Errorf("node class %q is not a class index", n.Class)
	}
	w.Uint(uint64(n.Type))
	w.Uint(uint64(class))
	dist := make([]int, 0, len(n.ClassDist))
	for s := range n.ClassDist {
		c, err := strconv.Atoi(s)
		if err != nil || c < 0 || c >= m.classes || strconv.Itoa(c) != s {
			return fmt.Errorf("class distribution key %q is not a class index", s)
		}
		dist = append(dist, c)
	}
	slices.Sort(dist)
	w.Uint(uint64(len(dist)))
	for _, c := range dist {
		w.Uint(uint64(c))
		w.Uint(uint64(n.ClassDist[strconv.Itoa(c)]))
	}
	switch {
	case n.SplitRule == nil:
		w.Uint(ruleNone)
	case n.SplitRule.SplitAttr == nil:
		w.Uint(ruleEmpty)
		w.Float(n.SplitRule.SplitVal)
	default:
		j, ok := m.schema.col(n.SplitRule.SplitAttr)
		if !ok || j < 0 {
			return fmt.Errorf("split on %v, not a feature column", n.SplitRule.SplitAttr)
		}
		w.Uint(ruleSplit)
		w.Uint(uint64(j))
		w.Float(n.SplitRule.SplitVal)
	}
	if (n.Children != nil) != (n.SplitRule != nil && n.SplitRule.SplitAttr != nil) {
		return fmt.Errorf("node with %d children and rule %v", len(n.Children), n.SplitRule)
	}
	if n.Children == nil {
		return nil
	}
	keys := slices.Sorted(maps.Keys(n.Children))
	w.Uint(uint64(len(keys)))
	for _, k := range keys {
		w.String(k)
		if err := m.encodeNode(w, n.Children[k]); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalBinary rebuilds golearn's tree from the bytes, with golearn
// attributes for the encoded columns, so Predict runs golearn's own
// DecisionTreeNode.Predict as after Fit. Nodes must have the shapes
// golearn makes (a leaf with an empty rule and no children; an unsplit
// node with no rule; a split node with a rule on a column and one or two
// children keyed "0" and "1"), classes below the Config's, and paths no
// deeper than the columns (golearn's ID3 splits a path at most once per
// column).
func (m *id3Model) UnmarshalBinary(data []byte) error {
	r := wire.NewReader(data, "id3", 1)
	cols := r.Count("columns", maxCols)
	if r.Err() == nil && cols == 0 {
		r.Failf("no columns")
	}
	var s *schema
	var root *trees.DecisionTreeNode
	if r.Err() == nil {
		s = newSchema(cols, m.classes, false)
		root = m.decodeNode(r, s, 0)
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("id3: unmarshal: %w", err)
	}
	m.schema, m.root = s, root
	return nil
}

// decodeNode reads what encodeNode wrote, at the given depth; on an
// error it records it in r and returns nil.
func (m *id3Model) decodeNode(r *wire.Reader, s *schema, depth int) *trees.DecisionTreeNode {
	if depth > len(s.features) {
		r.Failf("a path deeper than the %d columns", len(s.features))
		return nil
	}
	n := &trees.DecisionTreeNode{Type: trees.NodeType(r.Uint()), ClassAttr: s.class}
	n.Class = strconv.Itoa(r.Count("node class", m.classes-1))
	k := r.Count("class distribution entries", m.classes)
	n.ClassDist = make(map[string]int, k)
	prev := -1
	for range k {
		c := r.Count("class", m.classes-1)
		rows := r.Count("class rows", maxRows)
		if r.Err() == nil && (c <= prev || rows == 0) {
			r.Failf("class distribution: class %d with %d rows after class %d", c, rows, prev)
		}
		n.ClassDist[strconv.Itoa(c)], prev = rows, c
	}
	tag := r.Uint()
	switch {
	case r.Err() != nil:
		return nil
	case tag == ruleNone && n.Type == trees.RuleNode:
		return n
	case tag == ruleEmpty && n.Type == trees.LeafNode:
		n.SplitRule = &trees.DecisionTreeRule{SplitVal: r.Float()}
		return n
	case tag != ruleSplit || n.Type != trees.RuleNode:
		r.Failf("node of type %d with rule tag %d", n.Type, tag)
		return nil
	}
	j := r.Count("split column", len(s.features)-1)
	n.SplitRule = &trees.DecisionTreeRule{SplitAttr: s.features[j], SplitVal: r.Float()}
	children := r.Count("children", 2)
	if r.Err() == nil && children == 0 {
		r.Failf("a split with no children")
	}
	n.Children = make(map[string]*trees.DecisionTreeNode, children)
	prevKey := ""
	for i := 0; i < children && r.Err() == nil; i++ {
		key := r.String()
		if r.Err() == nil && (key != "0" && key != "1" || i > 0 && key <= prevKey) {
			r.Failf("child key %q after %q", key, prevKey)
		}
		n.Children[key], prevKey = m.decodeNode(r, s, depth+1), key
	}
	if r.Err() != nil {
		return nil
	}
	return n
}
