//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
