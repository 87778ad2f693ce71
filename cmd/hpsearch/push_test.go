package main

import (
	"strings"
	"testing"
)

func TestDatasetsPushUsage(t *testing.T) {
	t.Setenv("HPSEARCH_BUCKET", "")
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"help", []string{"datasets", "push", "--help"}, 0, "datasets push FILE_OR_NAME --bucket BUCKET"},
		{"no dataset", []string{"datasets", "push", "--bucket", "bkt"}, 2, "push takes one dataset"},
		{"two datasets", []string{"datasets", "push", "iris", "wine", "--bucket", "bkt"}, 2, "push takes one dataset"},
		{"no bucket", []string{"datasets", "push", "iris"}, 2, "--bucket"},
		{"bad flag", []string{"datasets", "push", "iris", "--bukket", "b"}, 2, "bukket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.contains) {
				t.Errorf("exit %d, want %d; output does not mention %q:\n%s%s", code, tt.code, tt.contains, stdout, stderr)
			}
		})
	}
}
