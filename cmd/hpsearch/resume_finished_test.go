package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
)

// TestResumeFinishedStudyFromItsJournal: resuming a study that has run
// all its trials, whose process died after its last result (no stop
// record) while writing one more record (a torn tail), runs nothing:
// it cuts the torn record off, writes the stop record, and reports the
// study as run did, counts, best, the top rows and how many more there
// are, from its journal streamed rather than held.
func TestResumeFinishedStudyFromItsJournal(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "noop.yaml", `name: s
model: noop
search: {method: random, max_trials: 30, parallel: 2, seed: 3}
parameters:
  x: {min: -10.0, max: 10.0}
`)
	code, out, stderr := run(t, "run", spec, "--dir", dir, "--quiet", "--json")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	var want runSummary
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}
	study := filepath.Join(dir, "s")
	journal := filepath.Join(study, results.JournalFile)
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	if !strings.Contains(lines[len(lines)-1], `"stop"`) {
		t.Fatalf("the journal does not end with a stop record: %s", lines[len(lines)-1])
	}
	cut := strings.Join(lines[:len(lines)-1], "")
	if err := os.WriteFile(journal, []byte(cut+`{"type":"resu`), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, stderr = run(t, "resume", study, "--quiet", "--json")
	if code != 0 {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "nothing left to run") || !strings.Contains(stderr, "torn last record") {
		t.Errorf("stderr does not say the study has finished and its torn record was cut:\n%s", stderr)
	}
	var got runSummary
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Trials != want.Trials || got.Best == nil || want.Best == nil || got.Best.Trial != want.Best.Trial || got.Best.Score != want.Best.Score || got.StopReason != "max_trials" {
		t.Errorf("resumed: %+v best %+v stop %q; run: %+v best %+v", got.Trials, got.Best, got.StopReason, want.Trials, want.Best)
	}
	b, err = os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), cut) || !strings.Contains(string(b[len(cut):]), `"stop"`) || !strings.HasSuffix(string(b), "\n") {
		t.Errorf("after the resume the journal ends with %q, want the records before the torn one and a stop record", b[len(cut):])
	}

	code, out, stderr = run(t, "resume", study, "--top", "3")
	if code != 0 {
		t.Fatalf("resume --top 3: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "... 27 more trials") || !strings.Contains(out, "30 complete") {
		t.Errorf("resume --top 3 printed:\n%s", out)
	}
	if n := strings.Count(string(mustRead(t, journal)), `"stop"`); n != 1 {
		t.Errorf("the journal has %d stop records after resuming a finished study twice, want 1", n)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
