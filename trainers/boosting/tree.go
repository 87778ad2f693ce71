package boosting

import "github.com/hpsearch/hpsearch/trainers"

// tree is one fitted regression tree over raw feature values. Node 0 is
// the root. Nodes are packed in one slice so that a prediction's walk
// touches one cache line per level.
type tree struct {
	nodes []treeNode
	depth int // of the deepest leaf
}

// treeNode is a split or a leaf. A split sends rows with x[feature] <=
// threshold to next[0] and the others, NaN among them, to next[1]. A
// leaf's value is already scaled by the learning rate; its next are
// itself and its feature 0, so that a walk can step on from a leaf and
// stay there.
type treeNode struct {
	threshold float64
	value     float64
	feature   int32
	next      [2]int32
}

func (t *tree) addNode() int32 {
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, treeNode{next: [2]int32{id, id}})
	return id
}

// walkBatch is the number of rows whose walks addTo interleaves.
const walkBatch = 16

// addTo adds the tree's value for row i of X to out[i*stride], for every
// row. A split's sides are unpredictable row by row, so the walks take
// no branch: each takes depth steps (staying at its leaf once there), and
// walkBatch rows are walked together so that their loads overlap.
func (t *tree) addTo(X trainers.Matrix, out []float64, stride int) {
	nodes, p := t.nodes, X.Cols
	i := 0
	for ; i+walkBatch <= X.Rows; i += walkBatch {
		at := walk(nodes, X.Data[i*p:(i+walkBatch)*p], p, t.depth)
		for j, a := range at {
			out[(i+j)*stride] += nodes[a].value
		}
	}
	for ; i < X.Rows; i++ {
		row, a := X.Row(i), int32(0)
		for range t.depth {
			nd := &nodes[a]
			a = nd.next[right(row[nd.feature], nd.threshold)]
		}
		out[i*stride] += nodes[a].value
	}
}

// walk returns the leaves that walkBatch rows of p values reach in depth
// steps.
func walk(nodes []treeNode, rows []float64, p, depth int) [walkBatch]int32 {
	var at [walkBatch]int32
	rows = rows[:walkBatch*p]
	for range depth {
		for j := range at {
			nd := &nodes[at[j]]
			at[j] = nd.next[right(rows[j*p+int(nd.feature)], nd.threshold)]
		}
	}
	return at
}

// right is 1 if x goes right of threshold (x > threshold or NaN), else 0.
func right(x, threshold float64) int {
	if x <= threshold {
		return 0
	}
	return 1
}
