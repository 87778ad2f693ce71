package trainers

import (
	"errors"
	"fmt"

	"github.com/hpsearch/hpsearch/trial"
)

// Resolve checks p against the family's declarations and returns a copy
// with every declared parameter present (defaults filled in) and every
// value of the declared kind (ints as int, floats as float64). It is the
// one check shared by spec validation and the worker, so a payload that
// reaches a trainer has passed the same rules as the spec. Its errors wrap
// trial.ErrBadInput (and trial.ErrUnknownParam for an undeclared name).
func Resolve(info trial.ModelInfo, p trial.Params) (trial.Params, error) {
	out := make(trial.Params, len(info.Param))
	if info.FreeForm {
		for k, v := range p {
			out[k] = v
		}
	}
	for name := range p {
		if _, ok := info.Lookup(name); !ok && !info.FreeForm {
			return nil, fmt.Errorf("%w: %w %q for model %s", trial.ErrBadInput, trial.ErrUnknownParam, name, info.Name)
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
			return nil, fmt.Errorf("%w: %s: %s: %w", trial.ErrBadInput, info.Name, d.Name, err)
		}
		out[d.Name] = cv
	}
	return out, nil
}

// CheckValue checks one value against its declaration (with
// trial.ParamDecl.Check, as spec validation does) and returns it in
// canonical form. Its errors say what is allowed, in the words the worker
// has always used.
func CheckValue(d trial.ParamDecl, v any) (any, error) {
	cv, err := d.Check(v)
	var ve *trial.ValueError
	if errors.As(err, &ve) {
		return nil, valueError(ve)
	}
	return cv, err
}

// valueError words a refused value for Resolve's "model: param: ..."
// context, which already names the parameter.
func valueError(e *trial.ValueError) error {
	d, v := e.Decl, e.Value
	switch e.Problem {
	case trial.NotInteger:
		return fmt.Errorf("%v is not an integer", v)
	case trial.NotNumber:
		return fmt.Errorf("%v is not a number", v)
	case trial.NotBool:
		return fmt.Errorf("%v is not true or false", v)
	case trial.NotFinite:
		return fmt.Errorf("%v is not finite", v)
	case trial.OutOfRange:
		f := v.(float64)
		switch {
		case d.Min != nil && d.MinOpen && f <= *d.Min:
			return fmt.Errorf("%v must be greater than %g", f, *d.Min)
		case d.Min != nil && f < *d.Min:
			return fmt.Errorf("%v must be at least %g", f, *d.Min)
		}
		return fmt.Errorf("%v must be at most %g", f, *d.Max)
	case trial.NotChoice:
		cs := make([]string, len(d.Choices))
		for i, c := range d.Choices {
			cs[i] = trial.FormatValue(c)
		}
		switch {
		case e.Range != nil:
			return fmt.Errorf("%v is not one of %v and %w", v, cs, valueError(e.Range))
		case d.AlsoNumeric:
			return fmt.Errorf("%v is not one of %v nor a number in %s", v, cs, RangeString(d))
		}
		return fmt.Errorf("%v is not one of %v", v, cs)
	}
	return fmt.Errorf("unknown kind %q", d.Kind)
}

// RangeString renders a declaration's bounds as "[1, 30]", "(0, inf)" or
// "[1, inf)", as trial.ParamDecl.RangeString does except that an
// unbounded minimum keeps the "[-inf" that `hpsearch models` has always
// shown.
func RangeString(d trial.ParamDecl) string {
	s := d.RangeString()
	if d.Min == nil {
		s = "[" + s[1:]
	}
	return s
}
