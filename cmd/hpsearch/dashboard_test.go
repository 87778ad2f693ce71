package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
)

// TestDashboardFollowsAStudyAsItsJournalGrows: the dashboard prints its
// URL, and GET /api/studies follows the study's journal as records land,
// ending with the counts and best trial that run --json printed.
func TestDashboardFollowsAStudyAsItsJournalGrows(t *testing.T) {
	runs := t.TempDir()
	code, out, stderr := run(t, "run", "../../examples/digits-knn-grid.yaml", "--dir", runs, "--json", "--max-trials", "6", "--no-refit")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	var want runSummary
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}
	// A copy of the study holding the first records of its journal only.
	live := filepath.Join(t.TempDir(), "live")
	if err := os.MkdirAll(live, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{results.SpecYAMLFile, results.SpecJSONFile} {
		b, err := os.ReadFile(filepath.Join(want.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, live, f, string(b))
	}
	journal, err := os.ReadFile(filepath.Join(want.Dir, results.JournalFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(journal), "\n")
	head := strings.Join(lines[:3], "")
	writeFile(t, live, results.JournalFile, head)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- runMain(ctx, &env{stdout: pw, stderr: &errOut}, []string{"dashboard", live, "--addr", "127.0.0.1:0"})
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no URL on stdout: %v (stderr %s)", err, errOut.String())
	}
	url = strings.TrimSpace(url)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Fatalf("URL line %q", url)
	}
	go io.Copy(io.Discard, pr)

	studies := func() []map[string]any {
		t.Helper()
		resp, err := http.Get(url + "api/studies")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got []map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := studies(); len(got) != 1 || got[0]["name"] != "digits-knn-grid" {
		t.Fatalf("studies: %v", got)
	}
	// The rest of the journal lands.
	f, err := os.OpenFile(filepath.Join(live, results.JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(strings.Join(lines[3:], "")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// Polled with a generous hang guard: the dashboard re-reads a study
	// at most once a second.
	var got map[string]any
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got = studies()[0]
		if got["trials"].(map[string]any)["complete"] == float64(want.Trials.Complete) {
			break
		}
	}
	trials := got["trials"].(map[string]any)
	if trials["complete"] != float64(want.Trials.Complete) || trials["failed"] != float64(want.Trials.Failed) || trials["running"] != 0.0 {
		t.Errorf("trials %v, run --json said %+v", trials, want.Trials)
	}
	best := got["best"].(map[string]any)
	if best["trial"] != float64(want.Best.Trial) || best["score"] != want.Best.Score || got["metric"] != want.Metric || got["direction"] != string(want.Direction) {
		t.Errorf("study %v, run --json said best %+v", got, want.Best)
	}
	cancel()
	if code := <-exited; code != 130 {
		t.Errorf("interrupted dashboard: exit %d, want 130", code)
	}
}

func TestDashboardBadInputExits2(t *testing.T) {
	study := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no study", []string{"dashboard"}, "want at least one"},
		{"not loopback", []string{"dashboard", study, "--addr", "0.0.0.0:0"}, "not loopback"},
		{"no port", []string{"dashboard", study, "--addr", "127.0.0.1"}, "--addr"},
		{"not a study", []string{"dashboard", study, "--addr", "127.0.0.1:0"}, "not a study directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := run(t, c.args...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}
