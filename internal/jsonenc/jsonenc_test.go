package jsonenc

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// sameAsMarshal fails t unless got is json.Marshal(v), or ok is false
// (the value is left to encoding/json).
func sameAsMarshal(t *testing.T, v any, got []byte, ok bool) {
	t.Helper()
	if !ok {
		return
	}
	want, err := json.Marshal(v)
	if err != nil || string(got) != string(want) {
		t.Errorf("%#v: got %s, encoding/json %s (%v)", v, got, want, err)
	}
}

func TestAppendIsMarshal(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789e13, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0.1 + 0.2, math.Inf(1), math.Inf(-1), math.NaN()} {
		got, ok := AppendFloat(nil, f)
		if ok == (math.IsInf(f, 0) || math.IsNaN(f)) {
			t.Errorf("AppendFloat(%v): ok %v", f, ok)
		}
		sameAsMarshal(t, f, got, ok)
	}
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "<a&b>", "tab\t", "é", "\xff", "\u2028", "\x7f"} {
		sameAsMarshal(t, s, AppendString(nil, s), true)
	}
	for _, p := range []trial.Params{nil, {}, {"x": 0.5, "a": "rbf", "b": true, "n": 3, "m": int64(-4), "z": nil, "<": "&"},
		{"list": []any{1}}, {"nan": math.NaN()}} {
		got, ok := AppendParams(nil, p)
		sameAsMarshal(t, p, got, ok)
	}
	for _, b := range []trial.Budget{{}, {Name: "epochs", Value: 3, Rung: 1, Config: 2, Max: 81}, {Value: 0.5}} {
		got, ok := AppendBudget(nil, b)
		sameAsMarshal(t, b, got, ok)
	}
	for _, at := range []time.Time{time.Date(2026, 12, 7, 4, 48, 35, 927458406, time.UTC), time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -7*3600)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
		got, ok := AppendTime(nil, at)
		sameAsMarshal(t, at, got, ok)
	}
}

// FuzzAppendAsMarshal holds the functions to json.Marshal on arbitrary
// floats, strings and parameters.
func FuzzAppendAsMarshal(f *testing.F) {
	f.Add(0.5, "x", "rbf", int64(3), true)
	f.Add(1e21, "<a>", "\xff", int64(-1), false)
	f.Fuzz(func(t *testing.T, x float64, name, s string, n int64, b bool) {
		got, ok := AppendFloat(nil, x)
		sameAsMarshal(t, x, got, ok)
		sameAsMarshal(t, s, AppendString(nil, s), true)
		p := trial.Params{name: x, name + "s": s, name + "n": int(n), name + "b": b}
		got, ok = AppendParams(nil, p)
		sameAsMarshal(t, p, got, ok)
		bud := trial.Budget{Name: s, Value: x, Rung: int(n)}
		got, ok = AppendBudget(nil, bud)
		sameAsMarshal(t, bud, got, ok)
	})
}
