package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad input to report: exit 2 and a message that says what is wrong, and
// no report written.
func TestReportBadInput(t *testing.T) {
	in := t.TempDir()
	notStudy := filepath.Join(in, "not-a-study")
	if err := os.MkdirAll(filepath.Join(notStudy, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, notStudy, "results.csv", "trial,score\n")
	zero := writeFile(t, in, "zero.yaml", "local_usd_per_hour: 0\n")
	tests := []struct {
		name string
		args []string
		want []string // substrings of stderr
	}{
		{name: "directory that is not a study", args: []string{notStudy}, want: []string{notStudy, "not a study directory"}},
		{name: "missing directory", args: []string{filepath.Join(in, "missing")}, want: []string{"missing", "not a study directory"}},
		{name: "zero price", args: []string{notStudy, "--prices", zero}, want: []string{"zero.yaml", "local_usd_per_hour", "must be a positive price"}},
		{name: "prices file missing", args: []string{notStudy, "--prices", filepath.Join(in, "none.yaml")}, want: []string{"--prices", "none.yaml"}},
		{name: "unknown format", args: []string{notStudy, "--format", "pdf"}, want: []string{"--format must be html, png or svg"}},
		{name: "png to stdout", args: []string{notStudy, "--format", "png", "-o", "-"}, want: []string{"-o - is for html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.html")
			args := append([]string{"report", "-o", out}, tt.args...)
			code, _, stderr := run(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a report was written")
			}
		})
	}
}
