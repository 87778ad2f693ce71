package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/hpsearch/hpsearch/results"
)

// writeTable writes the leaderboard rows as results.WriteTable does, the
// first top of them (all when top <= 0), cut to the terminal's width when
// w is a terminal (see writeTableWidth).
func writeTable(w io.Writer, rows []results.Row, top int, metric string) error {
	return writeTableWidth(w, rows, top, metric, terminalWidth(w))
}

// writeTableWidth writes the first top rows (all when top <= 0) as
// results.WriteTable does, with the PARAMS column, the last and widest,
// cut so that lines fit in width characters (0: no limit), each line cut
// ending in "…" (see cutParams), so the table does not wrap. The rows left out
// are counted in what they are: under early stopping a row is a
// configuration, which ran as one trial per rung, so "... 17 more
// configurations", else "... 17 more trials".
func writeTableWidth(w io.Writer, rows []results.Row, top int, metric string, width int) error {
	shown := rows
	if top > 0 && len(rows) > top {
		shown = rows[:top]
	}
	var b bytes.Buffer
	if err := results.WriteTable(&b, shown, 0, metric); err != nil {
		return err
	}
	text := b.String()
	if width > 0 {
		text = cutParams(text, width)
	}
	if more := len(rows) - len(shown); more > 0 {
		what := "trials"
		if configurations(rows) {
			what = "configurations"
		}
		if more == 1 {
			what = strings.TrimSuffix(what, "s")
		}
		text += fmt.Sprintf("... %d more %s\n", more, what)
	}
	if _, err := io.WriteString(w, text); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// configurations reports whether the leaderboard's rows stand for
// configurations of early stopping (some result has a budget) rather
// than trials.
func configurations(rows []results.Row) bool {
	for _, r := range rows {
		if r.Result.Budget.Name != "" {
			return true
		}
	}
	return false
}

// minParamsWidth is the least of the PARAMS column cutParams keeps: when
// the other columns leave less, the line is wider than the terminal
// rather than lose a column that is not PARAMS.
const minParamsWidth = 12

// cutParams cuts the PARAMS column of table, results.WriteTable's
// output, so that its lines are at most width characters, each line cut
// ending in "…". PARAMS is the last column; it keeps at least
// minParamsWidth characters.
func cutParams(table string, width int) string {
	header, _, _ := strings.Cut(table, "\n")
	i := strings.LastIndex(header, "PARAMS")
	if i < 0 {
		return table
	}
	return cutLines(table, max(width, utf8.RuneCountInString(header[:i])+minParamsWidth))
}

// cutLines cuts every line of text longer than width characters to
// width, its last character replaced by "…". (text/tabwriter aligns
// columns by counting runes, so a column starts at the same rune in
// every line.)
func cutLines(text string, width int) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		body := strings.TrimSuffix(l, "\n")
		if utf8.RuneCountInString(body) <= width {
			continue
		}
		n, cut := 0, len(body)
		for j := range body {
			if n == width-1 {
				cut = j
				break
			}
			n++
		}
		lines[i] = body[:cut] + "…" + l[len(body):]
	}
	return strings.Join(lines, "")
}

// terminalWidth returns the width of the terminal w is, or 0 when w is
// not a terminal or its width is unknown.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 20 {
		return 0
	}
	return width
}
