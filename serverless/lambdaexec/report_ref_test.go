package lambdaexec

import (
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// refReportRE is the regular expression ParseReport once used; the
// reference that its hand-written matcher must agree with.
var refReportRE = regexp.MustCompile(`(Init Duration|Billed Duration|Restore Duration|Duration|Max Memory Used|Memory Size): ([0-9]+(?:\.[0-9]+)?) (ms|MB)`)

func refParseReport(tail string) (map[string]float64, bool) {
	keys := map[string]string{"Duration": "duration_ms", "Billed Duration": "billed_ms", "Init Duration": "init_ms",
		"Max Memory Used": "max_memory_mb", "Memory Size": "memory_size_mb"}
	var line string
	for l := range strings.Lines(tail) {
		if strings.HasPrefix(l, "REPORT ") {
			line = l
		}
	}
	if line == "" {
		return nil, false
	}
	figures := map[string]float64{}
	for _, m := range refReportRE.FindAllStringSubmatch(line, -1) {
		key, known := keys[m[1]]
		if !known {
			continue
		}
		if v, err := strconv.ParseFloat(m[2], 64); err == nil {
			figures[key] = v
		}
	}
	if _, ok := figures["duration_ms"]; !ok {
		return nil, false
	}
	return figures, true
}

// FuzzParseReportMatchesRegexp: ParseReport finds what the regular
// expression it replaced finds, in any text.
func FuzzParseReportMatchesRegexp(f *testing.F) {
	for _, s := range []string{
		"REPORT RequestId: 1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 41 MB\tInit Duration: 88.21 ms\t\n",
		"REPORT RequestId: 3  Init Duration: 0.50 ms  Duration: 7.25 ms  Billed Duration: 8 ms",
		"REPORT Restore Duration: 3 ms Duration: 1. ms Duration: 2.5.1 ms Duration: 4 MB",
		"REPORT Billed Duration: 5 msDuration: 6 ms",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tail string) {
		got, ok := ParseReport(tail)
		want, wantOK := refParseReport(tail)
		if ok != wantOK || !maps.Equal(got, want) {
			t.Errorf("ParseReport(%q) = %v, %v; the regexp gives %v, %v", tail, got, ok, want, wantOK)
		}
	})
}
