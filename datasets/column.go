package datasets

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// kind is what a column holds, decided by its first non-missing cell.
type kind uint8

const (
	unknown kind = iota // only missing cells so far
	number
	text
)

// column accumulates the cells of one input column while a file is read.
// Numeric columns keep their values (NaN for missing); string columns keep
// a code per row (-1 for missing) into the categories in first-seen order.
type column struct {
	name    string
	kind    kind
	nums    []float64
	codes   []int32
	dict    map[string]int32
	cats    []string // distinct strings in first-seen order
	pending int      // missing cells seen while kind was unknown
	// firstRow and firstText locate the cell that decided the kind, for
	// the message about mixed numbers and strings.
	firstRow  int
	firstText string
}

// cellError is a problem with one cell; the reader adds file and line.
// err is an optional sentinel for the InputError, such as ErrLimit.
type cellError struct {
	msg string
	err error
}

func (e *cellError) Error() string { return e.msg }

func cellErrorf(format string, args ...any) *cellError {
	return &cellError{msg: fmt.Sprintf(format, args...)}
}

// isMissing reports whether a cell's text means "no value".
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

// parseNumber parses a numeric cell. ok is false when s is not a number at
// all; err is set when it is a number that cannot be used.
func parseNumber(s string) (v float64, ok bool, err *cellError) {
	if v, ok := parseDecimal(s); ok {
		return v, true, nil
	}
	v, perr := strconv.ParseFloat(s, 64)
	if perr != nil {
		if errors.Is(perr, strconv.ErrRange) && math.IsInf(v, 0) {
			return 0, true, cellErrorf("value %q is out of the float64 range", s)
		}
		if errors.Is(perr, strconv.ErrRange) {
			return v, true, nil // underflow to 0 or a denormal: fine
		}
		return 0, false, nil
	}
	if math.IsInf(v, 0) {
		return 0, true, cellErrorf("value %q is infinite", s)
	}
	if math.IsNaN(v) {
		return 0, true, cellErrorf("value %q is NaN; set preprocess.impute to treat NaN as missing", s)
	}
	return v, true, nil
}

// addMissing records a missing cell.
func (c *column) addMissing() {
	switch c.kind {
	case unknown:
		c.pending++
	case number:
		c.nums = append(c.nums, math.NaN())
	case text:
		c.codes = append(c.codes, -1)
	}
}

// add records a non-missing cell of data row row (1-based).
func (c *column) add(s string, row int) *cellError {
	switch c.kind {
	case number:
		v, ok, err := parseNumber(s)
		if err != nil {
			return err
		}
		if !ok {
			return c.mixed(s, row)
		}
		c.nums = append(c.nums, v)
		return nil
	case text:
		if code, ok := c.dict[s]; ok {
			c.codes = append(c.codes, code)
			return nil
		}
		if _, ok, _ := parseNumber(s); ok {
			return c.mixed(s, row)
		}
		c.codes = append(c.codes, c.newCategory(s))
		return nil
	}
	v, ok, err := parseNumber(s)
	if err != nil {
		return err
	}
	c.firstRow, c.firstText = row, strings.Clone(s)
	if ok {
		c.setKind(number)
		c.nums = append(c.nums, v)
	} else {
		c.setKind(text)
		c.codes = append(c.codes, c.newCategory(s))
	}
	return nil
}

func (c *column) newCategory(s string) int32 {
	s = strings.Clone(s) // s may share memory with a whole input record
	code := int32(len(c.cats))
	c.cats = append(c.cats, s)
	c.dict[s] = code
	return code
}

// setKind fixes the column's kind and back-fills the leading missing cells.
func (c *column) setKind(k kind) {
	c.kind = k
	if k == text {
		c.dict = make(map[string]int32)
		c.codes = slices.Grow(c.codes, c.pending)
		for range c.pending {
			c.codes = append(c.codes, -1)
		}
	} else {
		c.nums = slices.Grow(c.nums, c.pending)
		for range c.pending {
			c.nums = append(c.nums, math.NaN())
		}
	}
	c.pending = 0
}

func (c *column) mixed(s string, row int) *cellError {
	return cellErrorf("column %q has numbers and strings: row %d value %q (row %d was %q)",
		c.name, row, s, c.firstRow, c.firstText)
}

// finish settles a column that held only missing cells as numeric.
func (c *column) finish() {
	if c.kind == unknown {
		c.setKind(number)
	}
}

// reserve grows the column's storage to hold n rows in total, so that
// reading a large file does not copy each column several times.
func (c *column) reserve(n int) {
	switch {
	case c.kind == number && n > len(c.nums):
		c.nums = slices.Grow(c.nums, n-len(c.nums))
	case c.kind == text && n > len(c.codes):
		c.codes = slices.Grow(c.codes, n-len(c.codes))
	}
}
