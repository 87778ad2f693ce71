package emulate

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec string
		want map[string]float64 // rates by kind; missing means 0
	}{
		{"429=0.1,5xx=0.05,lost=0.05,crash=0.02,timeout=0.02",
			map[string]float64{"429": 0.1, "5xx": 0.05, "lost": 0.05, "crash": 0.02, "timeout": 0.02}},
		{" timeout = 0.5 , 429=0.5 ", map[string]float64{"429": 0.5, "timeout": 0.5}},
		{"5XX=10%,Lost=1%", map[string]float64{"5xx": 0.1, "lost": 0.01}},
		{"crash=1", map[string]float64{"crash": 1}},
		{"crash=0", nil},
		{"429=1e-3", map[string]float64{"429": 0.001}},
		{"429=0.1,5xx=0.2,lost=0.7", map[string]float64{"429": 0.1, "5xx": 0.2, "lost": 0.7}}, // sums to 1.0000000000000002
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := ParseFaults(tt.spec, 42)
			if err != nil {
				t.Fatal(err)
			}
			if f.Seed != 42 || f.CrashWithin != DefaultCrashWithin {
				t.Errorf("seed %d, crash within %v", f.Seed, f.CrashWithin)
			}
			for _, k := range faultKinds {
				if got, want := *k.rate(f), tt.want[k.name]; math.Abs(got-want) > 1e-12 {
					t.Errorf("%s rate %v, want %v", k.name, got, want)
				}
			}
		})
	}
}

func TestParseFaultsRefuses(t *testing.T) {
	tests := []struct {
		spec string
		want []string // substrings of the error
	}{
		{"", []string{"empty", "429", "timeout"}},
		{"  ", []string{"empty"}},
		{"429=0.1,", []string{"empty entry"}},
		{"429", []string{`"429"`, "KIND=RATE"}},
		{"5x=0.1", []string{`"5x=0.1"`, `unknown fault kind "5x"`, `did you mean "5xx"?`}},
		{"throttle=0.1", []string{`did you mean "429"?`}},
		{"500=0.1", []string{`did you mean "5xx"?`}},
		{"timeuot=0.1", []string{`did you mean "timeout"?`}},
		{"drop=0.1", []string{`did you mean "lost"?`}},
		{"meteor=0.1", []string{`unknown fault kind "meteor"`, "kinds: 429, 5xx, lost, crash, timeout"}},
		{"429=0.1,429=0.2", []string{`"429=0.2"`, "twice"}},
		{"429=1.5", []string{`"429=1.5"`, "outside [0, 1]"}},
		{"429=-0.1", []string{"outside [0, 1]"}},
		{"429=150%", []string{"outside [0, 1]"}},
		{"429=", []string{"no rate"}},
		{"429=%", []string{"no rate"}},
		{"429=abc", []string{`rate "abc" is not a number`}},
		{"429=NaN", []string{"not a number"}},
		{"429=inf", []string{"not a number"}},
		{"429=0x1p-2", []string{"not a number"}},
		{"429=0.6,5xx=0.5", []string{"sum to 1.1", "at most 1"}},
		{strings.Repeat("429=0.1,", 200), []string{"more than the 1024 allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := ParseFaults(tt.spec, 1)
			if err == nil {
				t.Fatalf("accepted as %v", f)
			}
			if !errors.Is(err, ErrBadFaultSpec) || !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("%v does not wrap ErrBadFaultSpec and trial.ErrBadInput", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestParsedFaultsInject checks that parsed faults inject what the spec
// says, seeded: the rates over many invocations, and the same sequence
// from the same seed.
func TestParsedFaultsInject(t *testing.T) {
	const spec = "429=0.1,5xx=0.05,lost=0.05,crash=0.02,timeout=0.02"
	f, err := ParseFaults(spec, 5)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := ParseFaults(spec, 5)
	const n = 50000
	counts := map[FaultKind]int{}
	for i := range n {
		a, b := f.Inject("fn"), g.Inject("fn")
		if a != b {
			t.Fatalf("invocation %d: %+v and %+v from one seed", i, a, b)
		}
		counts[a.Kind]++
		if a.Kind == Crash && (a.CrashAfter < 0 || a.CrashAfter >= DefaultCrashWithin) {
			t.Fatalf("crash after %v", a.CrashAfter)
		}
		if a.Delay != 0 {
			t.Fatalf("delay %v injected; the spec names none", a.Delay)
		}
	}
	for kind, rate := range map[FaultKind]float64{Throttle: 0.1, ServerError: 0.05, DropResponse: 0.05, Crash: 0.02, Timeout: 0.02, NoFault: 0.76} {
		if got := float64(counts[kind]) / n; math.Abs(got-rate) > 0.01 {
			t.Errorf("kind %d: rate %.4f, want %.2f", kind, got, rate)
		}
	}
	if got := f.String(); got != spec {
		t.Errorf("String() = %q, want %q", got, spec)
	}
}

// FuzzParseFaults: any spec is either refused with a bad-input error or
// gives rates in [0, 1] summing to at most 1 that read back the same from
// String.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{
		"429=0.1,5xx=0.05,lost=0.05,crash=0.02,timeout=0.02", "crash=1", "5xx=10%", " lost = 0.5 ",
		"429=0.1,", "5x=1", "429=1e-3", "429=-0", "timeout=.5", "429=0.6,5xx=0.5", "=", ",", "429=1%%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		rf, err := ParseFaults(spec, 0)
		if err != nil {
			if !errors.Is(err, trial.ErrBadInput) || !errors.Is(err, ErrBadFaultSpec) {
				t.Fatalf("%q: error %v is not bad input", spec, err)
			}
			return
		}
		sum := 0.0
		for _, k := range faultKinds {
			r := *k.rate(rf)
			if !(r >= 0 && r <= 1) {
				t.Fatalf("%q: %s rate %v", spec, k.name, r)
			}
			sum += r
		}
		if sum > 1+1e-9 {
			t.Fatalf("%q: rates sum to %v", spec, sum)
		}
		if s := rf.String(); s != "none" {
			back, err := ParseFaults(s, 0)
			if err != nil {
				t.Fatalf("%q: String %q does not parse: %v", spec, s, err)
			}
			for _, k := range faultKinds {
				if *k.rate(back) != *k.rate(rf) {
					t.Fatalf("%q: String %q reads back %s=%v, not %v", spec, s, k.name, *k.rate(back), *k.rate(rf))
				}
			}
		}
	})
}
