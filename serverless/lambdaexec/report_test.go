package lambdaexec

import (
	"maps"
	"testing"
)

func TestParseReport(t *testing.T) {
	tests := []struct {
		name string
		tail string
		want map[string]float64 // nil: no report
	}{
		{"lambda cold start",
			"START RequestId: 1 Version: $LATEST\nEND RequestId: 1\nREPORT RequestId: 1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 41 MB\tInit Duration: 88.21 ms\t\n",
			map[string]float64{"duration_ms": 12.34, "billed_ms": 13, "memory_size_mb": 1024, "max_memory_mb": 41, "init_ms": 88.21}},
		{"warm, no init",
			"REPORT RequestId: 2\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\t",
			map[string]float64{"duration_ms": 2, "billed_ms": 2, "memory_size_mb": 128, "max_memory_mb": 30}},
		{"emulator order, spaces",
			"REPORT RequestId: 3  Init Duration: 0.50 ms  Duration: 7.25 ms  Billed Duration: 8 ms  Memory Size: 3008 MB  Max Memory Used: 25 MB",
			map[string]float64{"duration_ms": 7.25, "billed_ms": 8, "memory_size_mb": 3008, "max_memory_mb": 25, "init_ms": 0.5}},
		{"last report wins",
			"REPORT RequestId: a\tDuration: 1 ms\tBilled Duration: 1 ms\nlog\nREPORT RequestId: b\tDuration: 9 ms\tBilled Duration: 10 ms\n",
			map[string]float64{"duration_ms": 9, "billed_ms": 10}},
		{"xray and restore fields ignored or kept",
			"REPORT RequestId: c\tDuration: 5.5 ms\tBilled Duration: 6 ms\tRestore Duration: 3 ms\tXRAY TraceId: 1-2-3\tSegmentId: x\n",
			map[string]float64{"duration_ms": 5.5, "billed_ms": 6}},
		{"no report", "START RequestId: 1\nhello\n", nil},
		{"report mentioned mid-line", "log: REPORT Duration: 3 ms\n", nil},
		{"report without duration", "REPORT RequestId: 1\tMemory Size: 128 MB\n", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseReport(tt.tail)
			if ok != (tt.want != nil) || !maps.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}

func FuzzParseReport(f *testing.F) {
	f.Add("REPORT RequestId: 1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 41 MB\tInit Duration: 88.21 ms\t\n")
	f.Add("REPORT Duration: 99999999999999999999999999 ms")
	f.Fuzz(func(t *testing.T, tail string) {
		figures, ok := ParseReport(tail)
		if ok {
			if _, has := figures["duration_ms"]; !has {
				t.Errorf("ok without duration_ms: %v", figures)
			}
		}
	})
}
