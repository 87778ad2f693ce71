package objective_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/objective"
	"github.com/hpsearch/hpsearch/trial"
)

func evaluate(tb testing.TB, model string, p trial.Params) (float64, error) {
	tb.Helper()
	f, ok := trainers.Lookup(model)
	if !ok {
		tb.Fatalf("model %s not registered", model)
	}
	obj, ok := f.(trainers.Objective)
	if !ok {
		tb.Fatalf("model %s is not an Objective", model)
	}
	rp, err := trainers.Resolve(f.Info(), p)
	if err != nil {
		return 0, err
	}
	return obj.Evaluate(context.Background(), rp)
}

func TestKnownMinima(t *testing.T) {
	cases := []struct {
		name  string
		model string
		p     trial.Params
		want  float64
		tol   float64
	}{
		{"branin/-pi", "branin", trial.Params{"x1": -math.Pi, "x2": 12.275}, 0.397887, 1e-6},
		{"branin/pi", "branin", trial.Params{"x1": math.Pi, "x2": 2.275}, 0.397887, 1e-6},
		{"branin/9.42478", "branin", trial.Params{"x1": 9.42478, "x2": 2.475}, 0.397887, 1e-6},
		{"hartmann6", "hartmann6", trial.Params{
			"x1": 0.20169, "x2": 0.150011, "x3": 0.476874,
			"x4": 0.275332, "x5": 0.311652, "x6": 0.6573}, -3.32237, 1e-5},
		{"rosenbrock/2", "rosenbrock", trial.Params{"x1": 1, "x2": 1}, 0, 0},
		{"rosenbrock/5", "rosenbrock", trial.Params{"x1": 1, "x2": 1, "x3": 1.0, "x4": 1, "x5": 1}, 0, 0},
		{"rosenbrock/origin", "rosenbrock", trial.Params{}, 1, 0},
		{"rosenbrock/3", "rosenbrock", trial.Params{"x1": 0, "x2": 0, "x3": 2}, 1 + 1 + 400, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := evaluate(t, c.model, c.p)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-c.want) > c.tol {
				t.Errorf("got %.8f, want %.8f", got, c.want)
			}
		})
	}
}

// TestMinimaAreMinima checks that a grid over each domain finds nothing
// below the documented minimum, so the constants are not just the values
// at the given points.
func TestMinimaAreMinima(t *testing.T) {
	for i := 0; i <= 150; i++ {
		for j := 0; j <= 150; j++ {
			x1, x2 := -5+15*float64(i)/150, 15*float64(j)/150
			if v := objective.Branin(x1, x2); v < objective.BraninMin-1e-9 {
				t.Fatalf("branin(%g, %g) = %g below the minimum", x1, x2, v)
			}
		}
	}
	var x [6]float64
	for k := 0; k < 20000; k++ {
		for j := range x {
			x[j] = math.Mod(float64(k*(j+3))*0.6180339887, 1)
		}
		if v := objective.Hartmann6(x); v < objective.Hartmann6Min-1e-5 {
			t.Fatalf("hartmann6(%v) = %g below the minimum", x, v)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name    string
		model   string
		p       trial.Params
		unknown bool
	}{
		{"branin out of range", "branin", trial.Params{"x1": 11.0}, false},
		{"branin unknown", "branin", trial.Params{"y": 1.0}, true},
		{"hartmann6 out of range", "hartmann6", trial.Params{"x6": -0.1}, false},
		{"rosenbrock gap", "rosenbrock", trial.Params{"x4": 1.0}, true},
		{"rosenbrock bad name", "rosenbrock", trial.Params{"y3": 1.0}, true},
		{"rosenbrock x0", "rosenbrock", trial.Params{"x0": 1.0}, true},
		{"rosenbrock extra out of range", "rosenbrock", trial.Params{"x3": 11.0}, false},
		{"rosenbrock extra not a number", "rosenbrock", trial.Params{"x3": "a"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := evaluate(t, c.model, c.p)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, trial.ErrUnknownParam); got != c.unknown {
				t.Errorf("errors.Is(%v, ErrUnknownParam) = %v, want %v", err, got, c.unknown)
			}
		})
	}
}

func TestNoop(t *testing.T) {
	p := trial.Params{"a": 1.5, "b": 2, "c": "x", "d": true}
	v1, err := evaluate(t, "noop", p)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := evaluate(t, "noop", p.Clone())
	if v1 != v2 {
		t.Fatalf("not deterministic: %v then %v", v1, v2)
	}
	if v1 < 4.5 || v1 >= 5.5 {
		t.Errorf("got %v, want 4.5 + 1 + hash in [0, 1)", v1)
	}
	// The same numbers after a JSON round trip (ints become floats).
	v3, _ := evaluate(t, "noop", trial.Params{"a": 1.5, "b": 2.0, "c": "x", "d": true})
	if v3 != v1 {
		t.Errorf("after JSON round trip: %v, want %v", v3, v1)
	}
	vy, _ := evaluate(t, "noop", trial.Params{"a": 1.5, "b": 2, "c": "y", "d": true})
	if vy == v1 {
		t.Errorf("strings x and y give the same value %v", v1)
	}
}

func TestInfo(t *testing.T) {
	for _, name := range []string{"noop", "branin", "hartmann6", "rosenbrock"} {
		f, ok := trainers.Lookup(name)
		if !ok {
			t.Fatalf("%s not registered", name)
		}
		info := f.Info()
		if !info.Objective || info.DefaultMetric != "value" || len(info.Tasks) != 0 {
			t.Errorf("%s: Objective=%v DefaultMetric=%q Tasks=%v", name, info.Objective, info.DefaultMetric, info.Tasks)
		}
		if _, err := evaluate(t, name, nil); err != nil {
			t.Errorf("%s at defaults: %v", name, err)
		}
	}
}

func TestCancelled(t *testing.T) {
	f, _ := trainers.Lookup("branin")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.(trainers.Objective).Evaluate(ctx, trial.Params{"x1": 0.0, "x2": 0.0}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func BenchmarkNoop(b *testing.B) {
	f, _ := trainers.Lookup("noop")
	obj := f.(trainers.Objective)
	p := trial.Params{"a": 1.5, "b": 2, "c": "x"}
	ctx := context.Background()
	for b.Loop() {
		if _, err := obj.Evaluate(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// Rosenbrock's extra coordinates are declared floats in [-5, 10]: a spec
// that writes x3: {min: -2, max: 2} searches the real interval, as for x1
// and x2, not the integers -2..2, and a bound outside the domain is an
// error at validation.
func TestRosenbrockExtraCoordinates(t *testing.T) {
	const head = "name: r\nmodel: rosenbrock\nsearch: {method: random, max_trials: 5}\nparameters:\n  x1: {min: -2, max: 2}\n  x2: {min: -2, max: 2}\n"
	spec, err := search.Parse(strings.NewReader(head+"  x3: {min: -2, max: 2}\n"), "r.yaml", trainers.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range spec.Models[0].Params {
		if d.Kind != trial.Float {
			t.Errorf("%s: kind %s, want float", d.Name, d.Kind)
		}
	}
	_, err = search.Parse(strings.NewReader(head+"  x3: {min: -6, max: 2}\n"), "r.yaml", trainers.Catalog)
	if err == nil || !strings.Contains(err.Error(), "r.yaml:7") || !strings.Contains(err.Error(), "x3.min") {
		t.Errorf("x3.min -6: got %v, want an error at r.yaml:7 naming x3.min", err)
	}
}
