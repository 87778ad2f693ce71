//go:build unix

package commandrun_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/trial"
)

// hangGuard bounds waits that only a bug would make long.
const hangGuard = 60 * time.Second

// script writes an executable script named name into dir.
func script(tb testing.TB, dir, name, body string) string {
	tb.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		tb.Fatal(err)
	}
	return path
}

// execute runs one trial of e with params p and returns its result.
func execute(tb testing.TB, e *commandrun.Executor, p trial.Params) trial.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	res, err := e.Execute(ctx, trial.Trial{Number: 7, Model: "command", Params: p, Seed: 42, Attempt: 1})
	if err != nil {
		tb.Fatalf("Execute: %v", err)
	}
	return res
}

func TestProtocolPython(t *testing.T) {
	dir := t.TempDir()
	script(t, dir, "train.py", `#!/usr/bin/python3
import json, os, sys
params = json.load(sys.stdin)
assert params == json.loads(os.environ["HPSEARCH_PARAMS"]), "stdin and HPSEARCH_PARAMS differ"
scratch = os.environ["HPSEARCH_TRIAL_DIR"]
assert os.path.isdir(scratch) and os.listdir(scratch) == [], "scratch directory not empty"
open(os.path.join(scratch, "model.bin"), "w").write("weights")
print("training with", sys.argv[1:])
print("a warning", file=sys.stderr)
for step in range(3):
    print(json.dumps({"step": step, "score": params["alpha"] * step}))
print(json.dumps({"score": params["alpha"] * 10, "trial": os.environ["HPSEARCH_TRIAL"],
                  "seed": os.environ["HPSEARCH_SEED"], "args": sys.argv[1:], "cwd": os.getcwd()}))
`)
	study := t.TempDir()
	e := &commandrun.Executor{Command: []string{"./train.py", "--alpha={alpha}", "{kind}", "{nothing"}, Dir: dir, StudyDir: study}
	res := execute(t, e, trial.Params{"alpha": 0.25, "kind": "hinge"})
	if res.State != trial.Complete || res.Score != 2.5 {
		t.Fatalf("result = %s %v (%s), want complete 2.5", res.State, res.Score, res.Error)
	}
	wantSteps := []trial.Step{{Step: 0, Value: 0}, {Step: 1, Value: 0.25}, {Step: 2, Value: 0.5}}
	if !equalSteps(res.Steps, wantSteps) {
		t.Errorf("steps = %v, want %v", res.Steps, wantSteps)
	}
	if _, err := os.Stat(filepath.Join(study, "trials", "7")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("scratch directory of a complete trial still there: %v", err)
	}
	log, err := os.ReadFile(filepath.Join(study, "trials", "7.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"training with ['--alpha=0.25', 'hinge', '{nothing']", "a warning"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log %q lacks %q", log, want)
		}
	}
	if strings.Contains(string(log), `"score"`) {
		t.Errorf("log %q holds protocol lines", log)
	}
}

func TestEnvironment(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "env.json")
	script(t, dir, "env.sh", `#!/bin/sh
printf '{"trial": "%s", "seed": "%s", "budget": "%s", "pwd": "%s"}' "$HPSEARCH_TRIAL" "$HPSEARCH_SEED" "$HPSEARCH_BUDGET" "$(pwd)" > `+out+`
echo '{"score": 1}'
`)
	e := &commandrun.Executor{Command: []string{"./env.sh"}, Dir: dir, StudyDir: t.TempDir()}
	ctx := context.Background()
	res, err := e.Execute(ctx, trial.Trial{Number: 3, Params: trial.Params{"x": 1}, Seed: 18446744073709551615,
		Budget: trial.Budget{Name: "epochs", Value: 9}})
	if err != nil || res.State != trial.Complete {
		t.Fatalf("Execute = %s %q, %v", res.State, res.Error, err)
	}
	var got map[string]string
	raw, _ := os.ReadFile(out)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	want := map[string]string{"trial": "3", "seed": "18446744073709551615", "budget": "9", "pwd": dir}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestFailures: each way a command can fail is a failed trial whose error
// says what happened, with the tail of stderr, and whose scratch
// directory is kept.
func TestFailures(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"exit status", "echo step one >&2\necho 'Traceback: ValueError' >&2\nexit 3", []string{"exited with status 3", "Traceback: ValueError"}},
		{"prints nothing", "exit 0", []string{"printed nothing on standard output"}},
		{"no result line", "echo hello\necho '{\"step\": 1, \"score\": 2}'", []string{"printed 1 intermediate values but no result line"}},
		{"not JSON", "echo '{\"score\": 0.5,,}'", []string{"stdout line 1", "not valid JSON"}},
		{"NaN", "echo '{\"score\": NaN}'", []string{"NaN", "not a number"}},
		{"string score", "echo '{\"score\": \"0.9\"}'", []string{`score is the string "0.9", not a number`}},
		{"null score", "echo '{\"score\": null}'", []string{"score is null"}},
		{"fractional step", "echo '{\"step\": 1.5, \"score\": 1}'\necho '{\"score\": 1}'", []string{"step 1.5 is not a whole number"}},
		{"killed", "kill -9 $$", []string{"killed by signal killed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			script(t, dir, "run.sh", "#!/bin/sh\n"+tc.body+"\n")
			study := t.TempDir()
			e := &commandrun.Executor{Command: []string{"./run.sh"}, Dir: dir, StudyDir: study}
			res := execute(t, e, trial.Params{"x": 1})
			if res.State != trial.Failed {
				t.Fatalf("state = %s, want failed", res.State)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Error, w) {
					t.Errorf("error %q lacks %q", res.Error, w)
				}
			}
			scratch := filepath.Join(study, "trials", "7")
			if _, err := os.Stat(scratch); err != nil {
				t.Errorf("scratch directory of a failed trial: %v", err)
			}
			if !strings.Contains(res.Error, scratch) {
				t.Errorf("error %q does not say where the scratch directory is", res.Error)
			}
		})
	}
}

func TestNotRunnable(t *testing.T) {
	dir := t.TempDir()
	script(t, dir, "plain.sh", "#!/bin/sh\n")
	os.Chmod(filepath.Join(dir, "plain.sh"), 0o644)
	cases := []struct {
		name    string
		command []string
		want    string
	}{
		{"not in PATH", []string{"no-such-program-hpsearch"}, "not found in PATH"},
		{"missing file", []string{"./missing.py"}, "does not exist"},
		{"not executable", []string{"./plain.sh"}, "is not executable"},
		{"directory", []string{"./"}, "is a directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := commandrun.Check(tc.command, dir); !errors.Is(err, commandrun.ErrNotRunnable) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check = %v, want ErrNotRunnable saying %q", err, tc.want)
			}
			e := &commandrun.Executor{Command: tc.command, Dir: dir, StudyDir: t.TempDir()}
			if res := execute(t, e, trial.Params{}); res.State != trial.Failed || !strings.Contains(res.Error, tc.want) {
				t.Errorf("result = %s %q, want failed saying %q", res.State, res.Error, tc.want)
			}
		})
	}
}

// TestTimeout: a command that never exits fails with "timeout". The
// assertion is on what happened, not on how long it took.
func TestTimeout(t *testing.T) {
	dir := t.TempDir()
	script(t, dir, "forever.sh", "#!/bin/sh\nwhile :; do sleep 1; done\n")
	e := &commandrun.Executor{Command: []string{"./forever.sh"}, Dir: dir, StudyDir: t.TempDir(), Timeout: 50 * time.Millisecond}
	res := execute(t, e, trial.Params{})
	if res.State != trial.Failed || !strings.Contains(res.Error, "timeout") {
		t.Fatalf("result = %s %q, want failed with timeout", res.State, res.Error)
	}
}

// TestIgnoresSIGTERM: a command that ignores SIGTERM is killed after the
// grace period, with its children. It is stopped once it has said it
// ignores SIGTERM (by cancelling, which stops it as a timeout or a prune
// does), so the test does not race its start.
func TestIgnoresSIGTERM(t *testing.T) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	script(t, dir, "stubborn.sh", `#!/bin/sh
trap '' TERM
sleep 1000 &
echo $! > `+pids+`.tmp
mv `+pids+`.tmp `+pids+`
while :; do sleep 1; done
`)
	e := &commandrun.Executor{Command: []string{"./stubborn.sh"}, Dir: dir, StudyDir: t.TempDir(), Grace: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	go cancelOnceExists(ctx, pids, cancel)
	res, err := e.Execute(ctx, trial.Trial{Number: 2, Params: trial.Params{}})
	if !errors.Is(err, context.Canceled) || res.State != trial.Failed || !strings.Contains(res.Error, "SIGKILL") {
		t.Fatalf("Execute = %s %q, %v; want stopped with SIGKILL after ignoring SIGTERM", res.State, res.Error, err)
	}
	assertGone(t, pids)
}

// cancelOnceExists calls cancel once file exists (or ctx ends).
func cancelOnceExists(ctx context.Context, file string, cancel func()) {
	for ctx.Err() == nil {
		if _, err := os.Stat(file); err == nil {
			cancel()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestNoOrphans: what a command leaves running when it exits is killed.
func TestNoOrphans(t *testing.T) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	script(t, dir, "leaves.sh", `#!/bin/sh
sleep 1000 >/dev/null 2>&1 &
echo $! > `+pids+`
echo '{"score": 1}'
`)
	e := &commandrun.Executor{Command: []string{"./leaves.sh"}, Dir: dir, StudyDir: t.TempDir()}
	if res := execute(t, e, trial.Params{}); res.State != trial.Complete {
		t.Fatalf("result = %s %q", res.State, res.Error)
	}
	assertGone(t, pids)
}

// assertGone waits (up to the hang guard) until every process whose pid
// is listed in file has exited: gone, or a zombie its new parent has yet
// to reap.
func assertGone(tb testing.TB, file string) {
	tb.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range strings.Fields(string(raw)) {
		pid, _ := strconv.Atoi(f)
		deadline := time.Now().Add(hangGuard)
		for alive(pid) {
			if time.Now().After(deadline) {
				syscall.Kill(pid, syscall.SIGKILL)
				tb.Fatalf("process %d outlived its trial", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return !(i >= 0 && i+2 < len(s) && s[i+2] == 'Z')
}

// pruneAt prunes a trial once it reports step at.
type pruneAt struct{ at int64 }

func (p pruneAt) ShouldPrune(_ trial.Trial, steps []trial.Step) bool {
	return steps[len(steps)-1].Step >= p.at
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	script(t, dir, "epochs.py", `#!/usr/bin/python3
import json, subprocess, sys, time
child = subprocess.Popen(["sleep", "1000"])
open("`+pids+`", "w").write(str(child.pid))
step = 0
while True:
    print(json.dumps({"step": step, "score": 1.0 / (step + 1)}), flush=True)
    step += 1
    time.sleep(0.01)
`)
	study := t.TempDir()
	e := &commandrun.Executor{Command: []string{"./epochs.py"}, Dir: dir, StudyDir: study, Pruner: pruneAt{at: 2}}
	res := execute(t, e, trial.Params{})
	if res.State != trial.Pruned || res.Score != 1.0/3 || res.Budget != (trial.Budget{}) {
		t.Fatalf("result = %s score %v budget %+v (%s), want pruned with 1/3, the budget as dispatched", res.State, res.Score, res.Budget, res.Error)
	}
	if len(res.Steps) < 3 || res.Steps[2] != (trial.Step{Step: 2, Value: 1.0 / 3}) {
		t.Errorf("steps = %v", res.Steps)
	}
	if _, err := os.Stat(filepath.Join(study, "trials", "7")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("scratch directory of a pruned trial still there: %v", err)
	}
	assertGone(t, pids)
}

func TestCancel(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	script(t, dir, "slow.sh", "#!/bin/sh\ntouch "+started+"\nwhile :; do sleep 1; done\n")
	e := &commandrun.Executor{Command: []string{"./slow.sh"}, Dir: dir, StudyDir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	go cancelOnceExists(ctx, started, cancel)
	res, err := e.Execute(ctx, trial.Trial{Number: 1, Params: trial.Params{}})
	if !errors.Is(err, context.Canceled) || res.State != trial.Failed {
		t.Fatalf("Execute = %s %q, %v; want failed and context.Canceled", res.State, res.Error, err)
	}
}

func equalSteps(a, b []trial.Step) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
