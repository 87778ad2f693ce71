package trial

import (
	"encoding/json"
	"errors"
	"testing"
)

// After a JSON round trip (journal, Lambda payload) every number is a
// float64; the accessors give ints back where the value is integral.
func TestParamsSurviveJSON(t *testing.T) {
	p := Params{"k": 5, "lr": 0.25, "w": "distance", "b": true}
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Params
	if err := json.Unmarshal(raw, &q); err != nil {
		t.Fatal(err)
	}
	if k, ok := q.Int("k"); !ok || k != 5 {
		t.Errorf("Int(k) = %v, %v", k, ok)
	}
	if _, ok := q.Int("lr"); ok {
		t.Error("Int(lr) accepted 0.25")
	}
	if lr, ok := q.Float("lr"); !ok || lr != 0.25 {
		t.Errorf("Float(lr) = %v, %v", lr, ok)
	}
	if w, ok := q.String("w"); !ok || w != "distance" {
		t.Errorf("String(w) = %v, %v", w, ok)
	}
	if b, ok := q.Bool("b"); !ok || !b {
		t.Errorf("Bool(b) = %v, %v", b, ok)
	}
	if got, want := q.Format(), "b=true k=5 lr=0.25 w=distance"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

func TestInputErrorNamesFileLineField(t *testing.T) {
	err := error(&InputError{File: "spec.yaml", Line: 7, Field: "parameters.k", Msg: "unknown parameter", Err: ErrUnknownParam})
	if got, want := err.Error(), "spec.yaml:7: parameters.k: unknown parameter"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrBadInput) || !errors.Is(err, ErrUnknownParam) {
		t.Error("InputError does not wrap ErrBadInput and its sentinel")
	}
}

func TestDirection(t *testing.T) {
	if !Maximize.Better(2, 1) || Maximize.Better(1, 2) || !Minimize.Better(1, 2) || Minimize.Better(1, 1) {
		t.Error("Better is wrong")
	}
	for name, m := range Metrics {
		if m.Name != name {
			t.Errorf("metric %q is named %q", name, m.Name)
		}
	}
}
