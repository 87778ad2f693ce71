package trainers

import (
	"fmt"
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// Resolve checks p against the family's declarations and returns a copy
// with every declared parameter present (defaults filled in) and every
// value of the declared kind (ints as int, floats as float64). It is the
// one check shared by spec validation and the worker, so a payload that
// reaches a trainer has passed the same rules as the spec.
func Resolve(info trial.ModelInfo, p trial.Params) (trial.Params, error) {
	out := make(trial.Params, len(info.Param))
	if info.FreeForm {
		for k, v := range p {
			out[k] = v
		}
	}
	for name := range p {
		if _, ok := info.Lookup(name); !ok && !info.FreeForm {
			return nil, fmt.Errorf("%w %q for model %s", trial.ErrUnknownParam, name, info.Name)
		}
	}
	for _, d := range info.Param {
		v, ok := p[d.Name]
		if !ok {
			out[d.Name] = d.Default
			continue
		}
		cv, err := CheckValue(d, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", info.Name, d.Name, err)
		}
		out[d.Name] = cv
	}
	return out, nil
}

// CheckValue checks one value against its declaration and returns it in
// canonical form. Its errors say what is allowed.
func CheckValue(d trial.ParamDecl, v any) (any, error) {
	switch d.Kind {
	case trial.Int:
		var i int
		switch x := v.(type) {
		case int:
			i = x
		case int64:
			i = int(x)
		case float64:
			if x != math.Trunc(x) {
				return nil, fmt.Errorf("%v is not an integer", x)
			}
			i = int(x)
		default:
			return nil, fmt.Errorf("%v is not an integer", v)
		}
		if err := inRange(d, float64(i)); err != nil {
			return nil, err
		}
		return i, nil
	case trial.Float:
		var f float64
		switch x := v.(type) {
		case int:
			f = float64(x)
		case int64:
			f = float64(x)
		case float64:
			f = x
		default:
			return nil, fmt.Errorf("%v is not a number", v)
		}
		if err := inRange(d, f); err != nil {
			return nil, err
		}
		return f, nil
	case trial.Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%v is not true or false", v)
		}
		return b, nil
	case trial.Categorical:
		for _, c := range d.Choices {
			if equalValue(c, v) {
				return c, nil
			}
		}
		if d.AlsoNumeric {
			if f, ok := toFloat(v); ok {
				if err := inRange(d, f); err != nil {
					return nil, fmt.Errorf("%v is not one of %v and %w", v, formatChoices(d.Choices), err)
				}
				return f, nil
			}
		}
		if d.AlsoNumeric {
			return nil, fmt.Errorf("%v is not one of %v nor a number in %s", v, formatChoices(d.Choices), RangeString(d))
		}
		return nil, fmt.Errorf("%v is not one of %v", v, formatChoices(d.Choices))
	}
	return nil, fmt.Errorf("unknown kind %q", d.Kind)
}

func inRange(d trial.ParamDecl, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%v is not finite", f)
	}
	if d.Min != nil && d.MinOpen && f <= *d.Min {
		return fmt.Errorf("%v must be greater than %g", f, *d.Min)
	}
	if d.Min != nil && f < *d.Min {
		return fmt.Errorf("%v must be at least %g", f, *d.Min)
	}
	if d.Max != nil && f > *d.Max {
		return fmt.Errorf("%v must be at most %g", f, *d.Max)
	}
	return nil
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

func equalValue(a, b any) bool {
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka && okb {
		return fa == fb
	}
	return a == b
}

func formatChoices(cs []any) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = trial.FormatValue(c)
	}
	return slices.Clip(out)
}

// RangeString renders a declaration's bounds as "[1, 30]", "(0, inf)" or
// "[1, inf)".
func RangeString(d trial.ParamDecl) string {
	lo, hi := "[-inf", "inf)"
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
