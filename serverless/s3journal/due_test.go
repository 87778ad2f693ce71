package s3journal

import "testing"

// TestCheckpointDue: a checkpoint is due after every segments, or
// checkpointBytes of lines, at the least, and after a quarter of the
// journal's segments or bytes once that is more; a segment count far
// below every (a scheduler at parallel 1,000 commits about a hundred
// trials a segment) makes one due by its bytes.
func TestCheckpointDue(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		name           string
		k, last, every uint64
		size, lastSize int
		want           bool
	}{
		{"every segments", 1000, 0, 1000, 1 * mb, 0, true},
		{"fewer segments, few bytes", 999, 0, 1000, 1 * mb, 0, false},
		{"a quarter of the segments", 5000, 4000, 1000, 0, 0, true},
		{"less than a quarter", 4999, 4000, 1000, 0, 0, false},
		{"8 MiB of lines in 100 segments", 100, 0, 1000, 8 * mb, 0, true},
		{"less than 8 MiB", 100, 0, 1000, 8*mb - 1, 0, false},
		{"a quarter of the bytes", 500, 400, 1000, 50 * mb, 40 * mb, true},
		{"8 MiB but less than a quarter of the bytes", 500, 400, 1000, 48 * mb, 40 * mb, false},
		{"no segment since", 400, 400, 1000, 40 * mb, 40 * mb, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkpointDue(tc.k, tc.last, tc.every, tc.size, tc.lastSize); got != tc.want {
				t.Errorf("checkpointDue(%d, %d, %d, %d, %d) = %v, want %v", tc.k, tc.last, tc.every, tc.size, tc.lastSize, got, tc.want)
			}
		})
	}
}
