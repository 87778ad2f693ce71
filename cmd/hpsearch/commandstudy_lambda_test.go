//go:build unix

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/worker"
)

// TestCommandStudyOnEmulatedLambda: the same command study on the
// emulated Lambda backend (the worker runs the command, with the same
// protocol) gives the scores of the local run; a function not configured
// to run commands fails such trials without running anything.
func TestCommandStudyOnEmulatedLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS emulation")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	bootstrap := filepath.Join(tmp, "bootstrap")
	if err := emulate.BuildWorker(ctx, "./cmd/worker", bootstrap, ""); err != nil {
		t.Fatal(err)
	}
	emu, err := emulate.Start(ctx, emulate.Options{Workers: 2, Dir: filepath.Join(tmp, "emu"), Bootstrap: bootstrap,
		Env: map[string]string{worker.EnvCommands: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	dir := t.TempDir()
	spec := commandStudySpec(t, dir, "")
	code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "local"), "--quiet")
	if code != 0 {
		t.Fatalf("local run: exit %d: %s", code, stderr)
	}
	code, out, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "lambda"), "--backend", "lambda", "--concurrency", "2", "--quiet", "--json")
	if code != 0 {
		t.Fatalf("lambda run: exit %d: %s\n%s", code, stderr, out)
	}
	local := leaderboardJSON(t, filepath.Join(dir, "local", "own-code"))
	lambda := leaderboardJSON(t, filepath.Join(dir, "lambda", "own-code"))
	if len(local) != 8 || len(lambda) != 8 {
		t.Fatalf("local has %d rows, lambda %d; want 8", len(local), len(lambda))
	}
	for i := range local {
		for _, k := range []string{"trial", "state", "score", "params"} {
			a, _ := json.Marshal(local[i][k])
			b, _ := json.Marshal(lambda[i][k])
			if string(a) != string(b) {
				t.Errorf("row %d %s: local %s, lambda %s", i, k, a, b)
			}
		}
	}
	// In-trial pruning runs on Lambda too, through S3
	// (serverless/integration's TestCommandPruningOnLambda checks what
	// it prunes).
	t.Setenv("HPSEARCH_PRUNE_POLL", "50ms")
	pruned := commandStudySpec(t, t.TempDir(), "early_stopping: {type: median, budget: step}\n")
	if code, _, stderr := run(t, "run", pruned, "--dir", filepath.Join(dir, "pruned"), "--backend", "lambda", "--quiet"); code != 0 {
		t.Errorf("pruning on lambda: exit %d, want 0: %s", code, stderr)
	}
}
