package datasets

import (
	"errors"
	"fmt"
	"math"
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

// column is one input column while a file is read: its kind, and for a
// string column its categories in first-seen order. The cells themselves
// go into a table, as numbers or category codes.
type column struct {
	name string
	kind kind
	dict map[string]int32
	cats []string // distinct strings in first-seen order
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

// cell returns the value of the non-missing cell s of data row row
// (1-based): the number for a numeric column, the category's code for a
// string column. The first non-missing cell decides the kind.
func (c *column) cell(s string, row int) (float64, *cellError) {
	switch c.kind {
	case number:
		v, ok, err := parseNumber(s)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, c.mixed(s, row)
		}
		return v, nil
	case text:
		if code, ok := c.dict[s]; ok {
			return float64(code), nil
		}
		if _, ok, _ := parseNumber(s); ok {
			return 0, c.mixed(s, row)
		}
		return float64(c.newCategory(s)), nil
	}
	v, ok, err := parseNumber(s)
	if err != nil {
		return 0, err
	}
	c.firstRow, c.firstText = row, strings.Clone(s)
	if ok {
		c.setKind(number)
		return v, nil
	}
	c.setKind(text)
	return float64(c.newCategory(s)), nil
}

// category returns the code of the string b in a string column, adding
// it as a new category the first time.
func (c *column) category(b []byte) float64 {
	code, ok := c.dict[string(b)] // no allocation for the lookup
	if !ok {
		code = c.newCategory(string(b))
	}
	return float64(code)
}

func (c *column) newCategory(s string) int32 {
	s = strings.Clone(s) // s may share memory with a whole input record
	code := int32(len(c.cats))
	c.cats = append(c.cats, s)
	c.dict[s] = code
	return code
}

// setKind fixes the column's kind.
func (c *column) setKind(k kind) {
	c.kind = k
	if k == text && c.dict == nil {
		c.dict = make(map[string]int32)
	}
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
