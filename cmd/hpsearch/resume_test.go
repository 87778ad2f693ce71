package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
)

// Specs of 200 cheap trials (a few milliseconds each, one at a time), so
// that a study takes about a second: long enough to kill it mid-run.
const (
	randomSpec = `name: forest
dataset: iris
model: random_forest
search: {method: random, max_trials: 200, parallel: 1, seed: 7}
parameters:
  n_estimators: {min: 40, max: 80}
  max_depth: {min: 2, max: 6}
`
	gridSpec = `name: forest
dataset: iris
model: random_forest
search: {method: grid, parallel: 1, seed: 7}
parameters:
  n_estimators: {values: [40, 50, 60, 70, 80]}
  max_depth: {min: 1, max: 8}
  max_features: {values: [0.25, 0.5, 0.75, 1.0, sqrt]}
`
)

// TestResume builds the CLI once and runs the resume scenarios on it.
func TestResume(t *testing.T) {
	bin := buildCLI(t)
	t.Run("KilledTenTimesRandom", func(t *testing.T) { testKilledAndResumed(t, bin, randomSpec, 1) })
	t.Run("KilledTenTimesGrid", func(t *testing.T) { testKilledAndResumed(t, bin, gridSpec, 2) })
	t.Run("SecondSchedulerRefusedStaleLockTakenOver", func(t *testing.T) { testTwoSchedulers(t, bin) })
}

// testKilledAndResumed runs a 200-trial study, SIGKILLs it at 10 random
// points (after k results are in its journal) and resumes it each time
// until it finishes; then checks it ran every trial to exactly one result,
// never dispatched a trial again once its result was journaled, and has
// the uninterrupted study's trials and scores.
func testKilledAndResumed(t *testing.T, bin, specText string, seed uint64) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", specText)
	code, out, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "straight"), "--quiet", "--json")
	if code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	var want runSummary
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}

	runs := filepath.Join(dir, "runs")
	study := filepath.Join(runs, "forest")
	journal := filepath.Join(study, results.JournalFile)
	rng := rand.New(rand.NewPCG(seed, 0))
	points := rng.Perm(199)[:10]
	slices.Sort(points)
	killed := 0
	for i, k := range points {
		k++ // after 1..199 results
		// Alternate the two ways of resuming; the first round creates
		// the study, which run --resume does when it does not exist.
		args := []string{"run", spec, "--dir", runs, "--resume", "--quiet"}
		if i%2 == 1 {
			args = []string{"resume", study, "--quiet"}
		}
		cmd := exec.Command(bin, args...)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if waitForResults(journal, k, exited) {
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			killed++
			continue
		}
		// It finished before reaching k results: only possible if an
		// earlier kill came late, past k.
		t.Logf("round %d ended before %d results: %s", i, k, errBuf.String())
	}
	if killed < 5 {
		t.Errorf("only %d of 10 kills hit a running study", killed)
	}
	code, out, stderr = run(t, "resume", study, "--json", "--quiet")
	if code != 0 {
		t.Fatalf("final resume: exit %d: %s", code, stderr)
	}
	var got runSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Trials.Complete != 200 || got.Best == nil || want.Best == nil ||
		got.Best.Trial != want.Best.Trial || got.Best.Score != want.Best.Score {
		t.Errorf("resumed: %+v best %+v; uninterrupted: %+v best %+v", got.Trials, got.Best, want.Trials, want.Best)
	}
	checkExactlyOnce(t, journal, 200)
	if a, b := scoresByTrial(t, study), scoresByTrial(t, want.Dir); !maps2Equal(a, b) {
		t.Errorf("scores by trial differ from the uninterrupted run's:\n%v\n%v", a, b)
	}
	// Resuming a finished study runs nothing and prints its leaderboard.
	before, _ := os.ReadFile(journal)
	code, out, stderr = run(t, "resume", study)
	after, _ := os.ReadFile(journal)
	if code != 0 || !strings.Contains(out, "RANK") || !strings.Contains(stderr, "nothing left") || !bytes.Equal(before, after) {
		t.Errorf("resume of a finished study: exit %d, journal changed %v\n%s\n%s", code, !bytes.Equal(before, after), out, stderr)
	}
}

// waitForResults waits until the journal holds k results (true) or the
// process exits (false).
func waitForResults(journal string, k int, exited <-chan error) bool {
	for {
		select {
		case err := <-exited:
			_ = err
			return false
		default:
		}
		if b, err := os.ReadFile(journal); err == nil && bytes.Count(b, []byte(`"type":"result"`)) >= k {
			return true
		}
		time.Sleep(time.Millisecond)
	}
}

// checkExactlyOnce asserts that trials 0..n-1 each have one result, and
// that no trial was dispatched again after its result was journaled.
func checkExactlyOnce(t *testing.T, journal string, n int) {
	t.Helper()
	j, err := results.Open(filepath.Dir(journal))
	if err != nil {
		t.Fatal(err)
	}
	rp, err := j.Replay(context.Background())
	if err != nil || len(rp.Warnings) > 0 {
		t.Fatalf("journal: %v %v", err, rp.Warnings)
	}
	final := map[int]int{}
	reruns := 0
	for _, e := range rp.Events {
		switch e.Type {
		case results.EventDispatch:
			if final[e.Trial.Number] > 0 {
				t.Errorf("trial %d dispatched again after its result was journaled", e.Trial.Number)
			}
			if e.Trial.Attempt > 1 {
				reruns++
			}
		case results.EventResult:
			final[e.Result.Number]++
		}
	}
	for i := range n {
		if final[i] != 1 {
			t.Errorf("trial %d has %d results, want 1", i, final[i])
		}
	}
	if len(final) != n {
		t.Errorf("%d trials have results, want %d", len(final), n)
	}
	t.Logf("%d trials ran again after a kill", reruns)
}

func scoresByTrial(t *testing.T, study string) map[int]float64 {
	t.Helper()
	code, out, stderr := run(t, "leaderboard", study, "--format", "json", "--top", "0")
	if code != 0 {
		t.Fatalf("leaderboard: %s", stderr)
	}
	var rows []struct {
		Trial int     `json:"trial"`
		Score float64 `json:"score"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	m := map[int]float64{}
	for _, r := range rows {
		m[r.Trial] = r.Score
	}
	return m
}

func maps2Equal(a, b map[int]float64) bool {
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

// testTwoSchedulers: while one process runs a study, a second is refused
// naming it; once it is killed, its LOCK is stale and is taken over.
func testTwoSchedulers(t *testing.T, bin string) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", randomSpec)
	runs := filepath.Join(dir, "runs")
	study := filepath.Join(runs, "forest")
	cmd := exec.Command(bin, "run", spec, "--dir", runs, "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	alive := true
	defer func() {
		if alive {
			cmd.Process.Kill()
			<-exited
		}
	}()
	if !waitForResults(filepath.Join(study, results.JournalFile), 1, exited) {
		t.Fatal("the first scheduler exited early")
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	for _, args := range [][]string{{"resume", study}, {"run", spec, "--dir", runs, "--resume"}} {
		code, _, stderr := run(t, args...)
		if code != 1 || !strings.Contains(stderr, "in use by pid "+pid) {
			t.Errorf("%v while another runs it: exit %d, want 1 naming pid %s: %s", args, code, pid, stderr)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	alive = false
	if _, err := os.Stat(filepath.Join(study, results.LockFile)); err != nil {
		t.Fatalf("a killed scheduler leaves its LOCK: %v", err)
	}
	code, out, stderr := run(t, "resume", study, "--max-trials", "40", "--json")
	if code != 0 || !strings.Contains(stderr, "taking the study over from pid "+pid) {
		t.Fatalf("resume after the owner died: exit %d: %s", code, stderr)
	}
	var got runSummary
	json.Unmarshal([]byte(out), &got)
	if got.Trials.Complete != 40 {
		t.Errorf("resumed with --max-trials 40: %+v", got.Trials)
	}
	if _, err := os.Stat(filepath.Join(study, results.LockFile)); !os.IsNotExist(err) {
		t.Errorf("LOCK left after the resume finished: %v", err)
	}
}

// TestResumeRefusals: a directory that is not a study, a spec that
// changes the search, and a journal damaged in the middle are refused
// with a clear message, and nothing in the study changes.
func TestResumeRefusals(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", randomSpec)
	runs := filepath.Join(dir, "runs")
	study := filepath.Join(runs, "forest")
	journal := filepath.Join(study, results.JournalFile)
	if code, _, stderr := run(t, "run", spec, "--dir", runs, "--quiet", "--max-trials", "12"); code != 0 {
		t.Fatalf("run: %s", stderr)
	}
	original, _ := os.ReadFile(journal)

	t.Run("NotAStudy", func(t *testing.T) {
		empty := t.TempDir()
		code, _, stderr := run(t, "resume", empty)
		if code != 2 || !strings.Contains(stderr, "not a study directory") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		if entries, _ := os.ReadDir(empty); len(entries) > 0 {
			t.Errorf("resume wrote into a directory that is not a study: %v", entries)
		}
	})

	t.Run("EditedSpec", func(t *testing.T) {
		edited := writeFile(t, dir, "edited.yaml", strings.Replace(randomSpec, "max: 6}", "max: 9}", 1))
		code, _, stderr := run(t, "run", edited, "--dir", runs, "--resume", "--max-trials", "20")
		if code != 2 || !strings.Contains(stderr, "models[0].parameters[1].max: 6 -> 9") {
			t.Errorf("exit %d, want 2 with the field that changed: %s", code, stderr)
		}
		code, _, stderr = run(t, "run", spec, "--dir", runs, "--resume", "--seed", "8")
		if code != 2 || !strings.Contains(stderr, "search.seed: 7 -> 8") {
			t.Errorf("other seed: exit %d: %s", code, stderr)
		}
		if now, _ := os.ReadFile(journal); !bytes.Equal(now, original) {
			t.Error("a refused resume changed the journal")
		}
		if _, err := os.Stat(filepath.Join(study, results.LockFile)); !os.IsNotExist(err) {
			t.Errorf("a refused resume left its LOCK: %v", err)
		}
	})

	t.Run("CorruptMiddle", func(t *testing.T) {
		lines := bytes.SplitAfter(original, []byte("\n"))
		lines[4] = []byte("{\"type\":\"dispatch\",\"tri\n")
		damaged := bytes.Join(lines, nil)
		os.WriteFile(journal, damaged, 0o644)
		defer os.WriteFile(journal, original, 0o644)
		code, _, stderr := run(t, "resume", study, "--max-trials", "20")
		if code != 1 || !strings.Contains(stderr, "journal.jsonl:5") || !strings.Contains(stderr, "head -n 4") {
			t.Errorf("exit %d, want 1 naming line 5 and a repair: %s", code, stderr)
		}
		if now, _ := os.ReadFile(journal); !bytes.Equal(now, damaged) {
			t.Error("a refused resume changed the damaged journal")
		}
	})

	t.Run("TornTail", func(t *testing.T) {
		torn := original[:len(original)-len(original)/20] // mid-record
		os.WriteFile(journal, torn, 0o644)
		code, out, stderr := run(t, "resume", study, "--max-trials", "20", "--json", "--quiet")
		if code != 0 || !strings.Contains(stderr, "torn last record") {
			t.Fatalf("exit %d, want 0 with a warning about the torn record: %s", code, stderr)
		}
		var got runSummary
		json.Unmarshal([]byte(out), &got)
		if got.Trials.Complete != 20 {
			t.Errorf("after resuming a torn journal: %+v", got.Trials)
		}
		checkExactlyOnce(t, journal, 20)
	})

	t.Run("AllowedChanges", func(t *testing.T) {
		more := writeFile(t, dir, "more.yaml", strings.Replace(randomSpec, "parallel: 1", "parallel: 3", 1)+"stop: {max_failed_trials: 5}\n")
		code, out, stderr := run(t, "run", more, "--dir", runs, "--resume", "--max-trials", "30", "--json", "--quiet")
		var got runSummary
		json.Unmarshal([]byte(out), &got)
		if code != 0 || got.Trials.Complete != 30 {
			t.Errorf("raising max_trials and parallel: exit %d, %+v: %s", code, got.Trials, stderr)
		}
		checkExactlyOnce(t, journal, 30)
	})
}

// A TPE study journaled before the multivariate switch existed ran the
// univariate TPE, and its spec.json has no search.multivariate: resuming
// it goes on with the univariate TPE, giving the trials an uninterrupted
// univariate study gives, and a spec asking for multivariate is refused.
func TestResumeTPEStudyFromBeforeMultivariate(t *testing.T) {
	const tpeSpec = "name: old\nmodel: branin\nsearch: {method: tpe, n_startup_trials: 5, max_trials: 30, parallel: 1, seed: 3}\nparameters:\n  x1: {min: -5, max: 10}\n  x2: {min: 0, max: 15}\n"
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", tpeSpec)
	univariate := writeFile(t, dir, "univariate.yaml", strings.Replace(tpeSpec, "method: tpe,", "method: tpe, multivariate: false,", 1))
	if code, _, stderr := run(t, "run", univariate, "--dir", filepath.Join(dir, "straight"), "--quiet"); code != 0 {
		t.Fatalf("uninterrupted run: %s", stderr)
	}

	runs := filepath.Join(dir, "runs")
	study := filepath.Join(runs, "old")
	if code, _, stderr := run(t, "run", univariate, "--dir", runs, "--quiet", "--max-trials", "12"); code != 0 {
		t.Fatalf("first part: %s", stderr)
	}
	// Make it look like a study from before: no multivariate in spec.json
	// nor in spec.yaml.
	specPath := filepath.Join(study, results.SpecJSONFile)
	var doc map[string]any
	b, _ := os.ReadFile(specPath)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["search"].(map[string]any), "multivariate")
	b, _ = json.MarshalIndent(doc, "", "  ")
	os.WriteFile(specPath, b, 0o644)

	multivariate := writeFile(t, dir, "multivariate.yaml", strings.Replace(tpeSpec, "method: tpe,", "method: tpe, multivariate: true,", 1))
	code, _, stderr := run(t, "run", multivariate, "--dir", runs, "--resume", "--quiet")
	if code != 2 || !strings.Contains(stderr, "search.multivariate: false -> true") {
		t.Errorf("resumed asking for multivariate: exit %d, want 2 naming search.multivariate: %s", code, stderr)
	}
	if code, _, stderr = run(t, "run", spec, "--dir", runs, "--resume", "--quiet"); code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	got, want := studyScores(t, study), studyScores(t, filepath.Join(dir, "straight", "old"))
	if len(got) != 30 || !slices.Equal(got, want) {
		t.Errorf("resumed study's scores by trial\n%v\nwant the uninterrupted univariate study's\n%v", got, want)
	}
}

// studyScores reads a study's scores in trial order.
func studyScores(t *testing.T, study string) []float64 {
	t.Helper()
	j, err := results.Open(study)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rp, err := j.Replay(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rs := results.Results(rp.Events)
	scores := make([]float64, len(rs))
	for _, r := range rs {
		if r.Number < len(scores) {
			scores[r.Number] = r.Score
		}
	}
	return scores
}

// hpsearch resume declares run's flags: its help lists them, a mistyped
// one is reported with a suggestion before the study is read, the flags
// that name the study (--dir, --name, --resume) are refused in resume's
// words, and the flags given reach the run, before or after STUDY_DIR.
func TestResumeFlags(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "spec.yaml", randomSpec)
	runs := filepath.Join(dir, "runs")
	study := filepath.Join(runs, "forest")
	if code, _, stderr := run(t, "run", spec, "--dir", runs, "--quiet", "--max-trials", "4"); code != 0 {
		t.Fatalf("run: %s", stderr)
	}

	t.Run("HelpListsThem", func(t *testing.T) {
		code, out, _ := run(t, "resume", "--help")
		_, flags, _ := strings.Cut(out, "Flags:\n")
		if code != 0 || flags == "" {
			t.Fatalf("exit %d, no flags listed:\n%s", code, out)
		}
		for _, want := range []string{"--parallel N", "--max-trials N", "--top K", "--quiet", "--json", "--backend B", "--concurrency N", "--change-backend", "--no-refit"} {
			if !strings.Contains(flags, want) {
				t.Errorf("resume --help does not list %s:\n%s", want, flags)
			}
		}
		for _, hidden := range []string{"--dir", "--name", "--resume"} {
			if strings.Contains(flags, hidden+" ") {
				t.Errorf("resume --help lists %s, which resume refuses:\n%s", hidden, flags)
			}
		}
	})

	t.Run("MistypedFlag", func(t *testing.T) {
		// Not a study: the flag is reported first, as for any command.
		code, out, stderr := run(t, "resume", t.TempDir(), "--paralel", "2")
		for _, want := range []string{"hpsearch resume: unknown flag: --paralel; did you mean --parallel?", "Usage:\n  hpsearch resume STUDY_DIR", "--parallel N"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if code != 2 || out != "" {
			t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, out)
		}
	})

	t.Run("StudyFlagsRefused", func(t *testing.T) {
		for _, args := range [][]string{{"--dir", runs}, {"--name=forest"}, {"--resume"}} {
			name, _, _ := strings.Cut(strings.TrimPrefix(args[0], "--"), "=")
			code, _, stderr := run(t, append([]string{"resume", study}, args...)...)
			if code != 2 || !strings.Contains(stderr, "resume takes the study directory, not --"+name) {
				t.Errorf("resume %v: exit %d, want 2 refusing --%s: %s", args, code, name, stderr)
			}
		}
		if code, _, stderr := run(t, "resume", study, "other"); code != 2 || !strings.Contains(stderr, "want one STUDY_DIR, got 2 arguments") {
			t.Errorf("two directories: exit %d: %s", code, stderr)
		}
	})

	t.Run("FlagsReachTheRun", func(t *testing.T) {
		code, _, stderr := run(t, "resume", study, "--seed", "8")
		if code != 2 || !strings.Contains(stderr, "search.seed: 7 -> 8") {
			t.Errorf("--seed 8: exit %d, want 2 naming the seed that changed: %s", code, stderr)
		}
		code, out, stderr := run(t, "resume", "--max-trials=6", "--quiet", "--json", study)
		var got runSummary
		if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || got.Trials.Complete != 6 {
			t.Fatalf("flags before STUDY_DIR: exit %d, %+v (%v): %s", code, got.Trials, err, stderr)
		}
		checkExactlyOnce(t, filepath.Join(study, results.JournalFile), 6)
	})
}
