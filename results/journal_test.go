package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func newJournal(tb testing.TB) *Journal {
	tb.Helper()
	j, err := Create(tb.TempDir(), "iris-knn", []byte("name: iris-knn\n"), []byte(`{"name":"iris-knn"}`))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.Close() })
	return j
}

func TestCreateWritesStudyDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "studies") // created by Create
	j, err := Create(dir, "iris-knn", []byte("name: iris-knn\n"), []byte(`{"name":"iris-knn"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if want := filepath.Join(dir, "iris-knn"); j.Dir() != want {
		t.Errorf("Dir = %q, want %q", j.Dir(), want)
	}
	for file, want := range map[string]string{SpecYAMLFile: "name: iris-knn\n", SpecJSONFile: `{"name":"iris-knn"}`} {
		got, err := os.ReadFile(filepath.Join(j.Dir(), file))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", file, got, err, want)
		}
	}
	evs, err := j.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Type != EventStudy || evs[0].Study != "iris-knn" || evs[0].Time.IsZero() {
		t.Errorf("new journal holds %+v, want one study event", evs)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%s holds %d entries, want only the study", dir, len(entries))
	}
}

func TestCreateExistingStudy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, path string)
	}{
		{"full", func(t *testing.T, path string) {
			j, err := Create(filepath.Dir(path), filepath.Base(path), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
		}},
		{"empty directory", func(t *testing.T, path string) { os.Mkdir(path, 0o755) }},
		{"file", func(t *testing.T, path string) { os.WriteFile(path, []byte("x"), 0o644) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.prepare(t, filepath.Join(dir, "s"))
			before, _ := os.ReadDir(dir)
			_, err := Create(dir, "s", nil, nil)
			if !errors.Is(err, trial.ErrStudyExists) {
				t.Fatalf("Create = %v, want ErrStudyExists", err)
			}
			for _, hint := range []string{"name:", "--dir"} {
				if !strings.Contains(err.Error(), hint) {
					t.Errorf("error %q does not mention %s", err, hint)
				}
			}
			after, _ := os.ReadDir(dir)
			if len(after) != len(before) {
				t.Errorf("failed Create left %d entries, had %d", len(after), len(before))
			}
		})
	}
}

func TestCreateBadName(t *testing.T) {
	for _, name := range []string{"", ".", "..", "a/b", ".hidden", `a\b`, "a\x1b]0;owned\x07", "tab\tname", "evil\u202etxt", "bad\xffutf8"} {
		dir := t.TempDir()
		if _, err := Create(dir, name, nil, nil); !errors.Is(err, trial.ErrBadInput) {
			t.Errorf("Create(%q) = %v, want ErrBadInput", name, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("Create(%q) left %d entries", name, len(entries))
		}
	}
}

func TestCreateFailureLeavesNoPartialStudy(t *testing.T) {
	dir := t.TempDir()
	// A parent that is a file makes every step fail; nothing may be left
	// behind in dir.
	parent := filepath.Join(dir, "file")
	os.WriteFile(parent, nil, 0o644)
	if _, err := Create(parent, "s", nil, nil); err == nil {
		t.Fatal("Create under a file succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("failed Create left %d entries, want 1", len(entries))
	}
}

func TestOpenReadsAndRefusesAppend(t *testing.T) {
	j := newJournal(t)
	ctx := context.Background()
	if err := j.Append(ctx, DispatchEvent(trial.Trial{Number: 0, Model: "knn"}, t0)); err != nil {
		t.Fatal(err)
	}
	r, err := Open(j.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	evs, err := r.Events(ctx)
	if err != nil || len(evs) != 2 {
		t.Fatalf("Events = %d events, %v; want 2", len(evs), err)
	}
	if err := r.Append(ctx, StopEvent("x", t0)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Append on an opened journal = %v, want ErrReadOnly", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing study = %v, want ErrNotExist", err)
	}
}

const (
	studyLine    = `{"type":"study","time":"2025-01-02T03:04:05Z","study":"s"}`
	dispatchLine = `{"type":"dispatch","trial":{"number":0,"model":"knn","params":{"k":3},"seed":7}}`
	resultLine   = `{"type":"result","result":{"number":0,"state":"complete","model":"knn","params":{"k":3},"seed":7,"score":0.9,"seconds":1}}`
)

func TestReadJournal(t *testing.T) {
	for _, tc := range []struct {
		name     string
		text     string
		events   int
		warnings int
		badLine  int // > 0: a CorruptError on this line
	}{
		{"whole", studyLine + "\n" + dispatchLine + "\n" + resultLine + "\n", 3, 0, 0},
		{"empty", "", 0, 0, 0},
		{"blank lines", studyLine + "\n\n" + dispatchLine + "\n  \n", 2, 0, 0},
		{"torn last line", studyLine + "\n" + dispatchLine + "\n" + resultLine[:40], 2, 1, 0},
		{"torn last line with newline", studyLine + "\n" + dispatchLine + "\n" + resultLine[:40] + "\n", 2, 1, 0},
		{"zeroed tail", studyLine + "\n" + dispatchLine + "\n\x00\x00\x00\x00", 2, 1, 0},
		{"whole last record without newline", studyLine + "\n" + dispatchLine, 2, 1, 0},
		{"corrupt middle", studyLine + "\n" + dispatchLine[:30] + "\n" + resultLine + "\n", 0, 0, 2},
		{"invalid event in middle", studyLine + "\n" + `{"type":"dispatch"}` + "\n" + resultLine + "\n", 0, 0, 2},
		{"unknown type in middle", `{"type":"nope"}` + "\n" + resultLine + "\n", 0, 0, 1},
		{"corrupt middle then torn tail", studyLine + "\n{\n" + dispatchLine + "\n" + resultLine[:9], 0, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ReadJournal(strings.NewReader(tc.text), "journal.jsonl")
			if tc.badLine > 0 {
				var ce *CorruptError
				if !errors.As(err, &ce) || ce.Line != tc.badLine || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("err = %v, want CorruptError on line %d", err, tc.badLine)
				}
				if !strings.Contains(err.Error(), "journal.jsonl:") {
					t.Errorf("error %q does not name the file and line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadJournal: %v", err)
			}
			if len(r.Events) != tc.events || len(r.Warnings) != tc.warnings {
				t.Fatalf("got %d events, warnings %q; want %d events, %d warnings",
					len(r.Events), r.Warnings, tc.events, tc.warnings)
			}
			for _, w := range r.Warnings {
				if !strings.HasPrefix(w, "journal.jsonl:") {
					t.Errorf("warning %q does not start with file:line", w)
				}
			}
		})
	}
}

// TestJournalTornTailOnDisk simulates a crash mid-write: the reader keeps
// every whole record and warns about the torn one.
func TestJournalTornTailOnDisk(t *testing.T) {
	j := newJournal(t)
	ctx := context.Background()
	if err := j.Append(ctx, DispatchEvent(trial.Trial{Number: 0, Model: "knn"}, t0)); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, err := os.OpenFile(filepath.Join(j.Dir(), JournalFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(resultLine[:50])
	f.Close()

	r, err := Open(j.Dir())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Replay(ctx)
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	if len(rep.Events) != 2 || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], ":3:") {
		t.Errorf("got %d events, warnings %q; want 2 events and a warning about line 3", len(rep.Events), rep.Warnings)
	}
}

// TestGroupCommit checks that appenders waiting during an fsync share the
// next one.
func TestGroupCommit(t *testing.T) {
	j := newJournal(t)
	first := true
	j.syncFile = func(f *os.File) error {
		if first { // hold the first fsync so the others queue up
			first = false
			time.Sleep(50 * time.Millisecond)
		}
		return f.Sync()
	}
	const appenders = 100
	var wg sync.WaitGroup
	for n := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Append(context.Background(), DispatchEvent(trial.Trial{Number: n}, t0)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if syncs := j.syncs.Load(); syncs > appenders/4 {
		t.Errorf("%d appenders took %d fsyncs; want them to share", appenders, syncs)
	}
	evs, _ := j.Events(context.Background())
	if len(evs) != appenders+1 {
		t.Errorf("journal holds %d events, want %d", len(evs), appenders+1)
	}
}

// TestFailedSyncBreaksJournal: after a failed fsync the file's state is
// unknown, so every later Append must fail too.
func TestFailedSyncBreaksJournal(t *testing.T) {
	j := newJournal(t)
	boom := errors.New("disk on fire")
	j.syncFile = func(*os.File) error { return boom }
	ctx := context.Background()
	if err := j.Append(ctx, StopEvent("x", t0)); !errors.Is(err, boom) {
		t.Fatalf("Append = %v, want the fsync error", err)
	}
	j.syncFile = (*os.File).Sync
	if err := j.Append(ctx, StopEvent("y", t0)); !errors.Is(err, boom) {
		t.Errorf("Append after a failed fsync = %v, want the fsync error again", err)
	}
}
