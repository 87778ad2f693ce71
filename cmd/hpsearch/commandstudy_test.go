//go:build unix

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// scoreScript scores x by -(x-0.3)², reporting three intermediate values
// first.
const scoreScript = `#!/bin/sh
read params
x=$(echo "$params" | sed 's/.*"x":\([-0-9.e]*\).*/\1/')
for step in 0 1 2; do awk "BEGIN{printf \"{\\\"step\\\": $step, \\\"score\\\": %.17g}\\n\", -($x-0.3)^2*(3-$step)}"; done
echo "trained with --x=$1"
awk "BEGIN{printf \"{\\\"score\\\": %.17g}\\n\", -($x-0.3)^2}"
`

func commandStudySpec(tb testing.TB, dir, extra string) string {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, "score.sh"), []byte(scoreScript), 0o755); err != nil {
		tb.Fatal(err)
	}
	return writeFile(tb, dir, "spec.yaml", `name: own-code
command: [./score.sh, "{x}"]
direction: maximize
metric: neg_sq
search: {method: random, max_trials: 8, parallel: 2, seed: 5}
`+extra+`parameters:
  x: {min: 0.0, max: 1.0}
`)
}

// TestCommandStudy: a study of the user's own script runs from the spec
// (its relative path taken from the spec's directory, whatever the
// working directory), journals its intermediate values, prunes, and
// resumes from its own directory.
func TestCommandStudy(t *testing.T) {
	dir := t.TempDir()
	spec := commandStudySpec(t, dir, "early_stopping: {type: median, budget: step, min: 1}\n")
	runs := t.TempDir()
	code, out, stderr := run(t, "run", spec, "--dir", runs, "--json", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := outcome(t, out)
	if got.Trials.Complete+got.Trials.Pruned+got.Trials.Failed != 8 || got.Trials.Complete == 0 || got.Best == nil || got.Best.Score > 0 {
		t.Fatalf("outcome %+v: want 8 trials, some complete with a score <= 0\n%s", got, out)
	}
	study := filepath.Join(runs, "own-code")
	journal, err := os.ReadFile(filepath.Join(study, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(journal), `"steps":[{"step":0,`) {
		t.Errorf("journal holds no intermediate values:\n%s", journal)
	}
	logs, _ := filepath.Glob(filepath.Join(study, "trials", "*.log"))
	if len(logs) == 0 {
		t.Error("no trial logs")
	}
	// Resume with more trials, from elsewhere: the command still runs in
	// the spec's directory.
	t.Chdir(t.TempDir())
	code, out, stderr = run(t, "resume", study, "--max-trials", "10", "--json", "--quiet")
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s\n%s", code, out, stderr)
	}
	if got := outcome(t, out); got.Trials.Complete+got.Trials.Pruned+got.Trials.Failed != 10 || got.Trials.Failed != 0 {
		t.Errorf("resumed outcome %+v: want 10 trials, none failed (the script found)\n%s", got, out)
	}
}

type runOutcome struct {
	Best   *struct{ Score float64 }
	Trials struct{ Complete, Pruned, Failed int }
}

func outcome(tb testing.TB, out string) runOutcome {
	tb.Helper()
	var o runOutcome
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		tb.Fatalf("%v: %s", err, out)
	}
	return o
}

// TestCommandStudyBadInput: a command that cannot run and a spec that is
// wrong are exit 2, naming the file, line and field.
func TestCommandStudyBadInput(t *testing.T) {
	dir := t.TempDir()
	good := commandStudySpec(t, dir, "")
	raw, _ := os.ReadFile(good)
	cases := []struct {
		name, from, to, want string
	}{
		{"not found", "./score.sh", "./missing.sh", ".yaml:2: command: command cannot run:"},
		{"with model", "metric: neg_sq\n", "metric: neg_sq\nmodel: knn\n", ".yaml:5: model: command and model are alternatives"},
		{"no direction", "direction: maximize\n", "", "direction: is required with command"},
		{"placeholder", `"{x}"`, `"{y}"`, ".yaml:2: command[1]: placeholder {y} names no parameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml", strings.Replace(string(raw), tc.from, tc.to, 1))
			code, _, stderr := run(t, "run", spec, "--dir", t.TempDir())
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 2 and %q:\n%s", code, tc.want, stderr)
			}
		})
	}
}

// TestCommandStudyResumesAfterSIGKILL: hpsearch killed with SIGKILL while
// a command runs; the study resumes from its directory and ends with the
// trials and scores of a study that was never interrupted (parallel 1,
// the same seed), pruning included.
func TestCommandStudyResumesAfterSIGKILL(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	block := filepath.Join(dir, "block")
	script := "#!/bin/sh\nif [ \"$HPSEARCH_TRIAL\" = 3 ] && [ -e " + block + " ]; then touch " + block + ".reached; while [ -e " + block + " ]; do sleep 0.05; done; fi\n" +
		strings.TrimPrefix(scoreScript, "#!/bin/sh\n")
	spec := commandStudySpec(t, dir, "early_stopping: {type: median, budget: step, min: 1}\n")
	if err := os.WriteFile(filepath.Join(dir, "score.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(spec)
	os.WriteFile(spec, []byte(strings.Replace(string(raw), "parallel: 2", "parallel: 1", 1)), 0o644)
	if err := os.WriteFile(block, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, "runs")
	cmd := exec.Command(bin, "run", spec, "--dir", runs, "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute) // a hang guard only
	for reached := false; !reached; {
		select {
		case err := <-exited:
			t.Fatalf("hpsearch exited (%v) before trial 3 ran", err)
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("trial 3 never started")
		case <-time.After(10 * time.Millisecond):
			_, err := os.Stat(block + ".reached")
			reached = err == nil
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	os.Remove(block)

	study := filepath.Join(runs, "own-code")
	code, _, stderr := run(t, "resume", study, "--quiet")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, "run", spec, "--dir", filepath.Join(dir, "whole"), "--quiet")
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	resumed := leaderboardJSON(t, study)
	whole := leaderboardJSON(t, filepath.Join(dir, "whole", "own-code"))
	if len(resumed) != 8 || len(whole) != 8 {
		t.Fatalf("resumed %d rows, uninterrupted %d; want 8", len(resumed), len(whole))
	}
	for i := range whole {
		for _, k := range []string{"trial", "state", "score", "params"} {
			a, _ := json.Marshal(whole[i][k])
			b, _ := json.Marshal(resumed[i][k])
			if string(a) != string(b) {
				t.Errorf("row %d %s: uninterrupted %s, resumed %s", i, k, a, b)
			}
		}
	}
}
