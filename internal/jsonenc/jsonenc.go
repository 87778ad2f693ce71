// Package jsonenc renders the values hpsearch writes most often as JSON
// — numbers, strings, times, trial parameters and budgets — byte for
// byte as encoding/json does, by appending to a buffer without
// reflection. The journal's records and the Lambda executor's requests
// are written with it, as many as a thousand a second at concurrency
// 1,000, where encoding/json's reflection was most of their cost.
//
// Each function either renders its value exactly as json.Marshal would
// or, for a value outside what it handles, reports ok false and leaves
// the caller to fall back on encoding/json. Differential tests hold it
// to encoding/json's output.
package jsonenc

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// AppendBudget appends b as encoding/json renders a trial.Budget: each
// field omitted when zero.
func AppendBudget(buf []byte, b trial.Budget) (_ []byte, ok bool) {
	buf = append(buf, '{')
	comma := false
	field := func(name string) {
		if comma {
			buf = append(buf, ',')
		}
		comma = true
		buf = append(buf, name...)
	}
	if b.Name != "" {
		field(`"name":`)
		buf = AppendString(buf, b.Name)
	}
	if b.Value != 0 {
		field(`"value":`)
		if buf, ok = AppendFloat(buf, b.Value); !ok {
			return buf, false
		}
	}
	if b.Rung != 0 {
		field(`"rung":`)
		buf = strconv.AppendInt(buf, int64(b.Rung), 10)
	}
	if b.Config != 0 {
		field(`"config":`)
		buf = strconv.AppendInt(buf, int64(b.Config), 10)
	}
	if b.Max != 0 {
		field(`"max":`)
		if buf, ok = AppendFloat(buf, b.Max); !ok {
			return buf, false
		}
	}
	return append(buf, '}'), true
}

// AppendParams appends p with its names sorted, as encoding/json renders
// a map; ok is false for a value that is not a number, string, boolean
// or null.
func AppendParams(buf []byte, p trial.Params) (_ []byte, ok bool) {
	if p == nil {
		return append(buf, "null"...), true
	}
	var stack [16]string
	names := stack[:0]
	for name := range p {
		names = append(names, name)
	}
	slices.Sort(names)
	buf = append(buf, '{')
	for i, name := range names {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = AppendString(buf, name)
		buf = append(buf, ':')
		switch v := p[name].(type) {
		case float64:
			if buf, ok = AppendFloat(buf, v); !ok {
				return buf, false
			}
		case int:
			buf = strconv.AppendInt(buf, int64(v), 10)
		case int64:
			buf = strconv.AppendInt(buf, v, 10)
		case string:
			buf = AppendString(buf, v)
		case bool:
			buf = strconv.AppendBool(buf, v)
		case nil:
			buf = append(buf, "null"...)
		default:
			return buf, false
		}
	}
	return append(buf, '}'), true
}

// AppendFloat appends f as encoding/json renders a float64: the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from
// 1e21 on, with a one-digit negative exponent written without its zero.
// ok is false for NaN and the infinities, which JSON cannot represent.
func AppendFloat(buf []byte, f float64) (_ []byte, ok bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return buf, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		if n := len(buf); n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf, true
}

// AppendTime appends t as time.Time's MarshalJSON does: RFC 3339 with
// nanoseconds, quoted. ok is false for a time RFC 3339 cannot hold.
func AppendTime(buf []byte, t time.Time) (_ []byte, ok bool) {
	out, err := t.AppendText(append(buf, '"'))
	if err != nil {
		return buf, false
	}
	return append(out, '"'), true
}

// AppendString appends s as a JSON string as encoding/json writes it: a
// string of printable ASCII that needs no escape (encoding/json also
// escapes <, > and & for HTML) as it is, any other through encoding/json
// itself, which escapes it and replaces invalid UTF-8.
func AppendString(buf []byte, s string) []byte {
	if plainString(s) {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	quoted, err := json.Marshal(s)
	if err != nil { // a string always encodes
		panic("jsonenc: encode string: " + err.Error())
	}
	return append(buf, quoted...)
}

// plainString reports whether s is printable ASCII that encoding/json
// writes without escapes.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
