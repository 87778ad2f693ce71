package search

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// MaxErrors is the most problems Parse and Validate report at once. A
// YAML syntax error is reported alone: the rest of the file cannot be
// read past it.
const MaxErrors = 10

// maxCollected bounds the problems collected before the walk of a spec
// stops, so a spec of thousands of unknown keys costs no more than one of
// a hundred.
const maxCollected = 100

// Errors is the error for a spec with several problems: each a
// *trial.InputError naming file, line and field, in file order (problems
// with no line, such as a missing required key, first). errors.Is and
// errors.As see each of them, so errors.Is(err, trial.ErrBadInput) holds.
type Errors struct {
	// Errs holds the first MaxErrors problems, at least two.
	Errs []error
	// More counts the problems found past MaxErrors. When Partial, the
	// search stopped early and there may be others.
	More    int
	Partial bool
}

// Error lists the problems one per line.
func (e *Errors) Error() string {
	lines := make([]string, 0, len(e.Errs)+1)
	for _, err := range e.Errs {
		lines = append(lines, err.Error())
	}
	switch {
	case e.Partial:
		lines = append(lines, fmt.Sprintf("(and %d or more problems not shown)", max(e.More, 1)))
	case e.More == 1:
		lines = append(lines, "(and 1 more problem not shown)")
	case e.More > 1:
		lines = append(lines, fmt.Sprintf("(and %d more problems not shown)", e.More))
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems listed.
func (e *Errors) Unwrap() []error { return e.Errs }

// collector gathers the problems of one spec. It keeps one problem per
// field and its subfields: once a field is wrong, what follows from it
// (a range check on a bound that did not parse, "model is required" after
// "modle" was refused) would only repeat it.
type collector struct {
	errs    []error
	marked  map[string]bool // fields with a problem, or quieted
	parents map[string]bool // proper ancestors of marked fields
}

// add records err (nil is ignored), unless it concerns a field related to
// one already marked. Several problems in an *Errors are added one by one.
func (c *collector) add(err error) {
	if err == nil {
		return
	}
	var many *Errors
	if errors.As(err, &many) {
		for _, e := range many.Errs {
			c.add(e)
		}
		return
	}
	var ie *trial.InputError
	if errors.As(err, &ie) && ie.Field != "" {
		if c.covers(ie.Field) {
			return
		}
		c.quiet(ie.Field)
	}
	c.errs = append(c.errs, err)
}

// quiet marks field so that problems at it, above it or below it are no
// longer reported.
func (c *collector) quiet(field string) {
	if c.marked == nil {
		c.marked, c.parents = map[string]bool{}, map[string]bool{}
	}
	c.marked[field] = true
	for f := parentField(field); f != ""; f = parentField(f) {
		c.parents[f] = true
	}
}

// covers reports whether field, one of its ancestors or one of its
// descendants is marked.
func (c *collector) covers(field string) bool {
	if c.parents[field] {
		return true
	}
	for f := field; f != ""; f = parentField(f) {
		if c.marked[f] {
			return true
		}
	}
	return false
}

// full reports whether enough problems were found to stop looking.
func (c *collector) full() bool { return len(c.errs) >= maxCollected }

// failed reports whether any problem was recorded.
func (c *collector) failed() bool { return len(c.errs) > 0 }

// err returns nil, the one problem found, or an *Errors of them in file
// order.
func (c *collector) err() error {
	switch len(c.errs) {
	case 0:
		return nil
	case 1:
		return c.errs[0]
	}
	errs := slices.Clone(c.errs)
	slices.SortStableFunc(errs, func(a, b error) int { return cmp.Compare(lineOf(a), lineOf(b)) })
	e := &Errors{Errs: errs, Partial: c.full()}
	if len(errs) > MaxErrors {
		e.Errs, e.More = errs[:MaxErrors:MaxErrors], len(errs)-MaxErrors
	}
	return e
}

// lineOf is the spec line an error names, or 0.
func lineOf(err error) int {
	var ie *trial.InputError
	if errors.As(err, &ie) {
		return ie.Line
	}
	return 0
}

// parentField is the field that holds f: "a.b" for "a.b.c" and "a.b[2]",
// "" for a top-level key.
func parentField(f string) string {
	if i := strings.LastIndexAny(f, ".["); i > 0 {
		return f[:i]
	}
	return ""
}
