package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// TestExitCodeUnavailable: a study stopped because its backend stayed
// unavailable exits 1, though its error also says it was interrupted; an
// interruption by the user still exits 130.
func TestExitCodeUnavailable(t *testing.T) {
	outage := fmt.Errorf("scheduler: study interrupted: %w: the backend did not answer: %w",
		trial.ErrInterrupted, fmt.Errorf("lambdaexec: %w: connection refused", trial.ErrUnavailable))
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"outage", outage, 1},
		{"unavailable before the study", fmt.Errorf("s3data: push: %w", trial.ErrUnavailable), 1},
		{"user interrupt", fmt.Errorf("scheduler: %w", trial.ErrInterrupted), 130},
		{"other failure", errors.New("disk full"), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			e := &env{stderr: &stderr}
			if got := exitCode(context.Background(), e, subcommand(t, e, "run"), tt.err); got != tt.want {
				t.Errorf("exit %d, want %d", got, tt.want)
			}
		})
	}
}

// TestOutageTimeoutSetting: backend.outage_timeout must be a positive
// duration; anything else is bad input naming the spec's line and field.
func TestOutageTimeoutSetting(t *testing.T) {
	for _, v := range []string{"0", `"0s"`, `"-1m"`, `"soon"`} {
		t.Run(v, func(t *testing.T) {
			dir := t.TempDir()
			spec := writeFile(t, dir, "spec.yaml", "name: s\ndataset: iris\nmodel: knn\nbackend:\n  type: lambda\n  outage_timeout: "+v+"\n")
			code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"))
			if code != 2 || !strings.Contains(stderr, "spec.yaml:6: backend.outage_timeout") {
				t.Errorf("exit %d, stderr %q; want 2 naming spec.yaml:6: backend.outage_timeout", code, stderr)
			}
		})
	}
}
