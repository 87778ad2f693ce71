package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/trial"
)

// outageSpec is a study of 30 cheap trials on the Lambda backend, two at
// a time; OUTAGE is replaced by its backend.outage_timeout.
const outageSpec = `name: iris-outage
dataset: iris
model: knn
search: {method: random, max_trials: 30, parallel: 2, seed: 5}
backend: {type: lambda, concurrency: 2, outage_timeout: OUTAGE}
parameters:
  n_neighbors: {min: 1, max: 40}
  weights: {values: [uniform, distance]}
`

// outageTrials is outageSpec's max_trials; outageAt is how many results
// the journal holds when the emulation is stopped.
const (
	outageTrials = 30
	outageAt     = 8
)

// stoppable is an emulation of its own, which a test stops and starts
// again on the same addresses and directory, as an endpoint that goes
// away and comes back (the shared one serves the other tests).
type stoppable struct {
	opts emulate.Options
	emu  *emulate.Emulation
}

// newStoppable starts an emulation on fixed loopback addresses over dir.
func newStoppable(t *testing.T, dir string) *stoppable {
	t.Helper()
	// The worker TestMain built sits beside the shared emulation's
	// directory; build one if it moved.
	bootstrap := filepath.Join(filepath.Dir(emu.Dir), "bootstrap")
	if _, err := os.Stat(bootstrap); err != nil {
		bootstrap = filepath.Join(t.TempDir(), "bootstrap")
		if err := emulate.BuildWorker(context.Background(), "./cmd/worker", bootstrap, ""); err != nil {
			t.Fatal(err)
		}
	}
	s := &stoppable{opts: emulate.Options{Workers: 2, Dir: dir, Bootstrap: bootstrap, Memory: memoryMB,
		Timeout: time.Minute, LambdaAddr: freeAddr(t), S3Addr: freeAddr(t)}}
	s.start(t)
	t.Cleanup(func() { s.stop() })
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *stoppable) start(t *testing.T) {
	t.Helper()
	e, err := emulate.Start(context.Background(), s.opts)
	if err != nil {
		t.Fatalf("start the emulation: %v", err)
	}
	s.emu = e
}

func (s *stoppable) stop() {
	if s.emu != nil {
		s.emu.Close()
		s.emu = nil
	}
}

// env is the CLI's environment pointed at this emulation: its variables
// come last, so they win over the shared emulation's.
func (s *stoppable) env() []string { return append(os.Environ(), s.emu.Env()...) }

// syncBuffer is a bytes.Buffer that a test reads while a process writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// outageCLI starts the CLI against s and returns it with its output and a
// channel that receives its exit.
func outageCLI(t *testing.T, s *stoppable, args ...string) (stdout, stderr *syncBuffer, exited <-chan error) {
	t.Helper()
	cmd := exec.Command(cli(t), args...)
	cmd.Env = s.env()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return stdout, stderr, done
}

// waitForText waits until what appears in out, or the process exits
// (false).
func waitForText(out *syncBuffer, what string, exited <-chan error) bool {
	for !strings.Contains(out.String(), what) {
		select {
		case <-exited:
			return strings.Contains(out.String(), what)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

// outageStudy writes outageSpec with the given outage timeout and starts
// it against s, then stops s once the journal holds outageAt results and
// waits until the scheduler has met the outage. It returns the study's
// directory, its output and its exit.
func outageStudy(t *testing.T, s *stoppable, dir, timeout string) (study string, stdout, stderr *syncBuffer, exited <-chan error) {
	t.Helper()
	spec := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(spec, []byte(strings.Replace(outageSpec, "OUTAGE", timeout, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, "runs")
	study = filepath.Join(runs, "iris-outage")
	stdout, stderr, exited = outageCLI(t, s, "run", spec, "--dir", runs, "--quiet", "--json")
	if !waitForJournal(filepath.Join(study, results.JournalFile), `"type":"result"`, outageAt, exited) {
		t.Fatalf("the study ended before %d results: %s", outageAt, stderr.String())
	}
	s.stop()
	if !waitForText(stderr, "backend unavailable", exited) {
		t.Fatalf("the study never met the outage: %s", stderr.String())
	}
	return study, stdout, stderr, exited
}

// exitOf returns a process's exit code.
func exitOf(t *testing.T, err error) int {
	t.Helper()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// checkNothingLost asserts that trials 0..n-1 each have exactly one
// result in the journal, complete: none failed because of the outage, none
// counted twice.
func checkNothingLost(t *testing.T, events []results.Event, n int) {
	t.Helper()
	for num, r := range finalResults(t, events, n) {
		if r.State != trial.Complete {
			t.Errorf("trial %d: %s %q", num, r.State, r.Error)
		}
	}
	if got := len(results.Results(events)); got != n {
		t.Errorf("%d results in the journal, want %d", got, n)
	}
}

// TestOutageEmulationRestarted: the Lambda emulation (function and S3)
// stops in the middle of a study and starts again. The study pauses
// while it is gone, goes on when it is back and ends with every trial
// complete exactly once: nothing final lost, nothing counted twice.
func TestOutageEmulationRestarted(t *testing.T) {
	dir := t.TempDir()
	s := newStoppable(t, filepath.Join(dir, "emulation"))
	// The backend provably comes back: the timeout only bounds a hang.
	study, stdout, stderr, exited := outageStudy(t, s, dir, "10m")
	s.start(t)
	if code := exitOf(t, <-exited); code != 0 {
		t.Fatalf("exit %d, want 0: %s", code, stderr.String())
	}
	var sum cliSummary
	if err := json.Unmarshal([]byte(stdout.String()), &sum); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if sum.Trials.Complete != outageTrials || sum.Trials.Failed != 0 {
		t.Errorf("trials %+v, want %d complete and none failed", sum.Trials, outageTrials)
	}
	if !strings.Contains(stderr.String(), "backend available again") {
		t.Errorf("stderr does not say the backend came back: %s", stderr.String())
	}
	logOutage(t, stderr)
	events := readJournal(t, study)
	checkNothingLost(t, events, outageTrials)
	if last := events[len(events)-1]; last.Type != results.EventStop || last.Reason != "max_trials" {
		t.Errorf("journal ends with %+v, want stop max_trials", last)
	}
}

// TestOutageEmulationGone: the emulation stops for good. After the
// outage timeout the study stops as interrupted, exit 1, with the trials
// that met the outage in flight in the journal and none failed; resuming
// once the emulation is back runs them and finishes the study with every
// trial complete exactly once.
func TestOutageEmulationGone(t *testing.T) {
	dir := t.TempDir()
	s := newStoppable(t, filepath.Join(dir, "emulation"))
	// Short: the backend provably never comes back while this runs.
	study, _, stderr, exited := outageStudy(t, s, dir, `"2s"`)
	if code := exitOf(t, <-exited); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "outage_timeout") {
		t.Errorf("stderr does not name backend.outage_timeout: %s", stderr.String())
	}
	logOutage(t, stderr)
	events := readJournal(t, study)
	if last := events[len(events)-1]; last.Type != results.EventStop || last.Reason != "interrupted" {
		t.Errorf("journal ends with %+v, want stop interrupted", last)
	}
	sum := results.Summarize(events, trial.Maximize)
	if sum.Running == 0 || sum.Failed != 0 || sum.Complete+sum.Running != sum.Dispatched {
		t.Errorf("journal after the outage: %+v; want trials in flight and none failed", sum)
	}

	s.start(t)
	_, stderr, exited = outageCLI(t, s, "resume", study, "--quiet", "--json")
	if code := exitOf(t, <-exited); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr.String())
	}
	checkNothingLost(t, readJournal(t, study), outageTrials)
}

// logOutage logs what the CLI said about the outage.
func logOutage(t *testing.T, stderr *syncBuffer) {
	t.Helper()
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "backend") {
			t.Log(l)
		}
	}
}
