package emulate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// ErrBadDurations is wrapped, with trial.ErrBadInput, by every
// *DurationsError.
var ErrBadDurations = errors.New("bad trial durations")

// DurationsError is a --trial-seconds spec that ParseTrialDurations
// refused, and why.
type DurationsError struct {
	Spec string
	Msg  string
}

func (e *DurationsError) Error() string { return fmt.Sprintf("trial durations %q: %s", e.Spec, e.Msg) }

// Unwrap lets errors.Is find ErrBadDurations and trial.ErrBadInput.
func (e *DurationsError) Unwrap() []error { return []error{ErrBadDurations, trial.ErrBadInput} }

// TrialDurations says how long a simulated invocation runs: Fixed, or
// uniformly between Min and Max, or the durations of a measured study
// (Replay). The draw for an invocation depends only on Seed and the
// trial's number and attempt, so a rehearsal gives each trial the same
// duration whatever the order its invocations arrive in.
type TrialDurations struct {
	// Fixed is every invocation's duration when Max is 0.
	Fixed time.Duration
	// Min and Max bound a uniform draw when Max > 0.
	Min, Max time.Duration
	// Replay, when not empty, wins: trial n runs Replay[n mod len].
	Replay []time.Duration
	// ReplayFrom names the study Replay was read from, for String.
	ReplayFrom string
	// Seed seeds the uniform draws.
	Seed uint64
}

// For returns the duration of the given attempt of trial number.
func (d TrialDurations) For(number, attempt int) time.Duration {
	switch {
	case len(d.Replay) > 0:
		i := number % len(d.Replay)
		if i < 0 {
			i += len(d.Replay)
		}
		return d.Replay[i]
	case d.Max > 0:
		r := rand.New(rand.NewPCG(d.Seed, uint64(number)<<16^uint64(attempt)))
		return d.Min + time.Duration(r.Float64()*float64(d.Max-d.Min))
	}
	return d.Fixed
}

// String writes d as ParseTrialDurations reads it.
func (d TrialDurations) String() string {
	switch {
	case len(d.Replay) > 0:
		return "replay:" + d.ReplayFrom
	case d.Max > 0:
		return seconds(d.Min) + ".." + seconds(d.Max)
	}
	return seconds(d.Fixed)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'g', -1, 64) }

// ParseTrialDurations reads the --trial-seconds of a simulation: a number
// of seconds ("2", "0.5"), a range "MIN..MAX" of seconds drawn uniformly
// with seed, or "replay:STUDY_DIR", the durations that the trials of a
// study measured (see ReplayDurations). Bad specs are a *DurationsError.
func ParseTrialDurations(spec string, seed uint64) (TrialDurations, error) {
	bad := func(format string, args ...any) error {
		return &DurationsError{Spec: spec, Msg: fmt.Sprintf(format, args...)}
	}
	spec = strings.TrimSpace(spec)
	if dir, ok := strings.CutPrefix(spec, "replay:"); ok {
		if dir == "" {
			return TrialDurations{}, bad("replay: needs a study directory, as in replay:studies/mnist")
		}
		ds, err := ReplayDurations(dir)
		if err != nil {
			return TrialDurations{}, err
		}
		return TrialDurations{Replay: ds, ReplayFrom: dir, Seed: seed}, nil
	}
	if lo, hi, ok := strings.Cut(spec, ".."); ok {
		min, err := parseSeconds(lo)
		if err != nil {
			return TrialDurations{}, bad("MIN: %v", err)
		}
		max, err := parseSeconds(hi)
		if err != nil {
			return TrialDurations{}, bad("MAX: %v", err)
		}
		if max <= min {
			return TrialDurations{}, bad("MAX must be above MIN")
		}
		return TrialDurations{Min: min, Max: max, Seed: seed}, nil
	}
	d, err := parseSeconds(spec)
	if err != nil {
		return TrialDurations{}, bad("%v; want seconds (2), a range (1..3) or replay:STUDY_DIR", err)
	}
	return TrialDurations{Fixed: d, Seed: seed}, nil
}

// maxSimulated bounds a simulated duration: Lambda's 15-minute limit.
const maxSimulated = 15 * time.Minute

func parseSeconds(s string) (time.Duration, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number of seconds", strings.TrimSpace(s))
	}
	if v < 0 || time.Duration(v*float64(time.Second)) > maxSimulated {
		return 0, fmt.Errorf("%v seconds is outside 0 to %v (Lambda's limit)", v, maxSimulated)
	}
	return time.Duration(v * float64(time.Second)), nil
}

// ReplayDurations reads the durations the trials of the study in dir
// measured, in order of trial number: the Duration of the REPORT line a
// Lambda trial answered with, or else the seconds the trial took. Only
// trials that completed or failed count; a study that is missing or has
// none is a *DurationsError.
func ReplayDurations(dir string) ([]time.Duration, error) {
	path := filepath.Join(dir, results.JournalFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, &DurationsError{Spec: "replay:" + dir, Msg: err.Error()}
	}
	defer f.Close()
	rp, err := results.ReadJournal(f, path)
	if err != nil {
		return nil, fmt.Errorf("emulate: replay: %w", err)
	}
	rs := results.Results(rp.Events)
	slices.SortFunc(rs, func(a, b trial.Result) int { return a.Number - b.Number })
	var out []time.Duration
	for _, r := range rs {
		if r.State != trial.Complete && r.State != trial.Failed {
			continue
		}
		ms := r.Backend["duration_ms"]
		if ms <= 0 {
			ms = r.Seconds * 1000
		}
		out = append(out, min(time.Duration(ms*float64(time.Millisecond)), maxSimulated))
	}
	if len(out) == 0 {
		return nil, &DurationsError{Spec: "replay:" + dir, Msg: path + " has no finished trials"}
	}
	return out, nil
}
