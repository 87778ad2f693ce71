//go:build unix

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// TestEmulateAllowCommands: the workers of hpsearch emulate run the
// commands of command studies only with --allow-commands, which it warns
// about; without it, every trial of a command study fails and says why.
// --allow-commands with --simulate is a usage error.
func TestEmulateAllowCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS emulation")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bootstrap := filepath.Join(t.TempDir(), "bootstrap")
	if err := emulate.BuildWorker(ctx, "./cmd/worker", bootstrap, ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		flags    []string
		complete int
		warns    bool
	}{
		{"allowed", []string{"--allow-commands"}, 8, true},
		{"by default refused", nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, _, stop := startEmulate(t, append([]string{"--port", "0", "--workers", "2", "--dir", t.TempDir(), "--bootstrap", bootstrap}, tt.flags...)...)
			defer stop()
			for line := range strings.Lines(stdout.String()) {
				if kv, ok := strings.CutPrefix(strings.TrimSpace(line), "export "); ok {
					k, v, _ := strings.Cut(kv, "=")
					t.Setenv(k, v)
				}
			}
			if got := strings.Contains(stderr.String(), "--allow-commands"); got != tt.warns {
				t.Errorf("warning about --allow-commands on stderr: %v, want %v: %s", got, tt.warns, stderr)
			}
			dir := t.TempDir()
			spec := commandStudySpec(t, dir, "")
			_, out, errOut := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"), "--backend", "lambda", "--concurrency", "2", "--quiet", "--json")
			got := outcome(t, out)
			if got.Trials.Complete != tt.complete || got.Trials.Complete+got.Trials.Failed != 8 {
				t.Errorf("trials %+v, want %d of 8 complete, the others failed; stderr: %s", got.Trials, tt.complete, errOut)
			}
		})
	}
	code, _, stderr := run(t, "emulate", "--simulate", "--allow-commands")
	if code != 2 || !strings.Contains(stderr, "--allow-commands has no use with --simulate") {
		t.Errorf("--allow-commands --simulate: exit %d, want 2: %s", code, stderr)
	}
}
