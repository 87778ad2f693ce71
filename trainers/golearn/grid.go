package golearn

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/sjwhitworth/golearn/base"
)

// schema is the set of golearn attributes a model was fitted on; Predict
// builds its grids from the same attribute values so golearn can resolve
// them.
type schema struct {
	features []base.Attribute
	class    *base.CategoricalAttribute
	// specs and classSpec are what golearn resolves the attributes to;
	// they come from a DenseInstances with no rows, since AttributeSpec
	// can only be made inside golearn's base package. They are made on
	// first use (resolveSpecs): that takes about 10 µs a column, which a
	// schema restored from a model file's bytes should not spend before
	// there is data of that many columns to predict.
	specsOnce sync.Once
	specs     []base.AttributeSpec
	classSpec base.AttributeSpec
	// floatColumn and binaryColumn map a feature attribute to its column
	// (maps keyed by the pointer types hash faster than by the interface).
	floatColumn  map[*base.FloatAttribute]int
	binaryColumn map[*base.BinaryAttribute]int
	// classAttrs is AllClassAttributes' answer, shared by every frame.
	classAttrs []base.Attribute
}

// newSchema declares cols features, binary or float, and a class with
// values "0".."classes-1" registered in order, so a class's system value
// is its index.
func newSchema(cols, classes int, binary bool) *schema {
	s := &schema{
		features: make([]base.Attribute, cols),
	}
	if binary {
		s.binaryColumn = make(map[*base.BinaryAttribute]int, cols)
	} else {
		s.floatColumn = make(map[*base.FloatAttribute]int, cols)
	}
	for j := range s.features {
		name := "x" + strconv.Itoa(j)
		if binary {
			a := base.NewBinaryAttribute(name)
			s.features[j], s.binaryColumn[a] = a, j
		} else {
			a := base.NewFloatAttribute(name)
			s.features[j], s.floatColumn[a] = a, j
		}
	}
	s.class = base.NewCategoricalAttribute()
	s.class.SetName("class")
	for c := 0; c < classes; c++ {
		s.class.GetSysValFromString(strconv.Itoa(c))
	}
	s.classAttrs = []base.Attribute{s.class}
	return s
}

// resolveSpecs makes specs and classSpec, the features' in column order
// and then the class's, on the first call.
func (s *schema) resolveSpecs() {
	s.specsOnce.Do(func() {
		template := base.NewDenseInstances()
		s.specs = make([]base.AttributeSpec, len(s.features))
		for j, a := range s.features {
			s.specs[j] = template.AddAttribute(a)
		}
		s.classSpec = template.AddAttribute(s.class)
	})
}

// col is the column of feature a, or -1 for the class; golearn matches
// attributes by name, so an equal attribute that is not the schema's own
// value is found by its name.
func (s *schema) col(a base.Attribute) (int, bool) {
	if a == base.Attribute(s.class) {
		return -1, true
	}
	switch a := a.(type) {
	case *base.FloatAttribute:
		if j, ok := s.floatColumn[a]; ok {
			return j, true
		}
	case *base.BinaryAttribute:
		if j, ok := s.binaryColumn[a]; ok {
			return j, true
		}
	}
	if a == nil {
		return 0, false
	}
	if a.Equals(s.class) {
		return -1, true
	}
	j, err := strconv.Atoi(strings.TrimPrefix(a.GetName(), "x"))
	if err != nil || j < 0 || j >= len(s.features) || !a.Equals(s.features[j]) {
		return 0, false
	}
	return j, true
}

// frame is a read-only base.FixedDataGrid over rows of a packed matrix,
// the form golearn's algorithms read. golearn's own DenseInstances finds an
// attribute by comparing names with every attribute, once per value read
// (base.GetClass does so for every row), and its views of a grid look up
// every value through a map per level of nesting; a frame resolves an
// attribute with one map lookup and reads a value by slicing.
//
// Attributes: the class first (so golearn's views, which scan their
// attributes in order, find it at once), then the visible features in
// column order.
type frame struct {
	s *schema
	// width is the bytes of one feature value: 8 (a float packed as
	// golearn packs it) or 1 (a binary attribute, 0 or 1).
	width int
	// cells holds the matrix row-major, width bytes per value and
	// len(s.features) values per row; classes holds 8 bytes per matrix
	// row, the class's system value.
	cells, classes []byte
	// cellWords (float frames) and classWords are cells and classes as
	// 8-byte words.
	cellWords, classWords []uint64
	// rows are the frame's rows as matrix rows; nil means all of them, in
	// order, and n is their number.
	rows []int32
	n    int
	// visible marks the columns in attrs; nil means all of them.
	visible []bool
	attrs   []base.Attribute
	// scratch is MapOverRows' buffers, shared by a frame and its subsets
	// (which one goroutine uses in turn).
	scratch *rowScratch
}

type rowScratch struct {
	busy  bool
	cols  []int
	buf   [][]byte
	words []uint64
	bytes []byte
}

var _ base.FixedDataGrid = (*frame)(nil)

// errReadOnly is returned by the methods of base.DataGrid that would
// change a frame; golearn's algorithms used here never call them.
var errReadOnly = errors.New("golearn: frame is read-only")

// floatFrame is a frame of all of X's rows and columns as float
// attributes, and of y (class 0 when y is nil) as the class. The frame
// reads X's values in place: golearn unpacks a float attribute's 8 bytes
// as a float64 in the machine's byte order (base.UnpackBytesToFloat), which
// is how X.Data holds them. X must not change while the frame is in use.
func floatFrame(s *schema, X trainers.Matrix, y []float64) *frame {
	f := newFrame(s, 8, asBytes(X.Data), packClasses(X.Rows, y))
	if len(X.Data) > 0 {
		f.cellWords = unsafe.Slice((*uint64)(unsafe.Pointer(&X.Data[0])), len(X.Data))
	}
	return f
}

// asBytes is the memory of an array of 8-byte values as bytes.
func asBytes[T float64 | uint64](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 8*len(v))
}

// packBinary packs X as binary attributes, x > threshold, and y as
// floatFrame does.
func packBinary(s *schema, X trainers.Matrix, y []float64, threshold float64) *frame {
	cells := make([]byte, len(X.Data))
	for i, v := range X.Data {
		if v > threshold {
			cells[i] = 1
		}
	}
	return newFrame(s, 1, cells, packClasses(X.Rows, y))
}

// packClasses holds y (class 0 when y is nil) as golearn's system values
// of the class attribute, in the machine's byte order as golearn reads
// them (base.UnpackBytesToU64).
func packClasses(rows int, y []float64) []uint64 {
	classes := make([]uint64, rows)
	for i, v := range y {
		classes[i] = uint64(v)
	}
	return classes
}

func newFrame(s *schema, width int, cells []byte, classWords []uint64) *frame {
	classes := asBytes(classWords)
	attrs := make([]base.Attribute, 0, len(s.features)+1)
	attrs = append(attrs, s.class)
	attrs = append(attrs, s.features...)
	return &frame{s: s, width: width, cells: cells, classes: classes, classWords: classWords, n: len(classWords), attrs: attrs, scratch: new(rowScratch)}
}

// subset is a frame of the given matrix rows and visible columns (in
// ascending order); it shares f's data.
func (f *frame) subset(rows []int32, cols []int, visible []bool) *frame {
	clear(visible)
	attrs := make([]base.Attribute, 0, len(cols)+1)
	attrs = append(attrs, f.s.class)
	for _, j := range cols {
		visible[j] = true
		attrs = append(attrs, f.s.features[j])
	}
	return &frame{s: f.s, width: f.width, cells: f.cells, classes: f.classes, cellWords: f.cellWords, classWords: f.classWords,
		rows: rows, n: len(rows), visible: visible, attrs: attrs, scratch: f.scratch}
}

// row is the matrix row of frame row i.
func (f *frame) row(i int) int {
	if f.rows != nil {
		return int(f.rows[i])
	}
	return i
}

// cell is the packed value of column j (-1: the class) in matrix row r.
func (f *frame) cell(j, r int) []byte {
	if j < 0 {
		return f.classes[8*r : 8*r+8 : 8*r+8]
	}
	o := (r*len(f.s.features) + j) * f.width
	return f.cells[o : o+f.width : o+f.width]
}

// resolve is the column of a visible attribute, or -1 for the class.
func (f *frame) resolve(a base.Attribute) (int, error) {
	j, ok := f.s.col(a)
	if !ok || j >= 0 && f.visible != nil && !f.visible[j] {
		return 0, fmt.Errorf("golearn: attribute %v is not in this frame", a)
	}
	return j, nil
}

// GetAttribute returns the spec of a visible attribute.
func (f *frame) GetAttribute(a base.Attribute) (base.AttributeSpec, error) {
	j, err := f.resolve(a)
	if err != nil {
		return base.AttributeSpec{}, err
	}
	f.s.resolveSpecs()
	if j < 0 {
		return f.s.classSpec, nil
	}
	return f.s.specs[j], nil
}

// AllAttributes returns the class and the visible features. The slice is
// the frame's own, without spare capacity: golearn only reads it.
func (f *frame) AllAttributes() []base.Attribute { return f.attrs[:len(f.attrs):len(f.attrs)] }

// AddClassAttribute fails: a frame's class is fixed.
func (f *frame) AddClassAttribute(base.Attribute) error { return errReadOnly }

// RemoveClassAttribute fails: a frame's class is fixed.
func (f *frame) RemoveClassAttribute(base.Attribute) error { return errReadOnly }

// AllClassAttributes returns the class attribute. The slice is shared:
// golearn only reads it.
func (f *frame) AllClassAttributes() []base.Attribute { return f.s.classAttrs }

// Get returns the packed value of an attribute in frame row i; the slice
// aliases the frame's data and has no spare capacity.
func (f *frame) Get(spec base.AttributeSpec, i int) []byte {
	j, err := f.resolve(spec.GetAttribute())
	if err != nil {
		panic(err) // golearn got the spec from this frame
	}
	return f.cell(j, f.row(i))
}

// MapOverRows calls fn with the values of specs in each row, in order,
// until fn returns false or an error.
func (f *frame) MapOverRows(specs []base.AttributeSpec, fn func([][]byte, int) (bool, error)) error {
	sc := f.scratch
	if sc == nil || sc.busy {
		sc = new(rowScratch) // called from inside fn
	}
	sc.busy = true
	err := f.mapOverRows(specs, fn, sc)
	sc.busy = false
	return err
}

// mapOverRows hands fn the same slices for every row, into sc's words
// and bytes, and copies each row's values into those: values are copied
// as plain words and bytes, where pointing the slices at each row's cells
// took a garbage-collector write barrier per value. A slice so holds row
// i's value only during the call for row i; golearn's callers read the
// values there (its own grids reuse the row slice too).
func (f *frame) mapOverRows(specs []base.AttributeSpec, fn func([][]byte, int) (bool, error), sc *rowScratch) error {
	m := len(specs)
	cols, buf := resized(sc.cols, m), resized(sc.buf, m)
	words, bytes := resized(sc.words, m), resized(sc.bytes, m)
	sc.cols, sc.buf, sc.words, sc.bytes = cols, buf, words, bytes
	wordBytes := asBytes(words)
	for k := range specs {
		j, err := f.resolve(specs[k].GetAttribute())
		if err != nil {
			return err
		}
		cols[k] = j
		if j < 0 || f.width == 8 {
			buf[k] = wordBytes[8*k : 8*k+8 : 8*k+8]
		} else {
			buf[k] = bytes[k : k+1 : k+1]
		}
	}
	stride := len(f.s.features)
	for i := 0; i < f.n; i++ {
		r := f.row(i)
		for k, j := range cols {
			switch {
			case j < 0:
				words[k] = f.classWords[r]
			case f.width == 8:
				words[k] = f.cellWords[r*stride+j]
			default:
				bytes[k] = f.cells[r*stride+j]
			}
		}
		if ok, err := fn(buf, i); err != nil || !ok {
			return err
		}
	}
	return nil
}

// RowString formats frame row i as golearn's grids do: each attribute's
// value, space-separated.
func (f *frame) RowString(i int) string {
	var b strings.Builder
	for k, a := range f.attrs {
		j, _ := f.resolve(a)
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.GetStringFromSysVal(f.cell(j, f.row(i))))
	}
	return b.String()
}

// Size returns the number of attributes (class included) and rows.
func (f *frame) Size() (int, int) { return len(f.attrs), f.n }

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
