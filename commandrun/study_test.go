//go:build unix

package commandrun_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// curveScript reports ten intermediate values x·(step+1) and the result
// 10·x. While the file named by $BLOCK exists, trial 3 instead says it
// was reached and sleeps until killed.
const curveScript = `#!/usr/bin/python3
import json, os, sys, time
x = json.load(sys.stdin)["x"]
block = os.environ.get("BLOCK", "")
if os.environ["HPSEARCH_TRIAL"] == "3" and block and os.path.exists(block):
    open(block + ".reached", "w").close()
    while True:
        time.sleep(1)
for step in range(10):
    print(json.dumps({"step": step, "score": x * (step + 1)}), flush=True)
print(json.dumps({"score": 10 * x}))
`

const curveSpec = `name: curve
command: [./curve.py]
direction: maximize
early_stopping: {type: median, budget: step, min: 2}
search: {method: random, max_trials: 12, parallel: 1, seed: 7}
parameters:
  x: {min: 0.0, max: 1.0}
`

// runCurveStudy runs curveSpec with its script in scriptDir, journaling
// to store, continuing prior when it is not nil.
func runCurveStudy(ctx context.Context, tb testing.TB, scriptDir, studyDir string, store results.Store, prior []results.Event) (scheduler.Outcome, error) {
	tb.Helper()
	spec, err := search.Parse(strings.NewReader(curveSpec), "curve.yaml", nil)
	if err != nil {
		tb.Fatal(err)
	}
	base, err := search.NewSampler(spec)
	if err != nil {
		tb.Fatal(err)
	}
	pruner, err := search.NewPruner(spec)
	if err != nil {
		tb.Fatal(err)
	}
	sampler := scheduler.NewPruning(base, pruner)
	exec := &commandrun.Executor{Command: spec.Command, Dir: scriptDir, StudyDir: studyDir, Pruner: sampler, Timeout: hangGuard}
	return scheduler.Run(ctx, scheduler.Config{
		Sampler: sampler, Executor: exec, Store: store, Parallel: spec.Search.Parallel,
		MaxTrials: spec.Search.MaxTrials, Direction: spec.Direction, Prior: prior,
		Seed: func(n int) uint64 { return search.TrialSeed(spec.Search.Seed, n) },
	})
}

// TestStudyPrunes: a command study under median pruning prunes the
// trials whose curves fall below the median, journals every trial's
// intermediate values, and gives the same trials and scores when run
// again with the same seed.
func TestStudyPrunes(t *testing.T) {
	scripts := t.TempDir()
	script(t, scripts, "curve.py", curveScript)
	var runs [2][]trial.Result
	for i := range runs {
		store := results.NewMemory()
		out, err := runCurveStudy(context.Background(), t, scripts, t.TempDir(), store, nil)
		if err != nil {
			t.Fatal(err)
		}
		if out.Complete+out.Pruned != 12 || out.Pruned == 0 || out.Complete == 0 {
			t.Fatalf("run %d: %d complete, %d pruned, %d failed; want 12 with some pruned", i, out.Complete, out.Pruned, out.Failed)
		}
		runs[i] = out.Results
	}
	for i, r := range runs[0] {
		o := runs[1][i]
		if r.Number != o.Number || r.State != o.State || r.Score != o.Score || len(r.Steps) != len(o.Steps) {
			t.Errorf("trial %d: %s %v (%d steps), then %s %v (%d steps)", r.Number, r.State, r.Score, len(r.Steps), o.State, o.Score, len(o.Steps))
		}
	}
	// Every pruned trial was below the median of the finished trials
	// before it at its last step; every complete one reported 10 steps.
	for i, r := range runs[0] {
		last := r.Steps[len(r.Steps)-1]
		switch r.State {
		case trial.Complete:
			if len(r.Steps) != 10 {
				t.Errorf("complete trial %d has %d steps", r.Number, len(r.Steps))
			}
		case trial.Pruned:
			var before []float64
			for _, p := range runs[0][:i] {
				for _, s := range p.Steps {
					if s.Step == last.Step {
						before = append(before, s.Value)
					}
				}
			}
			if last.Step < 2 || len(before) == 0 || !belowMedian(last.Value, before) || r.Score != last.Value {
				t.Errorf("trial %d pruned at step %d with %v; others there: %v", r.Number, last.Step, last.Value, before)
			}
		}
	}
}

func belowMedian(v float64, vs []float64) bool {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return v < med
}

// TestResumeAfterSIGKILL: a command study whose process is killed with
// SIGKILL mid-trial resumes from its journal, runs the trial that was in
// flight again, and ends with the same trials and scores as a study that
// was never interrupted.
func TestResumeAfterSIGKILL(t *testing.T) {
	if os.Getenv("HPSEARCH_STUDY_HELPER") != "" {
		return // run by the helper process
	}
	scripts := t.TempDir()
	script(t, scripts, "curve.py", curveScript)
	block := filepath.Join(t.TempDir(), "block")
	if err := os.WriteFile(block, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStudyHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "HPSEARCH_STUDY_HELPER="+parent, "HPSEARCH_SCRIPTS="+scripts, "BLOCK="+block)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, block+".reached", cmd)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	os.Remove(block)

	studyDir := filepath.Join(parent, "curve")
	j, rp, err := results.Reopen(context.Background(), studyDir)
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v\nhelper output:\n%s", err, out.String())
	}
	plan := scheduler.PlanResume(rp.Events, trial.Maximize)
	// Trial 3 was running; its dispatch may not have been durable yet
	// (see scheduler.Run), and then it is simply asked for again.
	if len(plan.Rerun) > 1 || len(plan.Rerun) == 1 && plan.Rerun[0].Number != 3 || plan.Next > 4 {
		t.Fatalf("in flight at the kill: %+v, next %d; want trial 3 at most", plan.Rerun, plan.Next)
	}
	resumed, err := runCurveStudy(context.Background(), t, scripts, studyDir, j, rp.Events)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()

	whole, err := runCurveStudy(context.Background(), t, scripts, t.TempDir(), results.NewMemory(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, want := byNumber(resumed.Results), byNumber(whole.Results)
	if len(got) != 12 || len(want) != 12 {
		t.Fatalf("resumed study has %d trials, uninterrupted %d; want 12", len(got), len(want))
	}
	for n, w := range want {
		g := got[n]
		if g.State != w.State || g.Score != w.Score || fmt.Sprint(g.Params) != fmt.Sprint(w.Params) {
			t.Errorf("trial %d: resumed %s %v %v, uninterrupted %s %v %v", n, g.State, g.Score, g.Params, w.State, w.Score, w.Params)
		}
	}
}

// TestStudyHelperProcess is the study TestResumeAfterSIGKILL kills; it
// does nothing in a normal test run.
func TestStudyHelperProcess(t *testing.T) {
	parent := os.Getenv("HPSEARCH_STUDY_HELPER")
	if parent == "" {
		t.Skip("helper process of TestResumeAfterSIGKILL")
	}
	j, err := results.Create(parent, "curve", []byte(curveSpec), []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = runCurveStudy(context.Background(), t, os.Getenv("HPSEARCH_SCRIPTS"), j.Dir(), j, nil)
	t.Fatalf("the study ended (%v) before it was killed", err)
}

// waitFor waits until file exists, failing if cmd exits first or the
// hang guard passes.
func waitFor(tb testing.TB, file string, cmd *exec.Cmd) {
	tb.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		if _, err := os.Stat(file); err == nil {
			return
		}
		if cmd.ProcessState != nil || time.Now().After(deadline) {
			cmd.Process.Kill()
			tb.Fatalf("%s never appeared", file)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func byNumber(rs []trial.Result) map[int]trial.Result {
	m := map[int]trial.Result{}
	for _, r := range rs {
		m[r.Number] = r
	}
	return m
}
