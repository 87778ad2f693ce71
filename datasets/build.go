package datasets

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// Task inference limits; see Options.Task.
const maxInferredClasses = 50

// baseName is the dataset name for a file: its base name without extension.
func baseName(file string) string {
	base := filepath.Base(file)
	if file == "" || base == "." {
		return ""
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// assemble turns the table read from file into a Dataset: it encodes the
// target and the string features and lays out X row-major. X is the
// table's cell buffer, encoded in place, unless one-hot encoding widens
// the rows. X and Y are cut to their length: the buffers' spare capacity,
// reserved but never written, cannot be appended to.
func assemble(file string, tb *table, opts Options) (*Dataset, error) {
	t := tb.cols[tb.target]
	rows := tb.rows
	d := &Dataset{Name: baseName(file), Target: t.name, Rows: rows, Task: opts.Task}
	bad := func(format string, args ...any) error {
		return &trial.InputError{File: file, Field: t.name, Msg: fmt.Sprintf(format, args...)}
	}
	if d.Task == "" {
		d.Task = inferTask(t, tb.y)
	}
	switch {
	case d.Task == trial.Regression && t.kind == text:
		return nil, bad("target has strings (%q); regression needs numbers", t.cats[0])
	case d.Task == trial.Regression:
		d.Y = tb.y[:rows:rows]
	case t.kind == text:
		rank, sorted := sortedCategories(t)
		d.Classes = sorted
		d.Y = tb.y[:rows:rows]
		for i, code := range d.Y {
			d.Y[i] = float64(rank[int(code)])
		}
	default:
		d.Classes, d.Y = numericClasses(tb.y)
	}
	if d.Task == trial.Classification && len(d.Classes) < 2 {
		return nil, bad("target has a single class %q; classification needs at least 2", d.Classes[0])
	}

	// Each input column becomes one or more output columns; ranks[j]
	// maps the category codes of string feature j to sorted indices.
	ranks := make([][]int32, tb.width)
	onehot := opts.Encoding != Ordinal
	widened := false
	for j := range tb.width {
		c := tb.feature(j)
		if c.kind == number {
			d.Features = append(d.Features, c.name)
			continue
		}
		var sorted []string
		ranks[j], sorted = sortedCategories(c)
		if !onehot {
			d.Features = append(d.Features, c.name)
			if d.Categories == nil {
				d.Categories = map[string][]string{}
			}
			d.Categories[c.name] = sorted
			continue
		}
		for _, v := range sorted {
			d.Features = append(d.Features, c.name+"="+v)
		}
		widened = true
	}
	d.Cols = len(d.Features)
	if d.Cols == 0 {
		return nil, &trial.InputError{File: file, Msg: fmt.Sprintf("no feature columns besides the target %q", t.name)}
	}

	if d.Cols > MaxColumns || rows > MaxCells/d.Cols {
		hint := ""
		if widened && d.Cols > tb.width {
			hint = "; one-hot encoding made the string columns into many; try encoding: ordinal"
		}
		return nil, limitError(file, 0, "", "%d rows × %d feature columns is over the limit of %d columns (datasets.MaxColumns) or %d cells (datasets.MaxCells)%s",
			rows, d.Cols, MaxColumns, MaxCells, hint)
	}
	if widened {
		d.X = tb.oneHot(ranks, d.Cols)
	} else {
		n := rows * tb.width
		d.X = tb.cells[:n:n]
		tb.ordinal(ranks)
	}
	if err := d.Validate(); err != nil {
		if ie, ok := err.(*trial.InputError); ok {
			ie.File = file
		}
		return nil, err
	}
	return d, nil
}

// ordinal replaces the category codes of the string feature columns in
// the table's cells by their sorted indices (ranks[j], nil for a numeric
// column).
func (tb *table) ordinal(ranks [][]int32) {
	var strs []int
	for j, r := range ranks {
		if r != nil {
			strs = append(strs, j)
		}
	}
	if len(strs) == 0 {
		return
	}
	for r := range tb.rows {
		row := tb.cells[r*tb.width : (r+1)*tb.width]
		for _, j := range strs {
			if v := row[j]; v == v { // not missing
				row[j] = float64(ranks[j][int(v)])
			}
		}
	}
}

// oneHot returns a new X of cols columns: the table's numeric cells, and
// a 0/1 column per category of each string feature (all NaN for a missing
// cell).
func (tb *table) oneHot(ranks [][]int32, cols int) []float64 {
	X := make([]float64, tb.rows*cols)
	for r := range tb.rows {
		in := tb.cells[r*tb.width : (r+1)*tb.width]
		row := X[r*cols : (r+1)*cols]
		j := 0
		for f, v := range in {
			rank := ranks[f]
			switch {
			case rank == nil:
				row[j] = v
				j++
			case v != v: // missing
				for m := range rank {
					row[j+m] = nan
				}
				j += len(rank)
			default:
				row[j+int(rank[int(v)])] = 1
				j += len(rank)
			}
		}
	}
	return X
}

// inferTask applies the rule documented on Options.Task to the target
// column t and its values y.
func inferTask(t *column, y []float64) trial.Task {
	if t.kind == text {
		return trial.Classification
	}
	distinct := make(map[float64]struct{})
	for _, v := range y {
		if v != math.Trunc(v) {
			return trial.Regression
		}
		if _, ok := distinct[v]; !ok {
			if len(distinct) == maxInferredClasses {
				return trial.Regression
			}
			distinct[v] = struct{}{}
		}
	}
	if n := len(distinct); n <= 2 || 2*n <= len(y) {
		return trial.Classification
	}
	return trial.Regression
}

// sortedCategories returns the lexical order of a string column's
// categories: rank maps a first-seen code to its sorted index.
func sortedCategories(c *column) (rank []int32, sorted []string) {
	order := make([]int32, len(c.cats))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(a, b int) bool { return c.cats[order[a]] < c.cats[order[b]] })
	rank = make([]int32, len(c.cats))
	sorted = make([]string, len(c.cats))
	for i, code := range order {
		rank[code] = int32(i)
		sorted[i] = c.cats[code]
	}
	return rank, sorted
}

// numericClasses maps numeric labels to class indices in numeric order.
func numericClasses(vals []float64) (classes []string, y []float64) {
	index := make(map[float64]float64)
	for _, v := range vals {
		index[v] = 0
	}
	distinct := make([]float64, 0, len(index))
	for v := range index {
		distinct = append(distinct, v)
	}
	slices.Sort(distinct)
	classes = make([]string, len(distinct))
	for i, v := range distinct {
		index[v] = float64(i)
		classes[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	y = make([]float64, len(vals))
	for i, v := range vals {
		y[i] = index[v]
	}
	return classes, y
}
