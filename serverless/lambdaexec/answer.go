package lambdaexec

import (
	"encoding/json"
	"strconv"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// decodeAnswer decodes a worker's answer into resp, which must be zero,
// exactly as json.Unmarshal(payload, resp) does: same fields set, same
// values, same error.
//
// An answer is decoded once per trial, and at concurrency 1,000
// encoding/json's reflection was a tenth of the scheduler's CPU a trial.
// So the answers a trial usually gets — the fields a worker writes, with
// numbers, plain strings (printable ASCII without escapes), parameters
// that are numbers, strings or booleans, and times — are read by hand,
// without reflection. Anything else (an escape, a null, a key not
// spelled as the worker spells it, steps, fold scores, a refit's model
// file, a malformed document) is left to encoding/json: resp
// is reset and json.Unmarshal decodes the whole payload. A differential
// fuzz test (FuzzDecodeAnswerAsEncodingJSON) holds the two to the same
// result.
func decodeAnswer(payload []byte, resp *worker.LambdaResponse) error {
	d := answerDecoder{b: payload}
	if d.answer(resp) {
		return nil
	}
	*resp = worker.LambdaResponse{}
	return json.Unmarshal(payload, resp)
}

// answerDecoder reads the JSON document b from offset i. Its methods
// report false for anything outside the subset it reads, which sends the
// document to encoding/json.
type answerDecoder struct {
	b []byte
	i int
}

// answer reads the whole document, an object of the answer's fields,
// into resp.
func (d *answerDecoder) answer(resp *worker.LambdaResponse) bool {
	if !d.token('{') {
		return false
	}
	if !d.token('}') {
		for {
			key, ok := d.str()
			if !ok || !d.token(':') || !d.field(string(key), resp) {
				return false
			}
			if d.token(',') {
				continue
			}
			if !d.token('}') {
				return false
			}
			break
		}
	}
	d.space()
	return d.i == len(d.b)
}

// field reads the value of the answer's field named key into resp.
func (d *answerDecoder) field(key string, resp *worker.LambdaResponse) bool {
	r := &resp.Result
	switch key {
	case "number":
		n, ok := d.int(strconv.IntSize)
		r.Number = int(n)
		return ok
	case "state":
		s, ok := d.str()
		r.State = trial.State(s)
		return ok
	case "model":
		s, ok := d.str()
		r.Model = string(s)
		return ok
	case "params":
		return d.params(r)
	case "seed":
		n, ok := d.uint()
		r.Seed = n
		return ok
	case "budget":
		return d.budget(&r.Budget)
	case "score":
		return d.float(&r.Score)
	case "error":
		s, ok := d.str()
		r.Error = string(s)
		return ok
	case "load_seconds":
		return d.float(&r.LoadSeconds)
	case "fit_seconds":
		return d.float(&r.FitSeconds)
	case "score_seconds":
		return d.float(&r.ScoreSeconds)
	case "seconds":
		return d.float(&r.Seconds)
	case "peak_memory_bytes":
		n, ok := d.uint()
		r.PeakMemoryBytes = n
		return ok
	case "dataset_source":
		s, ok := d.str()
		r.DatasetSource = string(s)
		return ok
	case "started", "finished":
		start := d.i
		if _, ok := d.str(); !ok {
			return false
		}
		t := &r.Started
		if key == "finished" {
			t = &r.Finished
		}
		// What encoding/json calls for a time: UnmarshalJSON of the
		// quoted text.
		return t.UnmarshalJSON(d.b[start:d.i]) == nil
	case "worker":
		s, ok := d.str()
		r.Worker = string(s)
		return ok
	case "backend":
		return d.backend(r)
	case "s3_gets":
		n, ok := d.int(64)
		resp.S3Gets = n
		return ok
	case "environment":
		s, ok := d.str()
		resp.Environment = string(s)
		return ok
	case "stored":
		s, ok := d.str()
		resp.Stored = string(s)
		return ok
	}
	return false
}

// params reads an object of parameter values into r.Params, which, as
// encoding/json does, it makes if nil and adds to otherwise.
func (d *answerDecoder) params(r *trial.Result) bool {
	if !d.token('{') {
		return false
	}
	if r.Params == nil {
		r.Params = make(trial.Params, 4)
	}
	if d.token('}') {
		return true
	}
	for {
		name, ok := d.str()
		if !ok || !d.token(':') {
			return false
		}
		var v any
		d.space()
		if d.i >= len(d.b) {
			return false
		}
		switch c := d.b[d.i]; {
		case c == '"':
			s, ok := d.str()
			if !ok {
				return false
			}
			v = string(s)
		case c == 't' || c == 'f':
			b, ok := d.bool()
			if !ok {
				return false
			}
			v = b
		default:
			var f float64
			if !d.float(&f) {
				return false
			}
			v = f
		}
		r.Params[string(name)] = v
		if d.token(',') {
			continue
		}
		return d.token('}')
	}
}

// budget reads a budget's object into b, keeping the fields it does not
// name, as encoding/json does.
func (d *answerDecoder) budget(b *trial.Budget) bool {
	if !d.token('{') {
		return false
	}
	if d.token('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.token(':') {
			return false
		}
		switch string(key) {
		case "name":
			var s []byte
			s, ok = d.str()
			b.Name = string(s)
		case "value":
			ok = d.float(&b.Value)
		case "rung":
			var n int64
			n, ok = d.int(strconv.IntSize)
			b.Rung = int(n)
		case "config":
			var n int64
			n, ok = d.int(strconv.IntSize)
			b.Config = int(n)
		case "max":
			ok = d.float(&b.Max)
		default:
			ok = false
		}
		if !ok {
			return false
		}
		if d.token(',') {
			continue
		}
		return d.token('}')
	}
}

// backend reads an object of numbers into r.Backend, which it makes if
// nil and adds to otherwise.
func (d *answerDecoder) backend(r *trial.Result) bool {
	if !d.token('{') {
		return false
	}
	if r.Backend == nil {
		r.Backend = make(map[string]float64, 8)
	}
	if d.token('}') {
		return true
	}
	for {
		key, ok := d.str()
		if !ok || !d.token(':') {
			return false
		}
		var f float64
		if !d.float(&f) {
			return false
		}
		r.Backend[string(key)] = f
		if d.token(',') {
			continue
		}
		return d.token('}')
	}
}

// space skips JSON's white space.
func (d *answerDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// token skips white space and then c, if c is next.
func (d *answerDecoder) token(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string and returns its contents, which must be printable
// ASCII without escapes: those are the bytes encoding/json decodes it to.
func (d *answerDecoder) str() ([]byte, bool) {
	if !d.token('"') {
		return nil, false
	}
	for j := d.i; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			s := d.b[d.i:j]
			d.i = j + 1
			return s, true
		case c < 0x20 || c == '\\' || c >= 0x7f:
			return nil, false
		}
	}
	return nil, false
}

// bool reads true or false.
func (d *answerDecoder) bool() (bool, bool) {
	for _, lit := range [...]string{"true", "false"} {
		if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return lit == "true", true
		}
	}
	return false, false
}

// number reads a number as JSON's grammar has it and returns its text;
// integral is false when it has a fraction or an exponent.
func (d *answerDecoder) number() (text []byte, integral, ok bool) {
	d.space()
	b, j := d.b, d.i
	digits := func() int {
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case digits() == 0:
		return nil, false, false
	}
	integral = true
	if j < len(b) && b[j] == '.' {
		j++
		integral = false
		if digits() == 0 {
			return nil, false, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		integral = false
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if digits() == 0 {
			return nil, false, false
		}
	}
	text = b[d.i:j]
	d.i = j
	return text, integral, true
}

// float reads a number into f as encoding/json does (strconv.ParseFloat);
// one out of float64's range is left to encoding/json's error.
func (d *answerDecoder) float(f *float64) bool {
	text, _, ok := d.number()
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		return false
	}
	*f = v
	return true
}

// int reads an integer of the given bits, as encoding/json does for an
// int field (strconv.ParseInt, and an overflow check).
func (d *answerDecoder) int(bits int) (int64, bool) {
	text, integral, ok := d.number()
	if !ok || !integral {
		return 0, false
	}
	n, err := strconv.ParseInt(string(text), 10, bits)
	return n, err == nil
}

// uint reads an unsigned integer (strconv.ParseUint).
func (d *answerDecoder) uint() (uint64, bool) {
	text, integral, ok := d.number()
	if !ok || !integral {
		return 0, false
	}
	n, err := strconv.ParseUint(string(text), 10, 64)
	return n, err == nil
}
