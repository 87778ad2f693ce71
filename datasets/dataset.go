package datasets

import (
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trial"
)

// Dataset is a loaded dataset: a dense row-major float64 matrix plus labels.
// It is built once per process and shared read-only: a Dataset returned by
// Load for a bundled name is shared by every caller, who must not mutate it.
type Dataset struct {
	// Name is the bundled name, or the file's base name without extension.
	Name string
	// Target is the name of the label column.
	Target string
	// Task is Options.Task when given, otherwise inferred (see Options.Task).
	Task trial.Task
	// Features are the column names of X after encoding; one-hot columns
	// are named "col=value".
	Features []string
	// Rows and Cols are the shape of X; Cols == len(Features).
	Rows, Cols int
	// X is the feature matrix, row-major, Rows*Cols long. NaN marks a
	// missing cell, which happens only with Options.AllowMissing.
	X []float64
	// Y holds the class index 0..len(Classes)-1 for classification and the
	// value for regression. It never holds NaN.
	Y []float64
	// Classes are the class labels in index order: numeric labels sorted
	// numerically (formatted with strconv 'g'), string labels sorted
	// lexically. Nil for regression.
	Classes []string
	// Categories holds, for each string feature column encoded ordinally
	// (Options.Encoding "ordinal"), its categories in code order: the
	// feature's value is the category's index. Nil when there is none.
	Categories map[string][]string
}

// Options says how to read a dataset. The zero value reads the last column
// as the target, infers the task, one-hot encodes string features and
// rejects missing cells.
type Options struct {
	// Target is the label column; "" means the last column.
	Target string
	// Task is the learning problem; "" infers it from the target: a string
	// target is classification; a numeric target is classification when
	// every value is an integer, there are at most 50 distinct values, and
	// either there are only two or there are at least two rows per distinct
	// value; otherwise it is regression.
	Task trial.Task
	// Encoding turns string feature columns into numbers: "onehot" (the
	// default, one 0/1 column per category, named "col=value", categories
	// sorted) or "ordinal" (one column holding the category's index in
	// sorted order).
	Encoding string
	// AllowMissing turns empty cells and NA, N/A, NaN and null text (any
	// case) in feature columns into NaN in X instead of an error.
	// Imputation happens later, per training fold. A missing target value
	// is always an error.
	AllowMissing bool
}

// Encodings of string feature columns.
const (
	OneHot  = "onehot"
	Ordinal = "ordinal"
)

// validate checks the options themselves.
func (o Options) validate(file string) error {
	switch o.Task {
	case "", trial.Classification, trial.Regression:
	default:
		return &trial.InputError{File: file, Field: "task",
			Msg: fmt.Sprintf("unknown task %q (want %q or %q)", o.Task, trial.Classification, trial.Regression)}
	}
	switch o.Encoding {
	case "", OneHot, Ordinal:
	default:
		return &trial.InputError{File: file, Field: "encoding",
			Msg: fmt.Sprintf("unknown encoding %q (want %q or %q)", o.Encoding, OneHot, Ordinal)}
	}
	return nil
}

// Validate checks that d is consistent and usable for learning: shapes
// agree, feature names are unique, X holds no infinities, a classification
// target has at least two classes and every label is a class index in
// range, and a regression target is finite and not constant. Errors are
// *trial.InputError.
func (d *Dataset) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &trial.InputError{File: d.Name, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case d.Rows <= 0:
		return bad("", "no rows")
	case d.Cols <= 0:
		return bad("", "no feature columns")
	case len(d.Features) != d.Cols:
		return bad("", "%d feature names for %d columns", len(d.Features), d.Cols)
	case d.Rows > math.MaxInt/d.Cols || len(d.X) != d.Rows*d.Cols:
		return bad("", "X has %d cells, want %d rows × %d columns", len(d.X), d.Rows, d.Cols)
	case len(d.Y) != d.Rows:
		return bad(d.Target, "%d labels for %d rows", len(d.Y), d.Rows)
	}
	seen := make(map[string]bool, len(d.Features))
	for _, f := range d.Features {
		if f == "" || seen[f] {
			return bad(f, "feature name is empty or repeated")
		}
		seen[f] = true
	}
	for i, v := range d.X {
		if math.IsInf(v, 0) {
			return bad(d.Features[i%d.Cols], "infinite value in row %d", i/d.Cols+1)
		}
	}
	switch d.Task {
	case trial.Classification:
		return d.validateClasses(bad)
	case trial.Regression:
		if d.Classes != nil {
			return bad(d.Target, "regression dataset has classes")
		}
		for i, y := range d.Y {
			if math.IsNaN(y) || math.IsInf(y, 0) {
				return bad(d.Target, "target in row %d is %v", i+1, y)
			}
		}
		for _, y := range d.Y {
			if y != d.Y[0] {
				return nil
			}
		}
		return bad(d.Target, "target is constant (%v) in every row; nothing to learn by regression", d.Y[0])
	default:
		return bad("task", "unknown task %q", d.Task)
	}
}

func (d *Dataset) validateClasses(bad func(field, format string, args ...any) error) error {
	k := len(d.Classes)
	if k < 2 {
		label := ""
		if k == 1 {
			label = fmt.Sprintf(" (%q)", d.Classes[0])
		}
		return bad(d.Target, "classification target has %d class%s; need at least 2", k, label)
	}
	count := make([]int, k)
	for i, y := range d.Y {
		c := int(y)
		if y != math.Trunc(y) || c < 0 || c >= k {
			return bad(d.Target, "label in row %d is %v, not a class index 0..%d", i+1, y, k-1)
		}
		count[c]++
	}
	for c, n := range count {
		if n == 0 {
			return bad(d.Target, "class %q has no rows", d.Classes[c])
		}
	}
	return nil
}

// HasMissing reports whether any cell of X is missing (NaN).
func (d *Dataset) HasMissing() bool {
	for _, v := range d.X {
		if v != v {
			return true
		}
	}
	return false
}
