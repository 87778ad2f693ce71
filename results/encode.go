package results

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/hpsearch/hpsearch/internal/jsonenc"
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
	buf = jsonenc.AppendString(buf, string(e.Type))
	if !e.Time.IsZero() {
		buf = append(buf, `,"time":`...)
		if buf, ok = jsonenc.AppendTime(buf, e.Time); !ok {
			return buf[:start], false
		}
	}
	if e.Study != "" {
		buf = append(buf, `,"study":`...)
		buf = jsonenc.AppendString(buf, e.Study)
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
		buf = jsonenc.AppendString(buf, e.Reason)
	}
	return append(buf, '}'), true
}

// appendTrial appends t as a trialRecord: the fields of Trial in order,
// Trial's own budget hidden, and the record's budget last, when set.
func appendTrial(buf []byte, t *trial.Trial) (_ []byte, ok bool) {
	buf = append(buf, `{"number":`...)
	buf = strconv.AppendInt(buf, int64(t.Number), 10)
	buf = append(buf, `,"model":`...)
	buf = jsonenc.AppendString(buf, t.Model)
	buf = append(buf, `,"params":`...)
	if buf, ok = jsonenc.AppendParams(buf, t.Params); !ok {
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
		if buf, ok = jsonenc.AppendBudget(buf, t.Budget); !ok {
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
	buf = jsonenc.AppendString(buf, string(r.State))
	buf = append(buf, `,"score":`...)
	if buf, ok = jsonenc.AppendFloat(buf, r.Score); !ok {
		return buf, false
	}
	if len(r.FoldScores) > 0 {
		buf = append(buf, `,"fold_scores":[`...)
		for i, f := range r.FoldScores {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, ok = jsonenc.AppendFloat(buf, f); !ok {
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
			if buf, ok = jsonenc.AppendFloat(buf, s.Value); !ok {
				return buf, false
			}
			buf = append(buf, '}')
		}
		buf = append(buf, ']')
	}
	if r.Error != "" {
		buf = append(buf, `,"error":`...)
		buf = jsonenc.AppendString(buf, r.Error)
	}
	for _, f := range [...]struct {
		name  string
		value float64
	}{{`,"load_seconds":`, r.LoadSeconds}, {`,"fit_seconds":`, r.FitSeconds}, {`,"score_seconds":`, r.ScoreSeconds}} {
		if f.value != 0 {
			buf = append(buf, f.name...)
			if buf, ok = jsonenc.AppendFloat(buf, f.value); !ok {
				return buf, false
			}
		}
	}
	buf = append(buf, `,"seconds":`...)
	if buf, ok = jsonenc.AppendFloat(buf, r.Seconds); !ok {
		return buf, false
	}
	if r.PeakMemoryBytes != 0 {
		buf = append(buf, `,"peak_memory_bytes":`...)
		buf = strconv.AppendUint(buf, r.PeakMemoryBytes, 10)
	}
	if r.DatasetSource != "" {
		buf = append(buf, `,"dataset_source":`...)
		buf = jsonenc.AppendString(buf, r.DatasetSource)
	}
	if !r.Started.IsZero() {
		buf = append(buf, `,"started":`...)
		if buf, ok = jsonenc.AppendTime(buf, r.Started); !ok {
			return buf, false
		}
	}
	if !r.Finished.IsZero() {
		buf = append(buf, `,"finished":`...)
		if buf, ok = jsonenc.AppendTime(buf, r.Finished); !ok {
			return buf, false
		}
	}
	if r.Worker != "" {
		buf = append(buf, `,"worker":`...)
		buf = jsonenc.AppendString(buf, r.Worker)
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
			buf = jsonenc.AppendString(buf, k)
			buf = append(buf, ':')
			if buf, ok = jsonenc.AppendFloat(buf, r.Backend[k]); !ok {
				return buf, false
			}
		}
		buf = append(buf, '}')
	}
	return append(buf, '}'), true
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
