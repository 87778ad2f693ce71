package tree

import (
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
)

// model is one fitted tree stored as parallel node arrays. Node 0 is the
// root; a leaf has feature -1.
type model struct {
	feature   []int32
	threshold []float64
	left      []int32
	right     []int32
	// value[k*width : (k+1)*width] is leaf k's class probabilities, or
	// its mean target for regression (width 1).
	value []float64
	// leaf maps a node to its index in value, for leaves.
	leaf  []int32
	width int
	cols  int
}

// addNode appends an undecided node and returns its index.
func (m *model) addNode() int32 {
	m.feature = append(m.feature, -1)
	m.threshold = append(m.threshold, 0)
	m.left = append(m.left, -1)
	m.right = append(m.right, -1)
	m.leaf = append(m.leaf, -1)
	return int32(len(m.feature) - 1)
}

// leafValue returns the value of the leaf that row reaches.
func (m *model) leafValue(row []float64) []float64 {
	k := int32(0)
	for m.feature[k] >= 0 {
		if row[m.feature[k]] <= m.threshold[k] {
			k = m.left[k]
		} else {
			k = m.right[k]
		}
	}
	l := int(m.leaf[k])
	return m.value[l*m.width : (l+1)*m.width]
}

// checkCols panics when X does not have the training columns: calling
// Predict with other data is a programming error.
func checkCols(X trainers.Matrix, cols int) {
	if X.Cols != cols {
		panic(fmt.Sprintf("tree: predict: X has %d columns, the model was fitted on %d", X.Cols, cols))
	}
}

// argmax returns the index of the first largest value.
func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
