package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
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

// TestInstalledBinaryEmulatesWithItselfAsWorker: hpsearch run where it
// cannot build the worker (no go on PATH, as for a binary installed with
// go install and run from another directory) runs itself as the worker:
// a study on the emulated Lambda completes every trial. The emulator's
// tools are named by HPSEARCH_RIE and HPSEARCH_VERSITYGW, as a user
// without Go would.
func TestInstalledBinaryEmulatesWithItselfAsWorker(t *testing.T) {
	bin := buildCLI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // a hang guard
	defer cancel()
	tools, err := emulate.InstallTools(ctx, emulate.ToolsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	base := append(os.Environ(), "PATH="+t.TempDir(), "HPSEARCH_RIE="+tools.RIE, "HPSEARCH_VERSITYGW="+tools.VersityGW)
	cmd := exec.Command(bin, "emulate", "--port", "0", "--workers", "2", "--dir", "emu")
	cmd.Dir = elsewhere
	cmd.Env = base
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	var exports []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "# try:") {
		if kv, ok := strings.CutPrefix(sc.Text(), "export "); ok {
			exports = append(exports, kv)
		}
	}
	if len(exports) == 0 {
		t.Fatalf("no export lines; stderr: %s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	if !strings.Contains(stderr.String(), "the worker is this executable") {
		t.Errorf("emulate does not say the worker is itself:\n%s", stderr.String())
	}
	spec := writeFile(t, elsewhere, "noop.yaml", `name: installed-noop
model: noop
search: {method: random, max_trials: 4, seed: 1}
parameters:
  x: {min: -1.0, max: 1.0}
`)
	runCmd := exec.CommandContext(ctx, bin, "run", "noop.yaml", "--backend", "lambda", "--dir", "runs", "--quiet", "--json")
	runCmd.Dir = elsewhere
	runCmd.Env = append(base, exports...)
	out, err := runCmd.Output()
	if err != nil {
		t.Fatalf("run %s on the emulation: %v\n%s\nemulate: %s", spec, err, out, stderr.String())
	}
	var sum runSummary
	if err := json.Unmarshal(out, &sum); err != nil || sum.Trials.Complete != 4 {
		t.Fatalf("summary %+v (%v), want 4 complete trials:\n%s", sum, err, out)
	}
}
