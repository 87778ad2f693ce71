package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/trial"
)

// lambdaSpec is a study of 200 cheap trials on the emulated Lambda
// backend, three at a time, one per environment. Its space has 240
// configurations: random search runs each at most once.
const lambdaSpec = `name: iris-knn
dataset: iris
model: knn
search: {method: random, max_trials: 200, parallel: 3, seed: 7}
backend: {type: lambda, concurrency: 3}
parameters:
  n_neighbors: {min: 1, max: 60}
  weights: {values: [uniform, distance]}
  p: {values: [1, 2]}
`

var (
	cliOnce sync.Once
	cliBin  string
	cliErr  error
	cliOut  []byte
)

// cli builds cmd/hpsearch once for the tests that run it.
func cli(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds cmd/hpsearch")
	}
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hpsearch-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliBin = filepath.Join(dir, "hpsearch")
		cliOut, cliErr = exec.Command("go", "build", "-o", cliBin, "github.com/hpsearch/hpsearch/cmd/hpsearch").CombinedOutput()
	})
	if cliErr != nil {
		t.Fatalf("build hpsearch: %v\n%s", cliErr, cliOut)
	}
	return cliBin
}

// runCLI runs the CLI to its end with the emulation's environment (which
// TestMain put in this process's) and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(cli(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// startCLI starts the CLI and returns it with a channel that receives its
// exit.
func startCLI(t *testing.T, stderr *bytes.Buffer, args ...string) (*exec.Cmd, <-chan error) {
	t.Helper()
	cmd := exec.Command(cli(t), args...)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd, exited
}

// waitForJournal waits until the journal holds k lines containing what
// (true), or the process exits (false).
func waitForJournal(journal, what string, k int, exited <-chan error) bool {
	for {
		select {
		case <-exited:
			return false
		default:
		}
		if b, err := os.ReadFile(journal); err == nil && bytes.Count(b, []byte(what)) >= k {
			return true
		}
		time.Sleep(time.Millisecond)
	}
}

// waitIdle waits until the emulation runs no invocation and receives no
// new one: the invocations of a killed scheduler run on, as on Lambda,
// and a resume started meanwhile could not know their results. A request
// the killed scheduler sent just before it died is already in the
// router's socket, so its handler is runnable from the start: a second
// with nothing running and nothing received leaves it no room, however
// busy the machine, short of a process starved for a whole second.
func waitIdle(t *testing.T) {
	t.Helper()
	const quiet = 20                            // polls 50ms apart
	deadline := time.Now().Add(3 * time.Minute) // a safety net, not a bound
	last, still := emu.Stats().Invocations, 0
	for still < quiet {
		if time.Now().After(deadline) {
			t.Fatal("the emulation did not become idle")
		}
		time.Sleep(50 * time.Millisecond)
		s := emu.Stats()
		if s.Running == 0 && s.Invocations == last {
			still++
		} else {
			still = 0
		}
		last = s.Invocations
	}
}

type cliSummary struct {
	Dir  string `json:"dir"`
	Best *struct {
		Trial int     `json:"trial"`
		Score float64 `json:"score"`
	} `json:"best"`
	Trials struct {
		Complete, Failed int
	} `json:"trials"`
}

// readJournal returns a study's events.
func readJournal(t *testing.T, study string) []results.Event {
	t.Helper()
	j, err := results.Open(study)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := j.Replay(context.Background())
	if err != nil || len(rp.Warnings) > 0 {
		t.Fatalf("journal: %v %v", err, rp.Warnings)
	}
	return rp.Events
}

// storedAttempts lists the result objects of a study in S3: its attempts
// with a stored result, by trial.
func storedAttempts(t *testing.T, events []results.Event) map[int][]int {
	t.Helper()
	ex := configuredExecutor(t, func(*lambdaexec.Config) {})
	ex.Results = lambdaexec.StudyResults(emu.Bucket, events[0])
	stored, err := ex.StoredResults(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// checkOnceEach asserts that trials 0..n-1 each have exactly one result in
// the journal and one result object in S3, the one journaled, and that no
// trial was dispatched again once its result was journaled or stored by
// an invocation that another one then duplicated.
func checkOnceEach(t *testing.T, events []results.Event, n int) (recovered int) {
	t.Helper()
	byTrial := finalResults(t, events, n)
	done := map[int]bool{}
	for _, e := range events {
		switch e.Type {
		case results.EventDispatch:
			if done[e.Trial.Number] {
				t.Errorf("trial %d dispatched again after its result was journaled", e.Trial.Number)
			}
		case results.EventResult:
			done[e.Result.Number] = true
		}
	}
	stored := storedAttempts(t, events)
	for i := range n {
		r := byTrial[i]
		if r.State != trial.Complete {
			t.Errorf("trial %d: %s %q", i, r.State, r.Error)
		}
		if r.Backend["stored_by_another"] == 1 {
			t.Errorf("trial %d ran again although an earlier run had stored its result", i)
		}
		if want := []int{int(r.Backend["attempt"])}; !slices.Equal(stored[i], want) {
			t.Errorf("trial %d: attempts %v stored in S3, want only the journaled %v", i, stored[i], want)
		}
		if r.Backend["recovered"] == 1 {
			recovered++
		}
	}
	return recovered
}

// TestLambdaKilledAndResumed: a 200-trial study on the emulated Lambda
// backend, its scheduler SIGKILLed at 10 seeded points and resumed each
// time, ends with every trial complete exactly once — in the journal and
// in S3 — and the uninterrupted run's scores.
func TestLambdaKilledAndResumed(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte(lambdaSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "run", spec, "--dir", filepath.Join(dir, "straight"), "--quiet", "--json")
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	var want cliSummary
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}

	runs := filepath.Join(dir, "runs")
	study := filepath.Join(runs, "iris-knn")
	journal := filepath.Join(study, results.JournalFile)
	rng := rand.New(rand.NewPCG(11, 0))
	points := rng.Perm(199)[:10]
	slices.Sort(points)
	killed := 0
	for i, k := range points {
		args := []string{"run", spec, "--dir", runs, "--resume", "--quiet"}
		if i%2 == 1 {
			args = []string{"resume", study, "--quiet"}
		}
		var errBuf bytes.Buffer
		cmd, exited := startCLI(t, &errBuf, args...)
		if waitForJournal(journal, `"type":"result"`, k+1, exited) {
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			killed++
		} else {
			t.Logf("round %d ended before %d results: %s", i, k+1, errBuf.String())
		}
		waitIdle(t)
	}
	if killed < 5 {
		t.Errorf("only %d of 10 kills hit a running study", killed)
	}
	code, out, stderr = runCLI(t, "resume", study, "--json", "--quiet")
	if code != 0 {
		t.Fatalf("final resume: exit %d: %s", code, stderr)
	}
	var got cliSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Trials.Complete != 200 || got.Best == nil || want.Best == nil || *got.Best != *want.Best {
		t.Errorf("resumed: %+v best %+v; uninterrupted: %+v best %+v", got.Trials, got.Best, want.Trials, want.Best)
	}
	events := readJournal(t, study)
	recovered := checkOnceEach(t, events, 200)
	straight := finalResults(t, readJournal(t, want.Dir), 200)
	for n, r := range finalResults(t, events, 200) {
		if r.Score != straight[n].Score || r.Params["n_neighbors"] != straight[n].Params["n_neighbors"] {
			t.Errorf("trial %d: %v %v, uninterrupted %v %v", n, r.Params, r.Score, straight[n].Params, straight[n].Score)
		}
	}
	t.Logf("%d kills; %d trials recovered from S3 on resume", killed, recovered)
}

// TestLostResponseRecoveredOnResume: the worker ran the trials and stored
// their results, but every answer was lost and the scheduler was killed
// while retrying; the resume journals the stored results (the first
// attempt's) and does not run those trials again.
func TestLostResponseRecoveredOnResume(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.yaml")
	text := bytes.Replace([]byte(lambdaSpec), []byte("max_trials: 200"), []byte("max_trials: 6"), 1)
	text = bytes.Replace(text, []byte("concurrency: 3}"), []byte("concurrency: 3, max_retries: 50}"), 1)
	if err := os.WriteFile(spec, text, 0o644); err != nil {
		t.Fatal(err)
	}
	study := filepath.Join(dir, "runs", "iris-knn")
	journal := filepath.Join(study, results.JournalFile)

	emu.SetFaults(everyInvocation{Kind: emulate.DropResponse})
	defer emu.SetFaults(nil)
	var errBuf bytes.Buffer
	cmd, exited := startCLI(t, &errBuf, "run", spec, "--dir", filepath.Join(dir, "runs"), "--quiet")
	if !waitForJournal(journal, `"type":"dispatch"`, 3, exited) {
		t.Fatalf("the run ended early: %s", errBuf.String())
	}
	// Wait for every dispatched trial to have stored a result at least
	// twice (its first attempt, then a retry), so the pick of the first
	// is tested.
	var lost map[int][]int
	for deadline := time.Now().Add(5 * time.Minute); ; { // a safety net, not a bound
		lost = storedAttempts(t, readJournal(t, study))
		if len(lost) == 3 && len(lost[0]) >= 2 && len(lost[1]) >= 2 && len(lost[2]) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored results: %v", lost)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	emu.SetFaults(nil)
	waitIdle(t)
	lost = storedAttempts(t, readJournal(t, study))

	code, _, stderr := runCLI(t, "resume", study, "--quiet")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !bytes.Contains([]byte(stderr), []byte("recovered from S3 the results of 3 trials")) {
		t.Errorf("resume did not say it recovered 3 trials: %s", stderr)
	}
	events := readJournal(t, study)
	byTrial := finalResults(t, events, 6)
	after := storedAttempts(t, events)
	for n := range 6 {
		r := byTrial[n]
		if r.State != trial.Complete {
			t.Errorf("trial %d: %s %q", n, r.State, r.Error)
		}
		if n < 3 {
			if r.Backend["recovered"] != 1 || r.Backend["attempt"] != 1 {
				t.Errorf("trial %d: backend %v, want recovered from attempt 1", n, r.Backend)
			}
			if !slices.Equal(after[n], lost[n]) {
				t.Errorf("trial %d ran again: attempts %v stored before the resume, %v after", n, lost[n], after[n])
			}
		} else if r.Backend["recovered"] == 1 {
			t.Errorf("trial %d was never run but is recovered", n)
		}
	}
	// The recovered scores are the trials' own.
	straight := finalResults(t, runStraight(t, spec), 6)
	for n := range 6 {
		if byTrial[n].Score != straight[n].Score {
			t.Errorf("trial %d: score %v, uninterrupted %v", n, byTrial[n].Score, straight[n].Score)
		}
	}
}

// runStraight runs spec uninterrupted and returns its journal.
func runStraight(t *testing.T, spec string) []results.Event {
	t.Helper()
	code, out, stderr := runCLI(t, "run", spec, "--dir", filepath.Join(t.TempDir(), "straight"), "--quiet", "--json")
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	var s cliSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return readJournal(t, s.Dir)
}
