package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// TestMain removes the binary buildCLI built.
func TestMain(m *testing.M) {
	code := m.Run()
	if cliPath != "" && cliErr == nil {
		os.RemoveAll(filepath.Dir(cliPath))
	}
	os.Exit(code)
}

// buildCLI builds the hpsearch binary once for the tests that run it as a
// process.
func buildCLI(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hpsearch-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "hpsearch")
		if out, err := exec.Command("go", "build", "-o", cliPath, ".").CombinedOutput(); err != nil {
			cliErr = err
			cliPath = string(out)
		}
	})
	if cliErr != nil {
		t.Fatalf("build: %v\n%s", cliErr, cliPath)
	}
	return cliPath
}

// TestInterruptInEveryPhase interrupts each phase before the scheduler's
// (spec, dataset, backend, reading a study) while it is stalled the way a
// loader blocked on an endless file is, ignoring cancellation
// (EnvTestStall): the process exits 130 at once and leaves no study
// directory, and a resumed study's files as they were.
func TestInterruptInEveryPhase(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", "name: s\ndataset: iris\nmodel: knn\nsearch: {method: random, max_trials: 2, parallel: 1, seed: 1}\nparameters: {n_neighbors: {min: 1, max: 30}}\n")
	existing := filepath.Join(dir, "existing")
	if code, _, stderr := run(t, "run", spec, "--dir", existing, "--quiet"); code != 0 {
		t.Fatalf("setup run: exit %d: %s", code, stderr)
	}
	study := filepath.Join(existing, "s")
	before := studyFiles(t, study)

	for _, tt := range []struct {
		name, phase string
		sig         syscall.Signal
		args        []string
	}{
		{"run reading the spec", phaseSpec, syscall.SIGINT, []string{"run", spec, "--dir", filepath.Join(dir, "runs")}},
		{"run loading the dataset", phaseDataset, syscall.SIGINT, []string{"run", spec, "--dir", filepath.Join(dir, "runs")}},
		{"run loading the dataset, SIGTERM", phaseDataset, syscall.SIGTERM, []string{"run", spec, "--dir", filepath.Join(dir, "runs")}},
		{"run preparing the backend", phaseBackend, syscall.SIGINT, []string{"run", spec, "--dir", filepath.Join(dir, "runs")}},
		{"compare preparing the backend", phaseBackend, syscall.SIGINT, []string{"compare", spec, "--dir", filepath.Join(dir, "runs")}},
		{"validate loading the dataset", phaseDataset, syscall.SIGINT, []string{"validate", spec}},
		{"resume reading the spec", phaseSpec, syscall.SIGINT, []string{"resume", study, "--max-trials", "4"}},
		{"resume preparing the backend", phaseBackend, syscall.SIGTERM, []string{"resume", study, "--max-trials", "4"}},
		{"leaderboard reading the study", phaseStudy, syscall.SIGINT, []string{"leaderboard", study}},
		{"datasets push loading the dataset", phaseDataset, syscall.SIGINT, []string{"datasets", "push", "iris", "--bucket", "bkt", "--region", "us-east-1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Env = append(os.Environ(), EnvTestStall+"="+tt.phase)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the process says it is in the phase: no sleep
			// that a slow machine could outlast.
			var rest bytes.Buffer
			stalled := make(chan bool, 1)
			copied := make(chan struct{})
			go func() {
				defer close(copied)
				sc := bufio.NewScanner(stderr)
				seen := false
				for sc.Scan() {
					if !seen && strings.Contains(sc.Text(), "stalling in "+tt.phase) {
						seen = true
						stalled <- true
						continue
					}
					rest.WriteString(sc.Text() + "\n")
				}
				if !seen {
					stalled <- false
				}
			}()
			if !<-stalled {
				<-copied
				cmd.Wait()
				t.Fatalf("the process never reached phase %s; stderr:\n%s", tt.phase, rest.String())
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			// The stalled phase never returns: only honouring the signal
			// ends the process. Fail rather than hang if it does not.
			waited := make(chan error, 1)
			go func() { <-copied; waited <- cmd.Wait() }()
			var werr error
			select {
			case werr = <-waited:
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("%v ignored in phase %s", tt.sig, tt.phase)
			}
			if ee, ok := werr.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
				t.Fatalf("exit: %v, want 130; stderr:\n%s", werr, rest.String())
			}
			if want := "interrupted while " + phaseDoing[tt.phase]; !strings.Contains(rest.String(), want) {
				t.Errorf("stderr %q does not say %q", rest.String(), want)
			}
			if _, err := os.Stat(filepath.Join(dir, "runs")); !os.IsNotExist(err) {
				t.Errorf("the interrupted command left %s: %v", filepath.Join(dir, "runs"), err)
			}
			if after := studyFiles(t, study); !equalFiles(before, after) {
				t.Errorf("the interrupted command changed the study:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// studyFiles returns the contents of the files in a study directory.
func studyFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	// Every file, those of the model/ a study ends in too.
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func equalFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// interruptible returns f's result, or an interruption naming the phase
// as soon as ctx is done, whether f honours ctx or not.
func TestInterruptible(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	for _, tt := range []struct {
		name        string
		cancelFirst bool
		f           func(ctx context.Context) (int, error)
		want        int
		wantErr     error
	}{
		{"done", false, func(context.Context) (int, error) { return 7, nil }, 7, nil},
		{"its own error", false, func(context.Context) (int, error) { return 0, trial.ErrBadInput }, 0, trial.ErrBadInput},
		{"cancelled before it starts", true, func(context.Context) (int, error) { return 7, nil }, 0, trial.ErrInterrupted},
		{"ignores the cancellation", false, func(context.Context) (int, error) { <-block; return 7, nil }, 0, trial.ErrInterrupted},
		{"reports the cancellation in its own words", false, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, errors.New("read: operation aborted")
		}, 0, trial.ErrInterrupted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelFirst {
				cancel()
			}
			started := make(chan struct{})
			go func() {
				<-started
				if tt.wantErr == trial.ErrInterrupted {
					cancel()
				}
			}()
			got, err := interruptible(ctx, phaseDataset, func(ctx context.Context) (int, error) {
				close(started)
				return tt.f(ctx)
			})
			if tt.cancelFirst {
				close(started) // f never ran
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
			if tt.wantErr == trial.ErrInterrupted && !strings.Contains(err.Error(), "interrupted while loading the dataset") {
				t.Errorf("err %q does not say the phase", err)
			}
		})
	}
}
