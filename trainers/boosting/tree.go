package boosting

// tree is one fitted regression tree over raw feature values. Node 0 is
// the root; a leaf has feature -1 and its value (already scaled by the
// learning rate) in value.
type tree struct {
	feature   []int32
	threshold []float64
	left      []int32
	right     []int32
	value     []float64
}

func (t *tree) addNode() int32 {
	t.feature = append(t.feature, -1)
	t.threshold = append(t.threshold, 0)
	t.left = append(t.left, -1)
	t.right = append(t.right, -1)
	t.value = append(t.value, 0)
	return int32(len(t.feature) - 1)
}

// predict returns the value of the leaf row reaches. NaN goes right.
func (t *tree) predict(row []float64) float64 {
	k := int32(0)
	for t.feature[k] >= 0 {
		if row[t.feature[k]] <= t.threshold[k] {
			k = t.left[k]
		} else {
			k = t.right[k]
		}
	}
	return t.value[k]
}
