package results

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hpsearch/hpsearch/trial"
)

func failedResult(n int, msg string) trial.Result {
	r := res(n, trial.Failed, 0)
	r.Error = msg
	return r
}

// TestFailureKey: errors that differ only in trial-specific values share
// a key; errors that say different things do not.
func TestFailureKey(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b string
		same bool
	}{
		{"counts in parentheses", "n_neighbors (37) > n_samples (30)", "n_neighbors (41) > n_samples (30)", true},
		{"fold and rows", "fold 0: fit: knn: fewer training rows than n_neighbors: 12 rows, n_neighbors=74",
			"fold 3: fit: knn: fewer training rows than n_neighbors: 9 rows, n_neighbors=100", true},
		{"floats and exponents", "score is 1.5e+308 for lr=0.001", "score is -2 for lr=3.25E-05", true},
		{"non-finite scores", "score is NaN", "score is +Inf", true},
		{"quoted values", `unknown weights "uniformm"`, `unknown weights "dist\"ance"`, true},
		{"request ids", "lambda: request 3f1c2a4b-9d0e-4f5a-8b7c-1234567890ab: timed out after 900s",
			"lambda: request cafe1234-0000-4f5a-8b7c-aaaaaaaaaaaa: timed out after 12s", true},
		{"stack trace after the first line", "executor panicked: index out of range [5] with length 3\ngoroutine 7 [running]:\nmain.f()",
			"executor panicked: index out of range [9] with length 2\ngoroutine 12 [running]:\nmain.g()", true},
		{"leading blank lines", "\n\n  boom 1\n", "boom 2", true},
		{"different parameters", "parameter x1 missing", "parameter x2 missing", false},
		{"different reasons", "fit: singular matrix", "fit: did not converge", false},
		{"words kept", "s3 bucket refused", "sha256 bucket refused", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := FailureKey(tt.a), FailureKey(tt.b)
			if (ka == kb) != tt.same {
				t.Errorf("FailureKey(%q) = %q, FailureKey(%q) = %q; same = %v, want %v", tt.a, ka, tt.b, kb, ka == kb, tt.same)
			}
		})
	}
}

// TestFailures: failed trials are grouped by reason, most common first,
// each with its count and its lowest-numbered trial; the counts are
// those of Summarize (last final result of each trial number).
func TestFailures(t *testing.T) {
	retried := failedResult(7, "lambda: rate exceeded (429)")
	ok := res(7, trial.Complete, 0.5) // trial 7 failed, then completed on its retry
	rs := []trial.Result{
		failedResult(4, "fold 1: fit: knn: fewer training rows than n_neighbors: 12 rows, n_neighbors=41"),
		failedResult(2, "fold 0: fit: knn: fewer training rows than n_neighbors: 12 rows, n_neighbors=37"),
		retried,
		failedResult(3, "score is NaN"),
		res(5, trial.Complete, 0.9),
		failedResult(6, "fold 0: fit: knn: fewer training rows than n_neighbors: 9 rows, n_neighbors=80"),
		ok,
		failedResult(8, "score is +Inf"),
		failedResult(9, "fit: singular matrix"),
		failedResult(1, "score is -Inf"),
	}
	got := Failures(rs)
	want := []struct {
		count, trial int
		example      string
	}{
		{3, 2, "fold 0: fit: knn: fewer training rows than n_neighbors: 12 rows, n_neighbors=37"},
		{3, 1, "score is -Inf"},
		{1, 9, "fit: singular matrix"},
	}
	// Ties in count: the reason whose first trial is earlier first.
	want[0], want[1] = want[1], want[0]
	if len(got) != len(want) {
		t.Fatalf("Failures = %+v, want %d reasons", got, len(want))
	}
	total := 0
	for i, w := range want {
		g := got[i]
		total += g.Count
		if g.Count != w.count || g.Trial != w.trial || g.Example != w.example || g.Reason != FailureKey(w.example) {
			t.Errorf("reason %d = %+v, want count %d, trial %d, example %q", i, g, w.count, w.trial, w.example)
		}
	}
	var events []Event
	for _, r := range rs {
		tr := trial.Trial{Number: r.Number}
		events = append(events, Event{Type: EventDispatch, Trial: &tr}, Event{Type: EventResult, Result: &r})
	}
	if s := Summarize(events, trial.Maximize); s.Failed != total {
		t.Errorf("reasons count %d failed trials, Summarize %d", total, s.Failed)
	}
	if got := Failures([]trial.Result{res(0, trial.Complete, 1)}); len(got) != 0 {
		t.Errorf("no failures: %+v", got)
	}
}

func TestShortError(t *testing.T) {
	for _, tt := range []struct {
		name, msg string
		width     int
		want      string
	}{
		{"fits", "fit: singular matrix", 48, "fit: singular matrix"},
		{"first line only", "executor panicked: boom\ngoroutine 1 [running]:", 48, "executor panicked: boom"},
		{"cut", "fold 0: fit: knn: fewer training rows than n_neighbors", 20, "fold 0: fit: knn: f…"},
		{"cut before a space", "abc def ghi", 5, "abc…"},
		{"escaped", "bad \x1b[2Jvalue", 48, `bad \x1b[2Jvalue`},
		{"escape not cut in half", "ab\x1b[2J", 5, "ab…"},
		{"invalid UTF-8", "a\xffb", 48, `a\xffb`},
		{"empty", " \n ", 10, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ShortError(tt.msg, tt.width)
			if got != tt.want {
				t.Errorf("ShortError(%q, %d) = %q, want %q", tt.msg, tt.width, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.width {
				t.Errorf("%q is %d characters, more than %d", got, n, tt.width)
			}
		})
	}
}

// TestWriteFailures: at most MaxFailureReasons lines, then how many
// trials failed for the others; text escaped.
func TestWriteFailures(t *testing.T) {
	var rs []trial.Result
	n := 0
	for i, msg := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		for range max(7-i, 1) {
			rs = append(rs, failedResult(n, "reason "+msg+" \x1b[31m"))
			n++
		}
	}
	var b bytes.Buffer
	if err := WriteFailures(&b, Failures(rs)); err != nil {
		t.Fatal(err)
	}
	want := "failed trials by reason:\n" +
		"  7× reason a \\x1b[31m (first: trial 0)\n" +
		"  6× reason b \\x1b[31m (first: trial 7)\n" +
		"  5× reason c \\x1b[31m (first: trial 13)\n" +
		"  4× reason d \\x1b[31m (first: trial 18)\n" +
		"  3× reason e \\x1b[31m (first: trial 22)\n" +
		"  4 more for 3 other reasons\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteFailures(&b, Failures([]trial.Result{failedResult(4, "boom"), failedResult(5, "")}))
	if want := "failed trials by reason:\n  1× boom (trial 4)\n  1× (no reason recorded) (trial 5)\n"; b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteFailures(&b, nil)
	if b.Len() != 0 {
		t.Errorf("no failures wrote %q", b.String())
	}
}

// TestWriteTableErrors: a failed row shows the first line of its error,
// cut to fit and escaped; without a failed row shown there is no ERROR
// column.
func TestWriteTableErrors(t *testing.T) {
	long := res(1, trial.Failed, 0)
	long.Error = "fold 0: fit: knn: fewer training rows than n_neighbors: 12 rows, n_neighbors=74\nmore detail"
	hostile := res(2, trial.Failed, 0)
	hostile.Error = "\x1b]0;owned\x07boom"
	silent := res(3, trial.Failed, 0)
	rows := Leaderboard([]trial.Result{res(0, trial.Complete, 0.9), long, hostile, silent}, trial.Maximize)
	var b bytes.Buffer
	if err := WriteTable(&b, rows, 0, "accuracy"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if !strings.Contains(lines[0], "SECONDS  ERROR") {
		t.Errorf("header %q has no ERROR column", lines[0])
	}
	for i, want := range []string{"-", ShortError(long.Error, tableErrorWidth), `\x1b]0;owned\x07boom`, "(no reason recorded)"} {
		if !strings.Contains(lines[i+1], "  "+want+"  ") {
			t.Errorf("row %d %q lacks error %q", i, lines[i+1], want)
		}
	}
	if got := ShortError(long.Error, tableErrorWidth); utf8.RuneCountInString(got) != tableErrorWidth || !strings.HasSuffix(got, "…") {
		t.Errorf("long error cut to %q", got)
	}
	if strings.Contains(b.String(), "more detail") || strings.Contains(b.String(), "\x1b") {
		t.Errorf("table shows a second line or a raw escape:\n%s", b.String())
	}
	b.Reset()
	WriteTable(&b, rows, 1, "accuracy")
	if strings.Contains(b.String(), "ERROR") {
		t.Errorf("top 1 shows no failed row but has an ERROR column:\n%s", b.String())
	}
}

// FuzzFailureText: whatever error a journal holds, ShortError is one
// line of at most width characters with no control character left raw,
// and FailureKey is one line that does not change an error already
// normalised.
func FuzzFailureText(f *testing.F) {
	for _, s := range []string{"score is +Inf", "fold 0: fit: knn: 12 rows, n_neighbors=74\nstack", "\x1b]0;x\x07\u202e\xff", `"q\"x" 0x1f 3f1c2a4b-9d0e-4f5a-8b7c-1234567890ab`, "", "00000000000000000000++0", "0\r0"} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, msg string, width int) {
		width = 2 + abs(width)%200
		s := ShortError(msg, width)
		if n := utf8.RuneCountInString(s); n > width {
			t.Errorf("ShortError(%q, %d) = %q: %d characters", msg, width, s, n)
		}
		if Printable(s) != s {
			t.Errorf("ShortError(%q) = %q is not printable", msg, s)
		}
		k := FailureKey(msg)
		if strings.Contains(k, "\n") {
			t.Errorf("FailureKey(%q) = %q has a line break", msg, k)
		}
		if k2 := FailureKey(k); k2 != k {
			t.Errorf("FailureKey(%q) = %q, but FailureKey of that = %q", msg, k, k2)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
