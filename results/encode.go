package results

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// appendRecord appends e's journal line, without its newline, to buf:
// byte for byte what json.Marshal(recordOf(e)) renders, without
// reflection and without allocating when buf has room. At 1,000
// concurrent Lambda trials a scheduler journals 1,000 events a second,
// and encoding/json's reflection was most of the journal's CPU besides
// its fsyncs.
//
// It renders the values every event of a study holds: numbers, strings,
// times, parameters whose values are numbers, strings, booleans or null.
// Anything else (a parameter holding a list, a time beyond RFC 3339's
// years, a number JSON cannot represent) it leaves to encoding/json: ok
// is false and buf is returned as it was given. A differential fuzz test
// (FuzzAppendRecordAsEncodingJSON) holds it to encoding/json's output.
func appendRecord(buf []byte, e Event) (_ []byte, ok bool) {
	start := len(buf)
	buf = append(buf, `{"type":`...)
	buf = appendString(buf, string(e.Type))
	if !e.Time.IsZero() {
		buf = append(buf, `,"time":`...)
		if buf, ok = appendTime(buf, e.Time); !ok {
			return buf[:start], false
		}
	}
	if e.Study != "" {
		buf = append(buf, `,"study":`...)
		buf = appendString(buf, e.Study)
	}
	if e.Trial != nil {
		buf = append(buf, `,"trial":`...)
		if buf, ok = appendTrial(buf, e.Trial); !ok {
			return buf[:start], false
		}
	}
	if e.Result != nil {
		buf = append(buf, `,"result":`...)
		if buf, ok = appendResult(buf, e.Result); !ok {
			return buf[:start], false
		}
	}
	if e.Reason != "" {
		buf = append(buf, `,"reason":`...)
		buf = appendString(buf, e.Reason)
	}
	return append(buf, '}'), true
}

// appendTrial appends t as a trialRecord: the fields of Trial in order,
// Trial's own budget hidden, and the record's budget last, when set.
func appendTrial(buf []byte, t *trial.Trial) (_ []byte, ok bool) {
	buf = append(buf, `{"number":`...)
	buf = strconv.AppendInt(buf, int64(t.Number), 10)
	buf = append(buf, `,"model":`...)
	buf = appendString(buf, t.Model)
	buf = append(buf, `,"params":`...)
	if buf, ok = appendParams(buf, t.Params); !ok {
		return buf, false
	}
	buf = append(buf, `,"seed":`...)
	buf = strconv.AppendUint(buf, t.Seed, 10)
	if t.Attempt != 0 {
		buf = append(buf, `,"attempt":`...)
		buf = strconv.AppendInt(buf, int64(t.Attempt), 10)
	}
	if t.Budget != (trial.Budget{}) {
		buf = append(buf, `,"budget":`...)
		if buf, ok = appendBudget(buf, t.Budget); !ok {
			return buf, false
		}
	}
	return append(buf, '}'), true
}

// appendBudget appends b, each field omitted when zero.
func appendBudget(buf []byte, b trial.Budget) (_ []byte, ok bool) {
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
		buf = appendString(buf, b.Name)
	}
	if b.Value != 0 {
		field(`"value":`)
		if buf, ok = appendFloat(buf, b.Value); !ok {
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
		if buf, ok = appendFloat(buf, b.Max); !ok {
			return buf, false
		}
	}
	return append(buf, '}'), true
}

// appendResult appends r as a resultRecord: the fields of Result in
// order, without those its dispatch holds (model, params, seed, budget),
// each omitempty field omitted when empty.
func appendResult(buf []byte, r *trial.Result) (_ []byte, ok bool) {
	buf = append(buf, `{"number":`...)
	buf = strconv.AppendInt(buf, int64(r.Number), 10)
	buf = append(buf, `,"state":`...)
	buf = appendString(buf, string(r.State))
	buf = append(buf, `,"score":`...)
	if buf, ok = appendFloat(buf, r.Score); !ok {
		return buf, false
	}
	if len(r.FoldScores) > 0 {
		buf = append(buf, `,"fold_scores":[`...)
		for i, f := range r.FoldScores {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, ok = appendFloat(buf, f); !ok {
				return buf, false
			}
		}
		buf = append(buf, ']')
	}
	if len(r.Steps) > 0 {
		buf = append(buf, `,"steps":[`...)
		for i, s := range r.Steps {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"step":`...)
			buf = strconv.AppendInt(buf, s.Step, 10)
			buf = append(buf, `,"value":`...)
			if buf, ok = appendFloat(buf, s.Value); !ok {
				return buf, false
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	if r.Error != "" {
		buf = append(buf, `,"error":`...)
		buf = appendString(buf, r.Error)
	}
	for _, f := range [...]struct {
		name  string
		value float64
	}{{`,"load_seconds":`, r.LoadSeconds}, {`,"fit_seconds":`, r.FitSeconds}, {`,"score_seconds":`, r.ScoreSeconds}} {
		if f.value != 0 {
			buf = append(buf, f.name...)
			if buf, ok = appendFloat(buf, f.value); !ok {
				return buf, false
			}
		}
	}
	buf = append(buf, `,"seconds":`...)
	if buf, ok = appendFloat(buf, r.Seconds); !ok {
		return buf, false
	}
	if r.PeakMemoryBytes != 0 {
		buf = append(buf, `,"peak_memory_bytes":`...)
		buf = strconv.AppendUint(buf, r.PeakMemoryBytes, 10)
	}
	if r.DatasetSource != "" {
		buf = append(buf, `,"dataset_source":`...)
		buf = appendString(buf, r.DatasetSource)
	}
	if !r.Started.IsZero() {
		buf = append(buf, `,"started":`...)
		if buf, ok = appendTime(buf, r.Started); !ok {
			return buf, false
		}
	}
	if !r.Finished.IsZero() {
		buf = append(buf, `,"finished":`...)
		if buf, ok = appendTime(buf, r.Finished); !ok {
			return buf, false
		}
	}
	if r.Worker != "" {
		buf = append(buf, `,"worker":`...)
		buf = appendString(buf, r.Worker)
	}
	if len(r.Backend) > 0 {
		buf = append(buf, `,"backend":{`...)
		var stack [16]string
		keys := stack[:0]
		for k := range r.Backend {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k)
			buf = append(buf, ':')
			if buf, ok = appendFloat(buf, r.Backend[k]); !ok {
				return buf, false
			}
		}
		buf = append(buf, '}')
	}
	return append(buf, '}'), true
}

// appendParams appends p with its names sorted, as encoding/json renders
// a map; ok is false for a value that is not a number, string, boolean
// or null.
func appendParams(buf []byte, p trial.Params) (_ []byte, ok bool) {
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
		buf = appendString(buf, name)
		buf = append(buf, ':')
		switch v := p[name].(type) {
		case float64:
			if buf, ok = appendFloat(buf, v); !ok {
				return buf, false
			}
		case int:
			buf = strconv.AppendInt(buf, int64(v), 10)
		case int64:
			buf = strconv.AppendInt(buf, v, 10)
		case string:
			buf = appendString(buf, v)
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

// appendFloat appends f as encoding/json renders a float64: the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from
// 1e21 on, with a one-digit negative exponent written without its zero.
// ok is false for NaN and the infinities, which JSON cannot represent.
func appendFloat(buf []byte, f float64) (_ []byte, ok bool) {
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

// appendTime appends t as time.Time's MarshalJSON does: RFC 3339 with
// nanoseconds, quoted. ok is false for a time RFC 3339 cannot hold.
func appendTime(buf []byte, t time.Time) (_ []byte, ok bool) {
	out, err := t.AppendText(append(buf, '"'))
	if err != nil {
		return buf, false
	}
	return append(out, '"'), true
}

// appendString appends s as a JSON string as encoding/json writes it: a
// string of printable ASCII that needs no escape (encoding/json also
// escapes <, > and & for HTML) as it is, any other through encoding/json
// itself, which escapes it and replaces invalid UTF-8.
func appendString(buf []byte, s string) []byte {
	if plainString(s) {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	quoted, err := json.Marshal(s)
	if err != nil { // a string always encodes
		panic("results: encode string: " + err.Error())
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

// recordSize is a guess at a journal line's length, for sizing buffers:
// a dispatch of a few parameters is about 170 bytes and its result about
// 400 with a Lambda REPORT's figures.
const recordSize = 320

// appendEvents validates events and appends their journal lines to buf;
// see EncodeEvents. On an error it returns buf as it was given.
func appendEvents(buf []byte, events []Event) ([]byte, error) {
	start := len(buf)
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return buf[:start], fmt.Errorf("event %d: %w", i, err)
		}
		var ok bool
		if buf, ok = appendRecord(buf, e); !ok {
			line, err := json.Marshal(recordOf(e))
			if err != nil {
				// NaN scores and the like: the caller's bug, not the disk's.
				return buf[:start], fmt.Errorf("event %d: %w: %v", i, ErrInvalidEvent, err)
			}
			buf = append(buf, line...)
		}
		buf = append(buf, '\n')
	}
	return buf, nil
}
