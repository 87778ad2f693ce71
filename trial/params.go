package trial

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Params holds one trial's parameter values by name. A value is a float64,
// an int, a string or a bool. After a JSON round trip (journal, Lambda
// payload) every number is a float64, so readers use the typed accessors,
// which convert integral floats back to ints.
type Params map[string]any

// Float returns the named parameter as a float64 and whether it was present
// and numeric.
func (p Params) Float(name string) (float64, bool) {
	switch v := p[name].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// Int returns the named parameter as an int and whether it was present and
// integral.
func (p Params) Int(name string) (int, bool) {
	switch v := p[name].(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v), true
		}
	}
	return 0, false
}

// String returns the named parameter as a string and whether it was present
// and a string.
func (p Params) String(name string) (string, bool) {
	v, ok := p[name].(string)
	return v, ok
}

// Bool returns the named parameter as a bool and whether it was present and
// a bool.
func (p Params) Bool(name string) (bool, bool) {
	v, ok := p[name].(bool)
	return v, ok
}

// Clone returns a shallow copy of p (values are scalars, so it is a deep copy).
func (p Params) Clone() Params {
	c := make(Params, len(p))
	for k, v := range p {
		c[k] = v
	}
	return c
}

// Names returns the parameter names in sorted order.
func (p Params) Names() []string {
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Format renders p as "a=1 b=0.5 c=x" in name order, for tables and logs.
func (p Params) Format() string {
	var b strings.Builder
	for i, k := range p.Names() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(FormatValue(p[k]))
	}
	return b.String()
}

// FormatValue renders one parameter value compactly: integral numbers
// without a decimal point, other floats with up to 6 significant digits.
func FormatValue(v any) string {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
