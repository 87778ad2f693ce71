package main

import (
	"strings"
	"testing"
)

// TestEmulateRefusesBadFaults: a bad --faults spec exits 2 naming the
// entry, before anything is built or started.
func TestEmulateRefusesBadFaults(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown kind", []string{"--faults", "429=0.1,5x=0.05"}, []string{`"5x=0.05"`, `did you mean "5xx"?`}},
		{"rate above 1", []string{"--faults", "crash=2"}, []string{`"crash=2"`, "outside [0, 1]"}},
		{"negative rate", []string{"--faults", "lost=-0.1"}, []string{`"lost=-0.1"`, "outside [0, 1]"}},
		{"sum above 1", []string{"--faults", "429=0.5,5xx=0.3,timeout=0.3"}, []string{"sum to 1.1"}},
		{"repeated kind", []string{"--faults", "429=0.1,429=0.1"}, []string{"twice"}},
		{"not a rate", []string{"--faults", "timeout=soon"}, []string{`"timeout=soon"`, "not a number"}},
		{"empty", []string{"--faults", ""}, []string{"empty"}},
		{"bad seed", []string{"--faults", "429=0.1", "--seed", "-1"}, []string{"seed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"emulate"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not contain %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "msg=\"building") {
				t.Errorf("built something before refusing the flags: %s", stderr)
			}
		})
	}
}
