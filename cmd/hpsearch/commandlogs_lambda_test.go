//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/worker"
)

// failingScript scores x, printing a line of its own first; for x above
// 0.5 it fails instead, saying why on standard error.
const failingScript = `#!/bin/sh
read params
x=$(echo "$params" | sed 's/.*"x":\([-0-9.e]*\).*/\1/')
echo "training with x=$x"
if awk "BEGIN{exit !($x > 0.5)}"; then echo "diverged at x=$x" >&2; exit 3; fi
awk "BEGIN{printf \"{\\\"score\\\": %.17g}\\n\", -($x-0.3)^2}"
`

// TestCommandLogsOnEmulatedLambda: a command study on the emulated
// Lambda backend, where some trials fail. The workers store each trial's
// log in S3; run copies the failed trials' logs into the study directory
// as trials/N.log, as the local backend leaves them; and the dashboard
// shows any trial's log tail from S3, a complete one's too, whether the
// study's journal is local or in S3.
func TestCommandLogsOnEmulatedLambda(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS emulation")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute) // a hang guard
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
	if err := os.WriteFile(filepath.Join(dir, "score.sh"), []byte(failingScript), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := writeFile(t, dir, "spec.yaml", `name: logged
command: [./score.sh]
direction: maximize
metric: neg_sq
search: {method: random, max_trials: 8, parallel: 2, seed: 5}
parameters:
  x: {min: 0.0, max: 1.0}
`)
	runs := filepath.Join(dir, "runs")
	code, out, stderr := run(t, "run", spec, "--dir", runs, "--backend", "lambda", "--concurrency", "2", "--quiet", "--json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s\n%s", code, stderr, out)
	}
	study := filepath.Join(runs, "logged")
	var failed, complete []int
	for _, row := range leaderboardJSON(t, study) {
		n := int(row["trial"].(float64))
		if row["state"] == "failed" {
			failed = append(failed, n)
		} else {
			complete = append(complete, n)
		}
	}
	if len(failed) == 0 || len(complete) == 0 {
		t.Fatalf("failed %v, complete %v: want some of each", failed, complete)
	}
	for _, n := range failed {
		b, err := os.ReadFile(filepath.Join(study, "trials", fmt.Sprint(n)+".log"))
		if err != nil || !strings.Contains(string(b), "training with x=") || !strings.Contains(string(b), "diverged at x=") {
			t.Errorf("failed trial %d: local log %q (%v); want its output and its error", n, b, err)
		}
	}
	if !strings.Contains(stderr, fmt.Sprintf("copied the logs of %d failed trials", len(failed))) {
		t.Errorf("run's stderr does not say it copied %d logs: %s", len(failed), stderr)
	}
	if _, err := os.Stat(filepath.Join(study, "trials", fmt.Sprint(complete[0])+".log")); err == nil {
		t.Errorf("complete trial %d's log was copied; only failed trials' are", complete[0])
	}

	// The same study kept in S3: nothing to copy to, the logs stay there.
	code, out, stderr = run(t, "run", spec, "--dir", "s3://"+emu.Bucket+"/cmdlogs", "--backend", "lambda", "--concurrency", "2", "--quiet", "--json")
	if code != 0 {
		t.Fatalf("run in S3: exit %d: %s\n%s", code, stderr, out)
	}
	var inS3 runSummary
	if err := json.Unmarshal([]byte(out), &inS3); err != nil {
		t.Fatal(err)
	}

	// The dashboard reads a complete trial's log from S3, and a failed
	// one's of the study in S3.
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- runMain(dctx, &env{stdout: pw, stderr: &errOut}, []string{"dashboard", study, inS3.Dir, "--addr", "127.0.0.1:0"})
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL: %v (%s)", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	for _, c := range []struct {
		study, trial int
		want         string
	}{{0, complete[0], "training with x="}, {1, failed[0], "diverged at x="}} {
		path := fmt.Sprintf("api/studies/%d/trials/%d", c.study, c.trial)
		resp, err := http.Get(strings.TrimSpace(url) + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var d struct {
			LogTail string `json:"log_tail"`
			LogFile string `json:"log_file"`
		}
		if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s: %s (%v)", path, resp.Status, body, err)
		}
		if !strings.HasPrefix(d.LogFile, "s3://"+emu.Bucket+"/results/logged-") || !strings.Contains(d.LogTail, c.want) {
			t.Errorf("%s: log %q from %q; want %q in a log from S3", path, d.LogTail, d.LogFile, c.want)
		}
	}
	stop()
	<-exited
}
