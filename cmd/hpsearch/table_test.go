package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// TestWriteTableWidth: lines wider than the terminal are cut, in the
// PARAMS column, ending in "…"; rows left out are counted as
// configurations under early stopping (a configuration ran as one trial
// per rung), as trials otherwise.
func TestWriteTableWidth(t *testing.T) {
	long := trial.Params{"alpha": 0.123456789, "beta": strings.Repeat("x", 200)}
	plain := func(n int) []results.Row {
		var rows []results.Row
		for i := range n {
			rows = append(rows, results.Row{Rank: i + 1, Result: trial.Result{Number: i, State: trial.Complete, Model: "knn", Score: 0.9, Params: long}})
		}
		return rows
	}
	rungs := func(n int) []results.Row {
		rows := plain(n)
		for i := range rows {
			rows[i].Result.Budget = trial.Budget{Name: "epochs", Value: 9, Max: 9, Rung: 2, Config: i}
		}
		return rows
	}
	for _, tc := range []struct {
		name  string
		rows  []results.Row
		top   int
		width int
		more  string // the last line; "" for none
	}{
		{"trials", plain(20), 3, 0, "... 17 more trials"},
		{"one more trial", plain(4), 3, 0, "... 1 more trial"},
		{"configurations", rungs(20), 3, 0, "... 17 more configurations"},
		{"all shown", rungs(3), 3, 0, ""},
		{"cut to 80", plain(5), 3, 80, "... 2 more trials"},
		{"cut to 90", rungs(5), 0, 90, ""},
		{"too narrow for PARAMS", rungs(5), 0, 30, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := writeTableWidth(&b, tc.rows, tc.top, "accuracy", tc.width); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			last := lines[len(lines)-1]
			if tc.more != "" && last != tc.more {
				t.Errorf("last line %q, want %q", last, tc.more)
			}
			if tc.more == "" && strings.HasPrefix(last, "...") {
				t.Errorf("last line %q, want no count of rows left out", last)
			}
			if !strings.HasPrefix(lines[0], "RANK") || !strings.Contains(lines[0], "MODEL") {
				t.Errorf("header %q", lines[0])
			}
			params := utf8.RuneCountInString(lines[0][:strings.LastIndex(lines[0], "PARAMS")])
			for _, l := range lines {
				n := utf8.RuneCountInString(l)
				switch {
				case tc.width > 0 && n > max(tc.width, params+minParamsWidth):
					t.Errorf("line of %d characters, wider than %d: %q", n, tc.width, l)
				case strings.HasSuffix(l, "…") && n != max(tc.width, params+minParamsWidth):
					t.Errorf("line cut to %d characters, want %d: %q", n, max(tc.width, params+minParamsWidth), l)
				case tc.width == 0 && strings.Contains(l, "…"):
					t.Errorf("line cut with no width: %q", l)
				}
			}
			if tc.width == 0 && !strings.Contains(b.String(), strings.Repeat("x", 200)) {
				t.Errorf("params cut with no width:\n%s", b.String())
			}
			if tc.width > 0 && (!strings.Contains(lines[1], "knn") || !strings.Contains(lines[1], "alpha=")) {
				t.Errorf("row %q lost its model or PARAMS", lines[1])
			}
		})
	}
}

func TestCutLines(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"abc\n", 3, "abc\n"},
		{"abcd\n", 3, "ab…\n"},
		{"ééééé\nab\n", 4, "ééé…\nab\n"},
		{"abcd", 3, "ab…"},
	} {
		if got := cutLines(tc.in, tc.width); got != tc.want {
			t.Errorf("cutLines(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}
