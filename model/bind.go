package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// Binding says where each of a model's features comes from in an input
// with a given header: which column, read as a number or as one category
// of a one-hot encoded string column. Bind makes one; the streaming
// predictors and PredictColumns use it to fill the feature matrix row by row.
type Binding struct {
	fields []field
	// Used holds, for each header position, whether a feature reads it.
	Used []bool
}

// field is one input column the model reads.
type field struct {
	col  int    // position in the header
	name string // its name
	// numeric is the feature the column fills as a number, or -1.
	numeric int
	// cats maps each category seen in training to its one-hot feature;
	// nil for a numeric column.
	cats map[string]int
	// codes maps each category of an ordinally encoded string column to
	// its code, the value of feature numeric; nil for other columns.
	codes map[string]float64
}

// Bind matches the model's features to the column names of an input (see
// the package doc). It returns an error wrapping ErrMissingColumn that
// names every feature no column provides, or trial.ErrBadInput for a
// header that repeats a name the model uses.
func (m *Model) Bind(header []string) (*Binding, error) {
	index := make(map[string]int, len(header))
	dup := map[string]bool{}
	for i, h := range header {
		if _, ok := index[h]; ok {
			dup[h] = true
		}
		index[h] = i
	}
	b := &Binding{Used: make([]bool, len(header))}
	byCol := map[int]*field{}
	get := func(col int) *field {
		f, ok := byCol[col]
		if !ok {
			f = &field{col: col, name: header[col], numeric: -1}
			byCol[col] = f
		}
		return f
	}
	var missingCols []string
	for i, feat := range m.Features {
		if col, ok := index[feat]; ok {
			f := get(col)
			f.numeric = i
			if cats, ok := m.Categories[feat]; ok {
				f.codes = make(map[string]float64, len(cats))
				for code, c := range cats {
					f.codes[c] = float64(code)
				}
			}
			continue
		}
		found := false
		for j := 0; j < len(feat); j++ {
			if feat[j] != '=' {
				continue
			}
			if col, ok := index[feat[:j]]; ok {
				f := get(col)
				if f.cats == nil {
					f.cats = map[string]int{}
				}
				f.cats[feat[j+1:]] = i
				found = true
				break
			}
		}
		if !found {
			name := feat
			if c, _, ok := strings.Cut(feat, "="); ok && c != "" {
				name = fmt.Sprintf("%s (for the one-hot feature %q)", c, feat)
			}
			missingCols = append(missingCols, name)
		}
	}
	if len(missingCols) > 0 {
		more := ""
		if len(missingCols) > 5 {
			more = fmt.Sprintf(" and %d more", len(missingCols)-5)
			missingCols = missingCols[:5]
		}
		return nil, fmt.Errorf("model: %w: %w: %s%s (the model needs %d feature columns; columns are matched by name)",
			trial.ErrBadInput, ErrMissingColumn, strings.Join(missingCols, ", "), more, len(m.Features))
	}
	for col, f := range byCol {
		if dup[f.name] {
			return nil, fmt.Errorf("model: %w: column %q appears more than once in the input", trial.ErrBadInput, f.name)
		}
		if f.numeric >= 0 && f.cats != nil {
			return nil, fmt.Errorf("model: %w: column %q is both a numeric feature and a one-hot encoded column", trial.ErrBadInput, f.name)
		}
		b.Used[col] = true
		b.fields = append(b.fields, *f)
	}
	slices.SortFunc(b.fields, func(x, y field) int { return x.col - y.col })
	return b, nil
}

// Fill sets the features of one row from the cells of an input row (as
// text, indexed by header position).
func (b *Binding) Fill(row []float64, cells []string) error {
	for _, f := range b.fields {
		if err := f.fill(row, cells[f.col], 0, true); err != nil {
			return err
		}
	}
	return nil
}

// fill sets the features that f's column provides in row from one cell,
// given as text (isText) or as a number.
func (f field) fill(row []float64, cell string, num float64, isText bool) error {
	if n := len(cell); n > 0 && (cell[0] == ' ' || cell[n-1] == ' ' || cell[n-1] == '\t') {
		cell = strings.TrimSpace(cell) // as package datasets reads cells
	}
	if f.codes != nil && isText {
		if isMissing(cell) {
			row[f.numeric] = math.NaN()
			return nil
		}
		code, ok := f.codes[cell]
		if !ok {
			return &cellError{column: f.name, msg: fmt.Sprintf("category %q was not in the training data (it had %s)", clip(cell), listCategories(f.codes))}
		}
		row[f.numeric] = code
		return nil
	}
	if f.cats == nil {
		v := num
		if isText {
			var err error
			if v, err = parseCell(cell); err != nil {
				return &cellError{column: f.name, msg: err.Error()}
			}
		}
		row[f.numeric] = v
		return nil
	}
	if isText && isMissing(cell) || !isText && math.IsNaN(num) {
		for _, i := range f.cats {
			row[i] = math.NaN()
		}
		return nil
	}
	if !isText {
		cell = strconv.FormatFloat(num, 'g', -1, 64)
	}
	hit, ok := f.cats[cell]
	if !ok {
		return &cellError{column: f.name, msg: fmt.Sprintf("category %q was not in the training data (it had %s)", clip(cell), listCategories(f.cats))}
	}
	for _, i := range f.cats {
		row[i] = 0
	}
	row[hit] = 1
	return nil
}

// listCategories lists a few of a column's categories for an error
// message.
func listCategories[V any](m map[string]V) string {
	cats := make([]string, 0, len(m))
	for c := range m {
		cats = append(cats, strconv.Quote(c))
	}
	slices.Sort(cats)
	if len(cats) > 8 {
		return strings.Join(cats[:8], ", ") + fmt.Sprintf(" and %d more", len(cats)-8)
	}
	return strings.Join(cats, ", ")
}

var errNotNumber = errors.New("not a number")

// cellError is a cell that does not fit its column; callers locate it
// (row, or file and line) with inputError.
type cellError struct {
	column, msg string
	err         error // the sentinel the located error wraps; nil: ErrColumnType
}

func (e *cellError) Error() string { return fmt.Sprintf("column %q: %s", e.column, e.msg) }

// inputError locates a cellError in a file (line 0: unknown) and a row;
// other errors pass through.
func inputError(err error, file string, line int, row string) error {
	var ce *cellError
	if !errors.As(err, &ce) {
		return err
	}
	msg := ce.msg
	if row != "" {
		msg = row + ": " + msg
	}
	sentinel := ce.err
	if sentinel == nil {
		sentinel = ErrColumnType
	}
	return &trial.InputError{File: file, Line: line, Field: ce.column, Msg: msg, Err: sentinel}
}

// parseCell reads a numeric cell as package datasets does: missing text
// is NaN; anything else must be a finite number.
func parseCell(s string) (float64, error) {
	if isMissing(s) {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(err, strconv.ErrRange) && !math.IsInf(v, 0) {
			return v, nil // underflow: fine
		}
		return 0, fmt.Errorf("%q is %w", clip(s), errNotNumber)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a finite number", clip(s))
	}
	return v, nil
}

// isMissing reports whether a cell's text means "no value", as in package
// datasets: empty, NA, N/A, NaN or null in any case.
func isMissing(s string) bool {
	switch len(s) {
	case 0:
		return true
	case 2, 3, 4:
		return strings.EqualFold(s, "NA") || strings.EqualFold(s, "N/A") ||
			strings.EqualFold(s, "NaN") || strings.EqualFold(s, "null")
	}
	return false
}
