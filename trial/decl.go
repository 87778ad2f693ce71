package trial

import (
	"fmt"
	"math"
	"strings"
)

// Kind is the type of a declared parameter.
type Kind string

// Parameter kinds.
const (
	Float       Kind = "float"
	Int         Kind = "int"
	Categorical Kind = "categorical" // strings, or numbers from a fixed list
	Bool        Kind = "bool"
)

// ParamDecl declares one parameter of a model: its name, kind, the allowed
// range (Min, Max inclusive, for Float and Int) or choices (for
// Categorical), and its default. A model's declarations are what a spec is
// validated against before any trial runs.
type ParamDecl struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Min and Max bound Float and Int parameters (inclusive); nil means
	// unbounded on that side. MinOpen excludes Min itself (C > 0).
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	MinOpen bool     `json:"min_open,omitempty"`
	// Choices lists the allowed values of a Categorical parameter. A
	// parameter that accepts either a choice or a number in [Min, Max]
	// (max_features: sqrt | log2 | a fraction) sets both Choices and
	// AlsoNumeric.
	Choices     []any `json:"choices,omitempty"`
	AlsoNumeric bool  `json:"also_numeric,omitempty"`
	Default     any   `json:"default"`
	// Budget marks the parameter as the model's natural training budget
	// (n_estimators, max_iter), usable by successive halving.
	Budget bool   `json:"budget,omitempty"`
	Help   string `json:"help,omitempty"`
}

// ModelInfo describes a model family for validation and `hpsearch models`.
type ModelInfo struct {
	Name  string      `json:"name"`
	Tasks []Task      `json:"tasks"`
	Help  string      `json:"help,omitempty"`
	Param []ParamDecl `json:"params"`
	// FreeForm models (noop) accept any parameter name and value.
	FreeForm bool `json:"free_form,omitempty"`
	// Extra, for a free-form model, declares the parameters it does not
	// name (rosenbrock's x3, x4, ...): their kind, range and default, with
	// Name empty. Nil leaves their kind to the spec, inferred from how it
	// writes them ({min: -2, max: 2} is an int range, as in W&B sweeps).
	Extra *ParamDecl `json:"extra,omitempty"`
	// Objective models (branin, hartmann6, rosenbrock, noop) need no
	// dataset: their score is a function of the parameters alone.
	Objective bool `json:"objective,omitempty"`
	// DefaultMetric is the metric of objective models ("value").
	DefaultMetric string `json:"default_metric,omitempty"`
}

// Lookup returns the declaration of the named parameter.
func (m ModelInfo) Lookup(name string) (ParamDecl, bool) {
	for _, p := range m.Param {
		if p.Name == name {
			return p, true
		}
	}
	return ParamDecl{}, false
}

// Supports reports whether the model handles task t.
func (m ModelInfo) Supports(t Task) bool {
	for _, x := range m.Tasks {
		if x == t {
			return true
		}
	}
	return false
}

// Catalog finds model declarations by name. The trainers package provides
// the real one; search validates specs against whatever Catalog it is given.
type Catalog interface {
	// Model returns the named model's declaration.
	Model(name string) (ModelInfo, bool)
	// Models returns every model, sorted by name.
	Models() []ModelInfo
}

// Bound returns a pointer to x, for ParamDecl.Min and Max.
func Bound(x float64) *float64 { return &x }

// Check checks v against d and returns it in canonical form: an int for
// Int, a float64 for Float, the bool for Bool, and for Categorical the
// matching choice (or v as a float64 when d is AlsoNumeric and v a number
// in range). Spec validation and the trainers share it, so a value that
// passes one passes the other. A value it refuses is reported as a
// *ValueError.
func (d ParamDecl) Check(v any) (any, error) {
	switch d.Kind {
	case Int:
		f, ok := Number(v)
		if !ok || f != math.Trunc(f) {
			return nil, &ValueError{Decl: d, Value: v, Problem: NotInteger}
		}
		if err := d.CheckRange(f); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int:
			return x, nil
		case int64:
			return int(x), nil
		}
		if math.Abs(f) > 1<<53 {
			// Past 2^53 a float64 holds no exact integer, and int(f)
			// may overflow.
			return nil, &ValueError{Decl: d, Value: v, Problem: NotInteger}
		}
		return int(f), nil
	case Float:
		f, ok := Number(v)
		if !ok {
			return nil, &ValueError{Decl: d, Value: v, Problem: NotNumber}
		}
		if err := d.CheckRange(f); err != nil {
			return nil, err
		}
		return f, nil
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, &ValueError{Decl: d, Value: v, Problem: NotBool}
		}
		return b, nil
	case Categorical:
		for _, c := range d.Choices {
			if EqualValue(c, v) {
				return c, nil
			}
		}
		refused := &ValueError{Decl: d, Value: v, Problem: NotChoice}
		if f, ok := Number(v); ok && d.AlsoNumeric {
			if err := d.CheckRange(f); err != nil {
				refused.Range = err.(*ValueError)
				return nil, refused
			}
			return f, nil
		}
		return nil, refused
	}
	return nil, &ValueError{Decl: d, Value: v, Problem: UnknownKind}
}

// CheckRange reports, as a *ValueError, a number that is not finite or
// lies outside d's bounds (Min, Max, MinOpen).
func (d ParamDecl) CheckRange(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return &ValueError{Decl: d, Value: f, Problem: NotFinite}
	}
	if d.Min != nil && (f < *d.Min || d.MinOpen && f == *d.Min) || d.Max != nil && f > *d.Max {
		return &ValueError{Decl: d, Value: f, Problem: OutOfRange}
	}
	return nil
}

// RangeString renders d's bounds as "[1, 30]", "(0, inf)" or
// "(-inf, inf)".
func (d ParamDecl) RangeString() string {
	lo, hi := "(-inf", "inf)"
	if d.Min != nil {
		lo = fmt.Sprintf("[%g", *d.Min)
		if d.MinOpen {
			lo = fmt.Sprintf("(%g", *d.Min)
		}
	}
	if d.Max != nil {
		hi = fmt.Sprintf("%g]", *d.Max)
	}
	return lo + ", " + hi
}

// ValueProblem says why ParamDecl.Check refused a value.
type ValueProblem int

// The problems ParamDecl.Check reports.
const (
	NotInteger  ValueProblem = iota + 1 // an Int given a non-number or a fraction
	NotNumber                           // a Float given a non-number
	NotBool                             // a Bool given anything but true or false
	NotFinite                           // a NaN or infinite number
	OutOfRange                          // a number outside [Min, Max]
	NotChoice                           // a Categorical given none of its choices
	UnknownKind                         // a declaration of no known Kind
)

// ValueError is a value that its declaration does not allow. Its message
// says what is allowed; callers with their own wording (trainers) switch
// on Problem.
type ValueError struct {
	Decl    ParamDecl
	Value   any // as given; the number as a float64 for NotFinite and OutOfRange
	Problem ValueProblem
	// Range is why the number was refused, for a NotChoice of an
	// AlsoNumeric declaration given a number.
	Range *ValueError
}

func (e *ValueError) Error() string {
	d := e.Decl
	switch e.Problem {
	case NotInteger:
		return fmt.Sprintf("%s is an int parameter; %s is not an integer", d.Name, QuoteValue(e.Value))
	case NotNumber:
		return fmt.Sprintf("%s is a float parameter; %s is not a number", d.Name, QuoteValue(e.Value))
	case NotBool:
		return fmt.Sprintf("%s is true or false, not %s", d.Name, QuoteValue(e.Value))
	case NotFinite:
		return fmt.Sprintf("%v is not finite", e.Value)
	case OutOfRange:
		return fmt.Sprintf("%s is outside the allowed range %s", FormatValue(e.Value), d.RangeString())
	case NotChoice:
		cs := make([]string, len(d.Choices))
		for i, c := range d.Choices {
			cs[i] = QuoteValue(c)
		}
		msg := fmt.Sprintf("%s is not one of [%s]", QuoteValue(e.Value), strings.Join(cs, ", "))
		switch {
		case e.Range != nil:
			msg += " and " + e.Range.Error()
		case d.AlsoNumeric:
			msg += " nor a number in " + d.RangeString()
		}
		return msg
	}
	return fmt.Sprintf("parameter %s has unknown kind %q", d.Name, d.Kind)
}

// Unwrap returns the range error of a refused AlsoNumeric number.
func (e *ValueError) Unwrap() error {
	if e.Range == nil {
		return nil
	}
	return e.Range
}

// Number returns a numeric parameter value (float64, int or int64) as a
// float64, and whether it was numeric.
func Number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

// EqualValue compares parameter values, treating 2 and 2.0 as equal and a
// number as unequal to anything that is not one.
func EqualValue(a, b any) bool {
	fa, oka := Number(a)
	fb, okb := Number(b)
	if oka || okb {
		return oka && okb && fa == fb
	}
	return a == b
}

// QuoteValue renders a value for a message about it: strings quoted, nil
// as null, anything else as FormatValue does.
func QuoteValue(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return FormatValue(v)
}
