package golearn

import (
	"fmt"
	"math"
	"strconv"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/sjwhitworth/golearn/base"
)

// schema is the set of golearn attributes a model was fitted on; Predict
// builds its grids from the same attribute values so golearn can resolve
// them.
type schema struct {
	features []base.Attribute
	class    *base.CategoricalAttribute
}

// newSchema declares cols features, binary or float, and a class with
// values "0".."classes-1" registered in order, so a class's system value
// is its index.
func newSchema(cols, classes int, binary bool) schema {
	s := schema{features: make([]base.Attribute, cols)}
	for j := range s.features {
		name := "x" + strconv.Itoa(j)
		if binary {
			s.features[j] = base.NewBinaryAttribute(name)
		} else {
			s.features[j] = base.NewFloatAttribute(name)
		}
	}
	s.class = base.NewCategoricalAttribute()
	s.class.SetName("class")
	for c := 0; c < classes; c++ {
		s.class.GetSysValFromString(strconv.Itoa(c))
	}
	return s
}

// grid copies X (and y, or class 0 when y is nil) into a DenseInstances.
// Binary features are x > threshold.
func (s schema) grid(X trainers.Matrix, y []float64, threshold float64) (*base.DenseInstances, error) {
	inst := base.NewDenseInstances()
	specs := make([]base.AttributeSpec, len(s.features))
	for j, a := range s.features {
		specs[j] = inst.AddAttribute(a)
	}
	cspec := inst.AddAttribute(s.class)
	if err := inst.AddClassAttribute(s.class); err != nil {
		return nil, fmt.Errorf("class attribute: %w", err)
	}
	if err := inst.Extend(X.Rows); err != nil {
		return nil, fmt.Errorf("allocate %d rows: %w", X.Rows, err)
	}
	zero, one := []byte{0}, []byte{1}
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			if _, ok := s.features[j].(*base.BinaryAttribute); ok {
				if v > threshold {
					inst.Set(specs[j], i, one)
				} else {
					inst.Set(specs[j], i, zero)
				}
				continue
			}
			inst.Set(specs[j], i, base.PackFloatToBytes(v))
		}
		c := 0
		if y != nil {
			c = int(y[i])
		}
		inst.Set(cspec, i, s.class.GetSysValFromString(strconv.Itoa(c)))
	}
	return inst, nil
}

// classes reads golearn's string predictions back as class indices.
func classes(pred base.FixedDataGrid, rows int) ([]float64, error) {
	out := make([]float64, rows)
	for i := range out {
		c, err := strconv.Atoi(base.GetClass(pred, i))
		if err != nil {
			return nil, fmt.Errorf("prediction %d: %w", i, err)
		}
		out[i] = float64(c)
	}
	return out, nil
}

// checkXY validates training data: sizes, finite values, labels in
// [0, classes).
func checkXY(name string, X trainers.Matrix, y []float64, classes int) error {
	if X.Rows == 0 || X.Cols == 0 {
		return fmt.Errorf("%s: fit: empty training set (%d×%d)", name, X.Rows, X.Cols)
	}
	if len(y) != X.Rows {
		return fmt.Errorf("%s: fit: %d rows but %d targets", name, X.Rows, len(y))
	}
	for i, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: fit: non-finite feature at row %d, column %d", name, i/X.Cols, i%X.Cols)
		}
	}
	for i, v := range y {
		if v != math.Trunc(v) || v < 0 || int(v) >= classes {
			return fmt.Errorf("%s: fit: label %v at row %d is not a class in [0, %d)", name, v, i, classes)
		}
	}
	return nil
}
