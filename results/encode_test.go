package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// marshalRecords is the reference encoding: each event's record through
// encoding/json, one a line, as journals were written before the hand
// encoder.
func marshalRecords(tb testing.TB, events []Event) []byte {
	tb.Helper()
	var buf []byte
	for _, e := range events {
		line, err := json.Marshal(recordOf(e))
		if err != nil {
			tb.Fatalf("encoding/json: %v", err)
		}
		buf = append(append(buf, line...), '\n')
	}
	return buf
}

// encodeCases are events of every kind, with every field of a trial and
// a result set and unset, and values the hand encoder renders itself or
// leaves to encoding/json.
func encodeCases() map[string]Event {
	at := time.Date(2026, 12, 7, 2, 1, 13, 997348518, time.UTC)
	east := time.FixedZone("east", 5*3600+30*60)
	full := trial.Result{
		Number: 12, State: trial.Complete, Model: "knn", Params: trial.Params{"k": 3.0}, Seed: 7,
		Budget: trial.Budget{Name: "max_iter", Value: 9, Rung: 1, Config: 3, Max: 81},
		Score:  0.8141865915075872, FoldScores: []float64{0.5, 1e-300, -0, 1e21, 123456789012345680000},
		Steps: []trial.Step{{Step: 1, Value: 0.25}, {Step: -3, Value: 2.5e-7}},
		Error: "", LoadSeconds: 0.000008527, FitSeconds: 3.71e-7, ScoreSeconds: 1e-6, Seconds: 2.102452889,
		PeakMemoryBytes: math.MaxUint64, DatasetSource: "tmp",
		Started: at, Finished: at.Add(2 * time.Second).In(east), Worker: "3c6ef372fe94f82a",
		Backend: map[string]float64{"throttles": 0, "billed_ms": 2100, "cost_usd": 0.00004857133560546875, "attempt": 1},
	}
	failed := trial.Result{Number: 3, State: trial.Failed, Error: "boom <html> & \"q\" \\ \n\t\x1b[2J \u2028 \xff ünï", Seconds: 1}
	manyBackend := map[string]float64{}
	manyParams := trial.Params{}
	for i := range 40 {
		manyBackend[strings.Repeat("k", i%7)+string(rune('a'+i%26))+string(rune('0'+i/26))] = float64(i) / 3
		manyParams[string(rune('z'-i%26))+string(rune('0'+i/26))] = float64(i)
	}
	return map[string]Event{
		"study":           StudyEvent("sim20k", at),
		"study escaped":   StudyEvent("a<b>&\"c\"", at.In(east)),
		"stop":            StopEvent("max_trials", at),
		"stop zero time":  StopEvent("interrupted", time.Time{}),
		"dispatch":        DispatchEvent(trial.Trial{Number: 0, Model: "noop", Params: trial.Params{"x": 0.8796006302144743}, Seed: 13757245211066428519, Attempt: 1}, at),
		"dispatch budget": DispatchEvent(trial.Trial{Number: 5, Model: "gbm", Params: trial.Params{"lr": 0.0000384082607625348, "kind": "c"}, Budget: trial.Budget{Name: "n_estimators", Value: 27, Rung: 2}, Attempt: 2}, at),
		"dispatch nil":    DispatchEvent(trial.Trial{Number: 1}, time.Time{}),
		"dispatch empty":  DispatchEvent(trial.Trial{Number: 1, Params: trial.Params{}}, at),
		"params kinds":    DispatchEvent(trial.Trial{Number: 2, Model: "m", Params: trial.Params{"f": -1.5, "i": 3, "i64": int64(-9), "s": "rbf", "b": true, "n": nil, "e": 1e-7, "big": 1e21, "neg0": math.Copysign(0, -1)}}, at),
		"params list":     DispatchEvent(trial.Trial{Number: 2, Model: "m", Params: trial.Params{"w": []any{1.0, "a", true, nil}, "o": map[string]any{"x": 1.0}}}, at),
		"params float32":  DispatchEvent(trial.Trial{Number: 2, Model: "m", Params: trial.Params{"f": float32(0.1)}}, at),
		"params escaped":  DispatchEvent(trial.Trial{Number: 2, Model: "m\u00e9", Params: trial.Params{"<k>": "v&w", "é": "\x00"}}, at),
		"params many":     DispatchEvent(trial.Trial{Number: 2, Model: "m", Params: manyParams}, at),
		"result":          ResultEvent(full, at),
		"result failed":   ResultEvent(failed, at),
		"result minimal":  ResultEvent(trial.Result{Number: 0, State: trial.Pruned}, time.Time{}),
		"result empty":    ResultEvent(trial.Result{Number: 0, State: trial.Pruned, FoldScores: []float64{}, Steps: []trial.Step{}, Backend: map[string]float64{}}, at),
		"backend many":    ResultEvent(trial.Result{Number: 9, State: trial.Complete, Backend: manyBackend}, at),
		"odd zone":        StopEvent("x", at.In(time.FixedZone("odd", 5*3600+30*60+17))),
	}
}

// timesBeyondRFC3339 are events with a time JSON cannot hold.
func timesBeyondRFC3339() map[string]Event {
	y10k := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	return map[string]Event{
		"year 10000":       StopEvent("x", y10k),
		"year -1":          StopEvent("x", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)),
		"started in 10000": ResultEvent(trial.Result{Number: 0, State: trial.Complete, Started: y10k}, time.Time{}),
	}
}

// TestAppendRecordAsEncodingJSON: the hand encoder writes what
// encoding/json writes for every kind of event and every field, so that
// journals read as they did; where it leaves an event to encoding/json
// (ok false), EncodeEvents still writes encoding/json's line.
func TestAppendRecordAsEncodingJSON(t *testing.T) {
	for name, e := range encodeCases() {
		t.Run(name, func(t *testing.T) {
			want := marshalRecords(t, []Event{e})
			got, err := EncodeEvents([]Event{e})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("EncodeEvents wrote\n%s\nencoding/json\n%s", got, want)
			}
			if line, ok := appendRecord([]byte("prefix"), e); ok && !bytes.Equal(line, append([]byte("prefix"), want[:len(want)-1]...)) {
				t.Fatalf("appendRecord wrote\n%s\nencoding/json\n%s", line, want)
			} else if !ok && string(line) != "prefix" {
				t.Fatalf("appendRecord left %q behind when it gave up", line)
			}
		})
	}
}

// TestAppendRecordRendersCommonEventsItself: the events a study of
// numeric and categorical parameters writes take the hand encoder's path,
// not encoding/json's.
func TestAppendRecordRendersCommonEventsItself(t *testing.T) {
	cases := encodeCases()
	for _, name := range []string{"study", "study escaped", "stop", "dispatch", "dispatch budget", "params kinds", "params escaped", "params many", "result", "result failed", "result minimal", "backend many"} {
		if _, ok := appendRecord(nil, cases[name]); !ok {
			t.Errorf("%s: left to encoding/json", name)
		}
	}
	for _, name := range []string{"params list", "params float32"} {
		if _, ok := appendRecord(nil, cases[name]); ok {
			t.Errorf("%s: rendered by hand, expected encoding/json's", name)
		}
	}
	for name, e := range timesBeyondRFC3339() {
		if _, ok := appendRecord(nil, e); ok {
			t.Errorf("%s: rendered by hand, expected encoding/json's", name)
		}
	}
}

// TestEncodeEventsAllOrNothing: a batch with an invalid event, or one
// JSON cannot represent, encodes to nothing, and the error names the
// event and wraps ErrInvalidEvent.
func TestEncodeEventsAllOrNothing(t *testing.T) {
	ok := StopEvent("done", time.Time{})
	for name, bad := range map[string]Event{
		"no payload":       {Type: EventResult},
		"NaN score":        ResultEvent(trial.Result{State: trial.Complete, Score: math.NaN()}, time.Time{}),
		"Inf fold":         ResultEvent(trial.Result{State: trial.Complete, FoldScores: []float64{math.Inf(1)}}, time.Time{}),
		"NaN param":        DispatchEvent(trial.Trial{Params: trial.Params{"x": math.NaN()}}, time.Time{}),
		"NaN backend":      ResultEvent(trial.Result{State: trial.Complete, Backend: map[string]float64{"b": math.NaN()}}, time.Time{}),
		"year 10000":       timesBeyondRFC3339()["year 10000"],
		"year -1":          timesBeyondRFC3339()["year -1"],
		"started in 10000": timesBeyondRFC3339()["started in 10000"],
	} {
		t.Run(name, func(t *testing.T) {
			data, err := EncodeEvents([]Event{ok, bad})
			if !errors.Is(err, ErrInvalidEvent) || data != nil {
				t.Fatalf("EncodeEvents = %q, %v; want nothing and ErrInvalidEvent", data, err)
			}
			if !strings.Contains(err.Error(), "event 1") {
				t.Fatalf("error %q does not name event 1", err)
			}
			buf := []byte("kept")
			if got, _ := appendEvents(buf, []Event{ok, bad}); string(got) != "kept" {
				t.Fatalf("appendEvents left %q", got)
			}
		})
	}
}

// FuzzAppendRecordAsEncodingJSON: for events built from arbitrary
// strings, numbers and times, EncodeEvents writes exactly the lines
// encoding/json writes, or fails exactly when encoding/json fails.
func FuzzAppendRecordAsEncodingJSON(f *testing.F) {
	f.Add("noop", "x", 0.8796006302144743, int64(1765072873997348518), int32(0), uint64(13757245211066428519), 3, "3c6ef372fe94f82a", 2.1e-7, byte(0))
	f.Add("a<b", "é\x00", -1e21, int64(-62135596800000000000/1e9), int32(-3600*5-17), uint64(0), -7, "\xff\u2028", math.Inf(1), byte(5))
	f.Add("", "", 0.0, int64(0), int32(0), uint64(1), 0, "", 1e-6, byte(255))
	f.Fuzz(func(t *testing.T, model, name string, x float64, unixNano int64, offset int32, seed uint64, number int, text string, y float64, kind byte) {
		at := time.Unix(0, unixNano).In(time.FixedZone("z", int(offset%(100*3600))))
		if kind&1 != 0 {
			at = at.UTC()
		}
		var value any
		switch kind % 6 {
		case 0:
			value = x
		case 1:
			value = text
		case 2:
			value = number
		case 3:
			value = kind&8 != 0
		case 4:
			value = nil
		case 5:
			value = []any{x, text}
		}
		tr := trial.Trial{Number: number, Model: model, Params: trial.Params{name: value, "y": y}, Seed: seed, Attempt: int(kind >> 4)}
		if kind&2 != 0 {
			tr.Budget = trial.Budget{Name: text, Value: y, Rung: number, Max: x}
		}
		r := trial.Result{
			Number: number, State: trial.Complete, Score: x, FoldScores: []float64{x, y}, Steps: []trial.Step{{Step: int64(number), Value: y}},
			Error: text, LoadSeconds: y, Seconds: x, PeakMemoryBytes: seed, DatasetSource: name,
			Started: at, Finished: at, Worker: model, Backend: map[string]float64{name: x, text: y},
		}
		if kind&4 != 0 {
			r = trial.Result{Number: number, State: trial.Failed, Error: text}
		}
		events := []Event{StudyEvent(model+"s", at), DispatchEvent(tr, at), ResultEvent(r, at), StopEvent(text+"r", at)}
		for _, e := range events {
			want, wantErr := json.Marshal(recordOf(e))
			got, gotErr := EncodeEvents([]Event{e})
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%+v: EncodeEvents error %v, encoding/json's %v", e, gotErr, wantErr)
			}
			if gotErr == nil && !bytes.Equal(got, append(want, '\n')) {
				t.Fatalf("EncodeEvents wrote\n%s\nencoding/json\n%s", got, want)
			}
		}
	})
}

// BenchmarkEncodeEvents encodes a dispatch and a result of a trial on
// Lambda, as the scheduler journals them, by hand and by encoding/json.
func BenchmarkEncodeEvents(b *testing.B) {
	at := time.Date(2026, 12, 7, 2, 1, 13, 997348518, time.UTC)
	tr := trial.Trial{Number: 1234, Model: "noop", Params: trial.Params{"x": 0.8796006302144743}, Seed: 13757245211066428519, Attempt: 1}
	r := trial.Result{
		Number: 1234, State: trial.Complete, Model: "noop", Params: tr.Params, Seed: tr.Seed, Score: 0.8796006302144743, FitSeconds: 3.71e-7, Seconds: 2.339429437,
		Started: at, Finished: at.Add(2 * time.Second), Worker: "3c6ef372fe94f82a",
		Backend: map[string]float64{"attempt": 1, "billed_ms": 2100, "cost_usd": 0.00004857133560546875, "duration_ms": 2000, "init_ms": 100, "memory_size_mb": 1769, "s3_gets": 0, "throttles": 0},
	}
	events := []Event{DispatchEvent(tr, at), ResultEvent(r, at)}
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = appendEvents(buf[:0], events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var buf []byte
			for _, e := range events {
				if err := e.Validate(); err != nil {
					b.Fatal(err)
				}
				line, err := json.Marshal(recordOf(e))
				if err != nil {
					b.Fatal(err)
				}
				buf = append(append(buf, line...), '\n')
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	})
}
