package emulate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/internal/editdist"
	"github.com/hpsearch/hpsearch/trial"
)

// DefaultCrashWithin is the CrashWithin of the faults ParseFaults
// returns: an injected crash kills the runtime within the first second
// of an invocation, or when it ends if that is sooner.
const DefaultCrashWithin = time.Second

// MaxFaultSpec bounds the length of a fault spec ParseFaults reads.
const MaxFaultSpec = 1 << 10

// ErrBadFaultSpec is wrapped by every error of ParseFaults, along with
// trial.ErrBadInput.
var ErrBadFaultSpec = errors.New("bad fault spec")

// FaultSpecError is a fault spec ParseFaults refused: the entry at fault
// (the whole spec when no single entry is) and what is wrong with it.
type FaultSpecError struct {
	Entry string
	Msg   string
}

func (e *FaultSpecError) Error() string {
	if e.Entry == "" {
		return "fault spec: " + e.Msg
	}
	return fmt.Sprintf("fault spec entry %q: %s", e.Entry, e.Msg)
}

// Unwrap lets errors.Is find ErrBadFaultSpec and trial.ErrBadInput.
func (e *FaultSpecError) Unwrap() []error { return []error{ErrBadFaultSpec, trial.ErrBadInput} }

// faultKinds are the kinds a fault spec names, in the order String
// writes them.
var faultKinds = []struct {
	name string
	rate func(*RandomFaults) *float64
}{
	{"429", func(f *RandomFaults) *float64 { return &f.Throttle }},
	{"5xx", func(f *RandomFaults) *float64 { return &f.ServerError }},
	{"lost", func(f *RandomFaults) *float64 { return &f.DropResponse }},
	{"crash", func(f *RandomFaults) *float64 { return &f.Crash }},
	{"timeout", func(f *RandomFaults) *float64 { return &f.Timeout }},
}

// FaultKindNames are the kinds a fault spec may name: 429 (Throttle),
// 5xx (ServerError), lost (DropResponse), crash (Crash) and timeout
// (Timeout).
func FaultKindNames() []string {
	out := make([]string, len(faultKinds))
	for i, k := range faultKinds {
		out[i] = k.name
	}
	return out
}

// ParseFaults reads a fault spec, comma-separated KIND=RATE entries such
// as "429=0.1,5xx=0.05,lost=0.05,crash=0.02,timeout=0.02", into
// RandomFaults with the given seed and CrashWithin DefaultCrashWithin.
// A rate is the probability that an invocation gets that fault, a
// number in [0, 1] or a percentage ("10%"); the kinds are exclusive, so
// the rates may sum to at most 1. Kinds not named get rate 0. Unknown or
// repeated kinds, rates outside [0, 1], empty entries and specs longer
// than MaxFaultSpec are refused with a *FaultSpecError naming the entry.
func ParseFaults(spec string, seed uint64) (*RandomFaults, error) {
	if len(spec) > MaxFaultSpec {
		return nil, &FaultSpecError{Msg: fmt.Sprintf("%d bytes, more than the %d allowed", len(spec), MaxFaultSpec)}
	}
	if strings.TrimSpace(spec) == "" {
		return nil, &FaultSpecError{Msg: "empty; want KIND=RATE entries such as 429=0.1,5xx=0.05 (kinds: " + strings.Join(FaultKindNames(), ", ") + ")"}
	}
	f := &RandomFaults{Seed: seed, CrashWithin: DefaultCrashWithin}
	seen := map[string]bool{}
	sum := 0.0
	for entry := range strings.SplitSeq(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, &FaultSpecError{Msg: "empty entry (a comma too many?)"}
		}
		name, value, ok := strings.Cut(entry, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok {
			return nil, &FaultSpecError{Entry: entry, Msg: "want KIND=RATE, such as 429=0.1"}
		}
		rate := kindRate(f, strings.ToLower(name))
		if rate == nil {
			return nil, &FaultSpecError{Entry: entry, Msg: fmt.Sprintf("unknown fault kind %q%s (kinds: %s)",
				name, suggestKind(name), strings.Join(FaultKindNames(), ", "))}
		}
		if seen[strings.ToLower(name)] {
			return nil, &FaultSpecError{Entry: entry, Msg: fmt.Sprintf("fault kind %q given twice", name)}
		}
		seen[strings.ToLower(name)] = true
		r, err := parseRate(value)
		if err != nil {
			return nil, &FaultSpecError{Entry: entry, Msg: err.Error()}
		}
		*rate = r
		sum += r
	}
	// A little slack for decimal rates whose binary sum rounds above 1
	// (0.1+0.2+0.7).
	if sum > 1+1e-9 {
		return nil, &FaultSpecError{Msg: fmt.Sprintf("the rates of %q sum to %g; the kinds are exclusive, so at most 1", spec, sum)}
	}
	return f, nil
}

func kindRate(f *RandomFaults, name string) *float64 {
	for _, k := range faultKinds {
		if k.name == name {
			return k.rate(f)
		}
	}
	return nil
}

// parseRate reads a probability: a decimal number in [0, 1], or a
// percentage in [0%, 100%].
func parseRate(s string) (float64, error) {
	num, scale := s, 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		num, scale = strings.TrimSpace(t), 100
	}
	if num == "" {
		return 0, errors.New("no rate; want a probability such as 0.05 or 5%")
	}
	// Only plain decimals: ParseFloat would also take "inf", "nan" and
	// hexadecimal floats.
	for _, c := range num {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+') {
			return 0, fmt.Errorf("rate %q is not a number; want a probability such as 0.05 or 5%%", s)
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("rate %q is not a number; want a probability such as 0.05 or 5%%", s)
	}
	v /= scale
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("rate %s is outside [0, 1]", s)
	}
	return v, nil
}

// suggestKind returns `; did you mean "x"?` for the kind nearest to name
// by edit distance, or "" when none is close enough to be a typo.
func suggestKind(name string) string {
	name = strings.ToLower(name)
	switch name { // what people call them
	case "throttle", "throttling", "429s", "toomanyrequests":
		return `; did you mean "429"?`
	case "500", "502", "503", "504", "5xxs", "server", "servererror", "server-error", "server_error":
		return `; did you mean "5xx"?`
	case "drop", "dropped", "lost-response", "lost_response", "lostresponse", "drop-response", "drop_response":
		return `; did you mean "lost"?`
	case "hang", "timedout", "timeouts":
		return `; did you mean "timeout"?`
	case "crashes", "kill", "exit":
		return `; did you mean "crash"?`
	}
	best, bestD := "", -1
	for _, k := range faultKinds {
		if d := editdist.Levenshtein(name, k.name); bestD < 0 || d < bestD {
			best, bestD = k.name, d
		}
	}
	if bestD < 0 || bestD > max(1, len([]rune(best))/2) {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// String writes the rates of f as a fault spec ParseFaults reads back,
// listing only the kinds with a rate above 0; "none" when there are none.
func (f *RandomFaults) String() string {
	var parts []string
	for _, k := range faultKinds {
		if r := *k.rate(f); r > 0 {
			parts = append(parts, k.name+"="+strconv.FormatFloat(r, 'g', -1, 64))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}
