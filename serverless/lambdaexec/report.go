package lambdaexec

import (
	"strconv"
	"strings"
)

// reportFields are the names of a REPORT line's figures, each with its
// Result.Backend key ("" for one that is skipped). Names that end in
// "Duration" come before the bare "Duration" inside them, so that the
// whole name is matched where it starts.
var reportFields = []struct{ name, key string }{
	{"Init Duration", "init_ms"},
	{"Billed Duration", "billed_ms"},
	{"Restore Duration", ""},
	{"Duration", "duration_ms"},
	{"Max Memory Used", "max_memory_mb"},
	{"Memory Size", "memory_size_mb"},
}

// ParseReport finds the last REPORT line of a Lambda log tail, such as
//
//	REPORT RequestId: 0f1c…	Duration: 12.34 ms	Billed Duration: 13 ms	Memory Size: 1024 MB	Max Memory Used: 41 MB	Init Duration: 88.21 ms
//
// and returns its figures under the keys duration_ms, billed_ms, init_ms
// (cold starts only), max_memory_mb and memory_size_mb. ok is false when
// the tail has no REPORT line with a duration.
func ParseReport(tail string) (figures map[string]float64, ok bool) {
	var line string
	for l := range strings.Lines(tail) {
		if strings.HasPrefix(l, "REPORT ") {
			line = l
		}
	}
	if line == "" {
		return nil, false
	}
	figures = make(map[string]float64, 5)
	for i := 0; i < len(line); {
		key, value, n := reportFigure(line[i:])
		if n == 0 {
			i++
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil && key != "" {
			figures[key] = v
		}
		i += n
	}
	if _, ok := figures["duration_ms"]; !ok {
		return nil, false
	}
	return figures, true
}

// reportFigure matches "NAME: NUMBER UNIT" at the start of s, NAME one of
// reportFields, NUMBER digits with an optional fraction and UNIT ms or
// MB, and returns the name's key, the number and the length matched; n is
// 0 when there is no match. It runs for every Lambda answer, so it is
// written out rather than a regular expression (a tenth of the
// executor's CPU a trial at concurrency 1,000).
func reportFigure(s string) (key, number string, n int) {
	switch s[0] {
	case 'I', 'B', 'R', 'D', 'M':
	default:
		return "", "", 0
	}
	for _, f := range reportFields {
		rest, ok := strings.CutPrefix(s, f.name)
		if !ok {
			continue
		}
		if rest, ok = strings.CutPrefix(rest, ": "); !ok {
			continue
		}
		d := digits(rest)
		if d == 0 {
			continue
		}
		if d < len(rest) && rest[d] == '.' {
			if frac := digits(rest[d+1:]); frac > 0 {
				d += 1 + frac
			}
		}
		unit := rest[d:]
		if !strings.HasPrefix(unit, " ms") && !strings.HasPrefix(unit, " MB") {
			continue
		}
		return f.key, rest[:d], len(s) - len(unit) + 3
	}
	return "", "", 0
}

// digits returns how many ASCII digits s starts with.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
