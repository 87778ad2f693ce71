package worker

import (
	"strings"
	"testing"
)

// A trial run again is a new attempt, and its values and marker have keys
// of their own: it never reads an earlier attempt's values nor stops at
// an earlier attempt's marker.
func TestPruningKeysAreAnAttempts(t *testing.T) {
	if a, b := StepKey("results/s/", 7, 1, 3), StepKey("results/s/", 7, 2, 3); a == b {
		t.Errorf("attempts 1 and 2 share the step key %s", a)
	}
	if a, b := PruneKey("results/s/", 7, 1), PruneKey("results/s/", 7, 2); a == b {
		t.Errorf("attempts 1 and 2 share the marker %s", a)
	}
	if k, p := StepKey("results/s/", 7, 2, 3), StepPrefix("results/s/", 7, 2); !strings.HasPrefix(k, p) || strings.HasPrefix(StepKey("results/s/", 7, 1, 3), p) {
		t.Errorf("StepPrefix %s does not list exactly attempt 2's keys (%s)", p, k)
	}
	if StepKey("p/", 7, 0, 3) != StepKey("p/", 7, 1, 3) || PruneKey("p/", 7, 0) != PruneKey("p/", 7, 1) {
		t.Error("attempt 0 (unset) is not attempt 1")
	}
	if got, want := StepKey("p/", 7, 2, 3), "p/steps/00000007/0002/00000003.json"; got != want {
		t.Errorf("StepKey = %s, want %s", got, want)
	}
}
