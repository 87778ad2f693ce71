package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/serverless/emulate"
)

func TestLambdaBootstrapDetection(t *testing.T) {
	inLambda := func(k string) string {
		if k == "AWS_LAMBDA_RUNTIME_API" {
			return "127.0.0.1:9001"
		}
		return ""
	}
	outside := func(string) string { return "" }
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		args   []string
		want   bool
	}{
		{"Lambda starts /var/task/bootstrap with no arguments", inLambda, []string{"/var/task/bootstrap"}, true},
		{"the emulator starts hpsearch by its path", inLambda, []string{"/usr/local/bin/hpsearch"}, true},
		{"started as bootstrap, with arguments", inLambda, []string{"./bootstrap", "x"}, true},
		{"a command line inside a Lambda runtime", inLambda, []string{"hpsearch", "models"}, false},
		{"bare hpsearch outside Lambda prints usage", outside, []string{"hpsearch"}, false},
		{"named bootstrap outside Lambda", outside, []string{"/tmp/bootstrap"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := lambdaBootstrap(tc.getenv, tc.args); got != tc.want {
				t.Errorf("lambdaBootstrap(%q) = %v, want %v", tc.args, got, tc.want)
			}
		})
	}
}

// TestHpsearchServesLambdaAsBootstrap: the hpsearch binary, named
// bootstrap as in a deployment package, is the function the Lambda
// runtime interface emulator runs, and a study on the Lambda backend
// completes every trial through it.
func TestHpsearchServesLambdaAsBootstrap(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "task", "bootstrap")
	if err := os.MkdirAll(filepath.Dir(bootstrap), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bin, bootstrap); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // a hang guard
	defer cancel()
	emu, err := emulate.Start(ctx, emulate.Options{Workers: 2, Dir: filepath.Join(dir, "emu"), Bootstrap: bootstrap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	for _, kv := range emu.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	spec := writeFile(t, dir, "noop.yaml", `name: bootstrap-noop
model: noop
search: {method: random, max_trials: 6, seed: 1}
parameters:
  x: {min: -1.0, max: 1.0}
`)
	code, out, stderr := run(t, "run", spec, "--backend", "lambda", "--concurrency", "2", "--dir", filepath.Join(dir, "runs"), "--quiet", "--json")
	if code != 0 {
		t.Fatalf("run on the emulated Lambda: exit %d: %s", code, stderr)
	}
	var sum runSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Trials.Complete != 6 {
		t.Fatalf("summary %+v (%v), want 6 complete trials:\n%s", sum, err, out)
	}
	if s := emu.Stats(); s.Invocations < 6 || s.FunctionErrors != 0 {
		t.Errorf("emulation stats %+v: want 6 invocations or more, no function error", s)
	}
}
