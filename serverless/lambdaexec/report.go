package lambdaexec

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// reportFieldRE matches one figure of a REPORT line. Alternatives that end
// in "Duration" start earlier than the bare "Duration" inside them, so the
// leftmost match is always the whole name. It compiles on first use, not
// at start-up.
var reportFieldRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(Init Duration|Billed Duration|Restore Duration|Duration|Max Memory Used|Memory Size): ([0-9]+(?:\.[0-9]+)?) (ms|MB)`)
})

// reportKeys maps REPORT field names to Result.Backend keys.
var reportKeys = map[string]string{
	"Duration":        "duration_ms",
	"Billed Duration": "billed_ms",
	"Init Duration":   "init_ms",
	"Max Memory Used": "max_memory_mb",
	"Memory Size":     "memory_size_mb",
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
	figures = map[string]float64{}
	for _, m := range reportFieldRE().FindAllStringSubmatch(line, -1) {
		key, known := reportKeys[m[1]]
		if !known {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			continue
		}
		figures[key] = v
	}
	if _, ok := figures["duration_ms"]; !ok {
		return nil, false
	}
	return figures, true
}
