package dashboard_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
)

// trialDetail fetches trial n of study 0 and decodes it.
func trialDetail(tb testing.TB, f fixture, n int) dashboard.TrialDetail {
	tb.Helper()
	code, body := get(tb, f.srv.URL, fmt.Sprintf("/api/studies/0/trials/%d", n), nil)
	if code != 200 {
		tb.Fatalf("trial %d: %d %s", n, code, body)
	}
	var d dashboard.TrialDetail
	if err := json.Unmarshal(body, &d); err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestTrialLogTail(t *testing.T) {
	dir := t.TempDir()
	st := syntheticStudy(t, "alpha", 10, 0)
	st.Dir = filepath.Join(dir, "alpha")
	if err := os.MkdirAll(filepath.Join(st.Dir, "trials"), 0o755); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	for i := range 10000 { // about 100 KB: more than LogTailBytes
		fmt.Fprintf(&log, "step %d\n", i)
	}
	log.WriteString("\x1b[31mred\x1b[0m\tdone \xff\u202e\n")
	if err := os.WriteFile(filepath.Join(st.Dir, "trials", "2.log"), []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, []byte("outside the study\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(st.Dir, "trials", "4.log")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.txt", filepath.Join(st.Dir, "trials", "5.log")); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, "", map[string]*report.Study{"a": st}, "a")

	t.Run("the last lines of trials/N.log, controls escaped", func(t *testing.T) {
		d := trialDetail(t, f, 2)
		lines := strings.Split(d.LogTail, "\n")
		if d.LogFile != "trials/2.log" || len(lines) != dashboard.LogTailLines {
			t.Fatalf("log %q with %d lines, want trials/2.log with %d", d.LogFile, len(lines), dashboard.LogTailLines)
		}
		if lines[0] != "step 9961" {
			t.Errorf("first line %q, want step 9961", lines[0])
		}
		if want := `\x1b[31mred\x1b[0m` + "\tdone " + `\xff\u202e`; lines[len(lines)-1] != want {
			t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
		}
	})
	t.Run("a log leading out of the study is not served", func(t *testing.T) {
		for _, n := range []int{4, 5} {
			d := trialDetail(t, f, n)
			if d.LogFile != "" || strings.Contains(d.LogTail, "outside") {
				t.Errorf("trial %d served %q: %q", n, d.LogFile, d.LogTail)
			}
		}
	})
	t.Run("a trials directory leading out of the study is not served", func(t *testing.T) {
		st2 := syntheticStudy(t, "beta", 10, 0)
		st2.Dir = filepath.Join(dir, "beta")
		if err := os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "elsewhere", "2.log"), []byte("outside the study\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(st2.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(st2.Dir, "trials")); err != nil {
			t.Fatal(err)
		}
		f2 := newFixture(t, "", map[string]*report.Study{"b": st2}, "b")
		if d := trialDetail(t, f2, 2); d.LogFile != "" || strings.Contains(d.LogTail, "outside") {
			t.Errorf("served %q: %q", d.LogFile, d.LogTail)
		}
	})
	t.Run("without a log, the error's last lines", func(t *testing.T) {
		if d := trialDetail(t, f, 3); d.LogFile != "" || !strings.Contains(d.LogTail, "line two") {
			t.Errorf("trial 3: %q from %q", d.LogTail, d.LogFile)
		}
	})
}
