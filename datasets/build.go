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

// assemble turns the columns read from file into a Dataset: it encodes the
// target and the string features and lays out X row-major. cols[target]
// is the label column; every column holds rows cells.
func assemble(file string, cols []*column, target, rows int, opts Options) (*Dataset, error) {
	t := cols[target]
	d := &Dataset{Name: baseName(file), Target: t.name, Rows: rows, Task: opts.Task}
	bad := func(format string, args ...any) error {
		return &trial.InputError{File: file, Field: t.name, Msg: fmt.Sprintf(format, args...)}
	}
	if d.Task == "" {
		d.Task = inferTask(t, rows)
	}
	switch {
	case d.Task == trial.Regression && t.kind == text:
		return nil, bad("target has strings (%q); regression needs numbers", t.cats[0])
	case d.Task == trial.Regression:
		d.Y = t.nums
	case t.kind == text:
		rank, sorted := sortedCategories(t)
		d.Classes = sorted
		d.Y = make([]float64, rows)
		for i, code := range t.codes {
			d.Y[i] = float64(rank[code])
		}
	default:
		d.Classes, d.Y = numericClasses(t.nums)
	}
	if d.Task == trial.Classification && len(d.Classes) < 2 {
		return nil, bad("target has a single class %q; classification needs at least 2", d.Classes[0])
	}

	// Each input column becomes one or more output columns.
	type source struct {
		c    *column
		rank []int32 // category code -> sorted index, for string columns
	}
	var srcs []source
	for i, c := range cols {
		if i == target {
			continue
		}
		s := source{c: c}
		if c.kind == number {
			d.Features = append(d.Features, c.name)
		} else {
			var sorted []string
			s.rank, sorted = sortedCategories(c)
			if opts.Encoding == Ordinal {
				d.Features = append(d.Features, c.name)
				if d.Categories == nil {
					d.Categories = map[string][]string{}
				}
				d.Categories[c.name] = sorted
			} else {
				for _, v := range sorted {
					d.Features = append(d.Features, c.name+"="+v)
				}
			}
		}
		srcs = append(srcs, s)
	}
	d.Cols = len(d.Features)
	if d.Cols == 0 {
		return nil, &trial.InputError{File: file, Msg: fmt.Sprintf("no feature columns besides the target %q", t.name)}
	}

	if d.Cols > MaxColumns || rows > MaxCells/d.Cols {
		hint := ""
		if opts.Encoding != Ordinal && d.Cols > len(cols)-1 {
			hint = "; one-hot encoding made the string columns into many; try encoding: ordinal"
		}
		return nil, limitError(file, 0, "", "%d rows × %d feature columns is over the limit of %d columns (datasets.MaxColumns) or %d cells (datasets.MaxCells)%s",
			rows, d.Cols, MaxColumns, MaxCells, hint)
	}
	d.X = make([]float64, rows*d.Cols)
	onehot := opts.Encoding != Ordinal
	for r := range rows {
		row := d.X[r*d.Cols : (r+1)*d.Cols]
		j := 0
		for _, s := range srcs {
			switch {
			case s.c.kind == number:
				row[j] = s.c.nums[r]
				j++
			case !onehot:
				if code := s.c.codes[r]; code < 0 {
					row[j] = math.NaN()
				} else {
					row[j] = float64(s.rank[code])
				}
				j++
			default:
				k := len(s.rank)
				if code := s.c.codes[r]; code < 0 {
					for m := range k {
						row[j+m] = math.NaN()
					}
				} else {
					row[j+int(s.rank[code])] = 1
				}
				j += k
			}
		}
	}
	if err := d.Validate(); err != nil {
		if ie, ok := err.(*trial.InputError); ok {
			ie.File = file
		}
		return nil, err
	}
	return d, nil
}

// inferTask applies the rule documented on Options.Task.
func inferTask(t *column, rows int) trial.Task {
	if t.kind == text {
		return trial.Classification
	}
	distinct := make(map[float64]struct{})
	for _, v := range t.nums {
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
	if n := len(distinct); n <= 2 || 2*n <= rows {
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
