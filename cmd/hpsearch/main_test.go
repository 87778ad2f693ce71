package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
)

// run runs the CLI in-process and returns its exit code, stdout and stderr.
func run(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), &env{stdout: &out, stderr: &errOut}, args)
	return code, out.String(), errOut.String()
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunPrintsOutcomeAndLeaderboard(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--json", "--max-trials", "6", "--parallel", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got runSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if got.Study != "digits-knn-grid" || got.Metric != "accuracy" || got.Direction != "maximize" {
		t.Errorf("summary header = %+v", got)
	}
	if got.Trials.Complete != 6 || got.Trials.Failed != 0 {
		t.Errorf("trials = %+v, want 6 complete", got.Trials)
	}
	if got.Best == nil || got.Best.Model != "knn" || got.Best.Score < 0.95 {
		t.Fatalf("best = %+v, want knn above 0.95", got.Best)
	}

	code, out, stderr = run(t, "leaderboard", got.Dir, "--format", "json")
	if code != 0 {
		t.Fatalf("leaderboard exit %d: %s", code, stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("leaderboard has %d rows, want 6", len(rows))
	}
	if int(rows[0]["trial"].(float64)) != got.Best.Trial || rows[0]["score"].(float64) != got.Best.Score {
		t.Errorf("leaderboard's first row %v is not the best trial %+v", rows[0], got.Best)
	}
	for _, k := range []string{"trial", "state", "model", "params", "score", "seconds"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("leaderboard row lacks %q: %v", k, rows[0])
		}
	}

	// The same seed gives the same trials and scores, whatever parallel is.
	code, out, stderr = run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--name", "again", "--json", "--max-trials", "6", "--parallel", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var again runSummary
	json.Unmarshal([]byte(out), &again)
	if again.Best == nil || again.Best.Score != got.Best.Score || again.Best.Trial != got.Best.Trial {
		t.Errorf("parallel 1 best %+v, parallel 2 best %+v", again.Best, got.Best)
	}

	// A study directory that exists is refused, and left as it was.
	before, _ := os.ReadFile(filepath.Join(got.Dir, results.JournalFile))
	code, _, stderr = run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir)
	if code != 2 || !strings.Contains(stderr, "--dir") {
		t.Errorf("existing study: exit %d, stderr %q; want 2 and a hint", code, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(got.Dir, results.JournalFile))
	if !bytes.Equal(before, after) {
		t.Error("refused run changed the existing journal")
	}
}

func TestBadSpecsExit2WithLineAndCreateNothing(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, dir, "data.csv", "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
	ragged := writeFile(t, dir, "ragged.csv", "a,b,label\n1,2,x\n3,y\n")
	for _, tt := range []struct {
		name, spec, want string
	}{
		{"missing dataset file", "name: s\ndataset: nope.csv\nmodel: knn\n", "spec.yaml:2: dataset"},
		{"target not in header", "name: s\ndataset: " + csv + "\ntarget: labl\nmodel: knn\n", "spec.yaml:3: target"},
		{"ragged csv", "name: s\ndataset: " + ragged + "\nmodel: knn\n", "ragged.csv:3"},
		{"too few rows per class", "name: s\ndataset: " + csv + "\nmodel: knn\ncv: {folds: 5}\n", "spec.yaml:4: cv"},
		{"unknown model", "name: s\ndataset: iris\nmodel: knnn\n", "spec.yaml:3: model"},
		{"metric for other task", "name: s\ndataset: iris\nmodel: knn\nmetric: rmse\n", "spec.yaml:4: metric"},
		{"unknown key", "name: s\ndataset: iris\nmodel: knn\nparalel: 2\n", "spec.yaml:4"},
		{"n_neighbors above the training fold", "name: s\ndataset: iris\nmodel: knn\nparameters:\n  n_neighbors: {min: 1, max: 500}\n", "spec.yaml:5: parameters.n_neighbors: n_neighbors 500 is larger than the 120 rows"},
		{"bad categorical value", "name: s\ndataset: iris\nmodel: knn\nparameters:\n  weights: {values: [uniformm]}\n", "spec.yaml:5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec := writeFile(t, dir, "spec.yaml", tt.spec)
			runs := filepath.Join(dir, "runs")
			code, _, stderr := run(t, "run", spec, "--dir", runs)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.want)
			}
			if _, err := os.Stat(filepath.Join(runs, "s")); !os.IsNotExist(err) {
				t.Errorf("a study directory was created: %v", err)
			}
		})
	}
}

func TestValidateModelsDatasetsHelp(t *testing.T) {
	code, out, _ := run(t, "validate", "../../examples/branin-sobol.yaml")
	if code != 0 || !strings.Contains(out, "continuous") {
		t.Errorf("validate branin: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "validate", "../../examples/digits-knn-grid.yaml")
	if code != 0 || !strings.Contains(out, "30 points") {
		t.Errorf("validate knn grid: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "models", "knn")
	if code != 0 || !strings.Contains(out, "n_neighbors") || !strings.Contains(out, "uniform|distance") {
		t.Errorf("models knn: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "datasets")
	if code != 0 || !strings.Contains(out, "digits") || !strings.Contains(out, "diabetes") {
		t.Errorf("datasets: exit %d\n%s", code, out)
	}
	for _, c := range newRootCmd(&env{}).Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue // cobra's own
		}
		code, out, _ = run(t, c.Name(), "--help")
		if code != 0 || !strings.Contains(out, "Example") {
			t.Errorf("%s --help: exit %d, no example:\n%s", c.Name(), code, out)
		}
	}
	if code, _, _ := run(t, "nosuch"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
}

// Ctrl-C stops dispatching, leaves a consistent journal and exits 130.
func TestInterruptExits130(t *testing.T) {
	bin := buildCLI(t)
	dir := t.TempDir()
	spec := writeFile(t, dir, "slow.yaml", `name: slow
dataset: digits
model: random_forest
search: {method: random, max_trials: 500, parallel: 2, seed: 1}
parameters:
  n_estimators: {min: 50, max: 100}
`)
	cmd := exec.Command(bin, "run", spec, "--dir", dir, "--quiet")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(dir, "slow", results.JournalFile)
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(journal)
		if bytes.Contains(b, []byte(`"type":"result"`)) {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no trial finished within 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want 130; stderr %s", err, stderr.String())
	}
	if want := "hpsearch resume " + filepath.Join(dir, "slow") + "\n"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
	}
	j, err := results.Open(filepath.Join(dir, "slow"))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := j.Replay(context.Background())
	if err != nil || len(rp.Warnings) > 0 {
		t.Fatalf("journal after interrupt: %v %v", err, rp.Warnings)
	}
	sum := results.Summarize(rp.Events, "maximize")
	if sum.StopReason != "interrupted" {
		t.Errorf("stop reason %q, want interrupted", sum.StopReason)
	}
	if sum.Complete == 0 || sum.Complete+sum.Failed+sum.Running != sum.Dispatched {
		t.Errorf("inconsistent journal: %+v", sum)
	}
	if sum.Complete+sum.Failed >= 500 {
		t.Errorf("all trials ran despite the interrupt")
	}
}

// run --estimate runs a short calibration, prints the expected wall time
// and cost, and creates no study.
func TestRunEstimate(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", dir, "--estimate", "--calibrate", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"30 trials, from a calibration of 2 trials", "wall time", "cost"} {
		if !strings.Contains(out, want) {
			t.Errorf("estimate lacks %q:\n%s", want, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--estimate created %v", entries)
	}
	code, out, stderr = run(t, "validate", "../../examples/digits-knn-grid.yaml", "--estimate", "--calibrate", "2")
	if code != 0 || !strings.Contains(out, "30 points") || !strings.Contains(out, "wall time") {
		t.Errorf("validate --estimate: exit %d: %s\n%s", code, stderr, out)
	}
}
