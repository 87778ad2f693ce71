package datasets

import "math"

// table is a dataset while a loader reads it, laid out so that its
// feature cells can become X without a second copy: one row-major buffer
// of a float64 per feature column and row (the number, a string column's
// category code, or NaN for a missing cell), and the target column apart.
// assemble turns the codes into the encoded values in place; only one-hot
// encoding, which widens the rows, makes a new X.
type table struct {
	cols   []*column // every column of the file, in file order
	target int       // index of the target in cols
	width  int       // feature columns: len(cols)-1
	cells  []float64 // rows × width, row-major
	y      []float64 // the target: a number, or a category code
	rows   int
}

func newTable(cols []*column, target int) *table {
	return &table{cols: cols, target: target, width: len(cols) - 1}
}

// feature returns the column of the table whose cells are at offset j of
// each row.
func (t *table) feature(j int) *column {
	if j >= t.target {
		return t.cols[j+1]
	}
	return t.cols[j]
}

// reserve makes room for rows rows in all. The buffers grow by a new
// allocation and a copy of what was read, not by append: make leaves
// memory fresh from the operating system untouched, so rows reserved
// beyond those read usually cost no resident memory, where append would
// clear them.
func (t *table) reserve(rows int) {
	if n := rows * t.width; n > cap(t.cells) {
		cells := make([]float64, len(t.cells), n)
		copy(cells, t.cells)
		t.cells = cells
	}
	if rows > cap(t.y) {
		y := make([]float64, len(t.y), rows)
		copy(y, t.y)
		t.y = y
	}
}

// addRows appends n rows to the table and returns their feature cells
// (n × width, row-major) and target cells, for the caller to fill; they
// hold zeros. When the buffers are full they grow by half.
func (t *table) addRows(n int) (cells, y []float64) {
	if rows := t.rows + n; rows > cap(t.y) || rows*t.width > cap(t.cells) {
		t.reserve(max(rows, t.rows+t.rows/2, 1024))
	}
	c, r := len(t.cells), t.rows
	t.rows += n
	t.cells = t.cells[:c+n*t.width]
	t.y = t.y[:t.rows]
	return t.cells[c:], t.y[r:]
}

// nan is a missing cell.
var nan = math.NaN()
