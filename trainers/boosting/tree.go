package boosting

// tree is one fitted regression tree over raw feature values. Node 0 is
// the root. Nodes are packed in one slice so that a prediction's walk
// touches one cache line per level.
type tree struct {
	nodes []treeNode
}

// treeNode is a split (feature ≥ 0: rows with x <= threshold go to left,
// others and NaN to right) or a leaf (feature -1) whose value is already
// scaled by the learning rate.
type treeNode struct {
	threshold   float64
	value       float64
	feature     int32
	left, right int32
}

func (t *tree) addNode() int32 {
	t.nodes = append(t.nodes, treeNode{feature: -1, left: -1, right: -1})
	return int32(len(t.nodes) - 1)
}

// predict returns the value of the leaf row reaches. NaN goes right.
func (t *tree) predict(row []float64) float64 {
	nodes := t.nodes
	nd := &nodes[0]
	for nd.feature >= 0 {
		if row[nd.feature] <= nd.threshold {
			nd = &nodes[nd.left]
		} else {
			nd = &nodes[nd.right]
		}
	}
	return nd.value
}
