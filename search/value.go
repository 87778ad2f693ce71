package search

import (
	"fmt"
	"math"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// The checks below mirror trainers.CheckValue, which search may not
// import: a value that passes here passes the worker's check too, and the
// messages say what is allowed.

// checkValue checks one value against its declaration and returns it in
// canonical form: int for Int, float64 for Float, the declared choice for
// Categorical (or a float64 when the declaration is AlsoNumeric).
func checkValue(d trial.ParamDecl, v any) (any, error) {
	switch d.Kind {
	case trial.Int:
		f, ok := toFloat(v)
		if !ok || f != math.Trunc(f) {
			return nil, fmt.Errorf("%s is an int parameter; %s is not an integer", d.Name, formatAny(v))
		}
		if err := inRange(d, f); err != nil {
			return nil, err
		}
		return int(f), nil
	case trial.Float:
		f, ok := toFloat(v)
		if !ok {
			return nil, fmt.Errorf("%s is a float parameter; %s is not a number", d.Name, formatAny(v))
		}
		if err := inRange(d, f); err != nil {
			return nil, err
		}
		return f, nil
	case trial.Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%s is true or false, not %s", d.Name, formatAny(v))
		}
		return b, nil
	case trial.Categorical:
		for _, c := range d.Choices {
			if equalValue(c, v) {
				return c, nil
			}
		}
		if f, ok := toFloat(v); ok && d.AlsoNumeric {
			if err := inRange(d, f); err != nil {
				return nil, fmt.Errorf("%s is not one of %s and %w", formatAny(v), formatChoices(d.Choices), err)
			}
			return f, nil
		}
		if d.AlsoNumeric {
			return nil, fmt.Errorf("%s is not one of %s nor a number in %s", formatAny(v), formatChoices(d.Choices), rangeString(d))
		}
		return nil, fmt.Errorf("%s is not one of %s", formatAny(v), formatChoices(d.Choices))
	}
	return nil, fmt.Errorf("parameter %s has unknown kind %q", d.Name, d.Kind)
}

// inRange checks f against the declared bounds.
func inRange(d trial.ParamDecl, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%v is not finite", f)
	}
	if d.Min != nil && (f < *d.Min || d.MinOpen && f == *d.Min) || d.Max != nil && f > *d.Max {
		return fmt.Errorf("%s is outside the allowed range %s", trial.FormatValue(f), rangeString(d))
	}
	return nil
}

// rangeString renders a declaration's bounds as "[1, 30]", "(0, inf)".
func rangeString(d trial.ParamDecl) string {
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

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// equalValue compares parameter values, treating 2 and 2.0 as equal.
func equalValue(a, b any) bool {
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka || okb {
		return oka && okb && fa == fb
	}
	return a == b
}

func formatAny(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return trial.FormatValue(v)
}

func formatChoices(cs []any) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = formatAny(c)
	}
	return "[" + strings.Join(out, ", ") + "]"
}
