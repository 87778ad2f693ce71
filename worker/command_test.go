//go:build unix

package worker

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// TestLambdaCommands: a function runs the command a request names only
// when configured to (EnvCommands); otherwise the trial fails and nothing
// runs.
func TestLambdaCommands(t *testing.T) {
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	script := filepath.Join(dir, "score.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ntouch "+ran+"\necho '{\"step\": 0, \"score\": 0.25}'\necho '{\"score\": 0.5}'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	req := Request{Study: "s", Trial: trial.Trial{Number: 1, Model: "command", Params: trial.Params{"x": 1.0}, Attempt: 1},
		Command: []string{"./score.sh"}, Workdir: dir}

	refuse := newTestHandler(t, &memS3{}, false)
	res := invoke(t, refuse, context.Background(), req).Result
	if _, err := os.Stat(ran); res.State != trial.Failed || !strings.Contains(res.Error, EnvCommands) || err == nil {
		t.Fatalf("unconfigured function: %s %q (ran: %v); want failed naming %s, nothing run", res.State, res.Error, err == nil, EnvCommands)
	}

	allow := NewLambdaHandlerWith(LambdaConfig{Bucket: "b", CacheDir: t.TempDir(), Commands: true}, &memS3{})
	res = invoke(t, allow, context.Background(), req).Result
	if res.State != trial.Complete || res.Score != 0.5 || len(res.Steps) != 1 {
		t.Fatalf("configured function: %s %v steps %v (%s)", res.State, res.Score, res.Steps, res.Error)
	}
	if got := LambdaConfigFromEnv(func(k string) string { return map[string]string{EnvCommands: "1"}[k] }); !got.Commands {
		t.Errorf("%s=1 does not allow commands", EnvCommands)
	}
}
