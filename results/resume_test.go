package results_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
)

// study makes a study directory whose journal holds a study event and
// the dispatch and result of trials 0..n-1, and returns it closed.
func study(t *testing.T, n int) (dir string, journal []byte) {
	t.Helper()
	j, err := results.Create(t.TempDir(), "s", []byte("name: s\n"), []byte(`{"name":"s"}`))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		if err := j.Append(context.Background(), results.DispatchEvent(storetest.Trial(i), at), results.ResultEvent(storetest.Result(i), at)); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	b, err := os.ReadFile(filepath.Join(j.Dir(), results.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	return j.Dir(), b
}

func TestReopen(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		damage  func([]byte) []byte
		warning string
		events  int // read back after appending one more
	}{
		{"whole", func(b []byte) []byte { return b }, "", 1 + 6 + 1},
		{"torn last record", func(b []byte) []byte { return b[:len(b)-20] }, "cut off the torn last record", 1 + 5 + 1},
		{"no final newline", func(b []byte) []byte { return b[:len(b)-1] }, "no trailing newline", 1 + 6 + 1},
		{"torn then blank", func(b []byte) []byte { return append(b[:len(b)-20], "\n\n"...) }, "cut off the torn last record", 1 + 5 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, b := study(t, 3)
			path := filepath.Join(dir, results.JournalFile)
			os.WriteFile(path, tc.damage(b), 0o644)
			j, rp, err := results.Reopen(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rp.Warnings, "\n"); tc.warning == "" && got != "" || !strings.Contains(got, tc.warning) {
				t.Errorf("warnings %q, want %q", got, tc.warning)
			}
			if err := j.Append(context.Background(), results.StopEvent("interrupted", at)); err != nil {
				t.Fatal(err)
			}
			j.Close()
			r, _ := results.Open(dir)
			rp, err = r.Replay(context.Background())
			if err != nil || len(rp.Warnings) > 0 || len(rp.Events) != tc.events {
				t.Errorf("after appending: %d events, warnings %v, err %v; want %d clean", len(rp.Events), rp.Warnings, err, tc.events)
			}
		})
	}
}

// A damaged record in the middle is refused with its line, and the file
// is left as it was.
func TestReopenCorruptChangesNothing(t *testing.T) {
	dir, b := study(t, 3)
	lines := bytes.SplitAfter(b, []byte("\n"))
	lines[2] = []byte("{\"type\":\"result\",\"resu\n")
	damaged := bytes.Join(lines, nil)
	path := filepath.Join(dir, results.JournalFile)
	os.WriteFile(path, damaged, 0o644)
	_, _, err := results.Reopen(context.Background(), dir)
	var ce *results.CorruptError
	if !errors.As(err, &ce) || ce.Line != 3 {
		t.Fatalf("Reopen = %v, want a *CorruptError at line 3", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
		t.Error("Reopen changed a corrupt journal")
	}
}

func TestReopenNotAStudy(t *testing.T) {
	if _, _, err := results.Reopen(context.Background(), t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Reopen of an empty directory = %v", err)
	}
}
