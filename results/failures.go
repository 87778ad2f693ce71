package results

import (
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/hpsearch/hpsearch/trial"
)

// FailureReason is one reason trials failed for, with how many did: the
// errors of trials that differ only in trial-specific numbers and values
// ("n_neighbors=37", "12 rows", "fold 3", a quoted value, an id) share a
// reason.
type FailureReason struct {
	// Reason is the normalised first line of the errors: every number,
	// NaN or Inf, hexadecimal id and quoted value replaced by "#" (quoted
	// values by `"#"`). It is the key the errors were grouped by.
	Reason string
	// Count is the number of failed trials with this reason.
	Count int
	// Trial is the lowest-numbered failed trial with this reason, and
	// Example its error, as recorded (all its lines).
	Trial   int
	Example string
}

// Failures groups the failed trials of results by reason, most common
// first (ties: the reason whose first trial is earliest first). It counts
// trials as Summarize does: each trial number by its last final result,
// so a trial that failed and then completed on a retry or a resume does
// not count, and the counts add up to Summary.Failed.
func Failures(results []trial.Result) []FailureReason {
	last := make(map[int]trial.Result, len(results))
	for _, r := range results {
		if r.State.Final() {
			last[r.Number] = r
		}
	}
	byReason := map[string]*FailureReason{}
	for n, r := range last {
		if StateOf(r) != trial.Failed {
			continue
		}
		key := FailureKey(r.Error)
		g := byReason[key]
		if g == nil {
			g = &FailureReason{Reason: key, Trial: n, Example: r.Error}
			byReason[key] = g
		}
		g.Count++
		if n < g.Trial {
			g.Trial, g.Example = n, r.Error
		}
	}
	out := make([]FailureReason, 0, len(byReason))
	for _, g := range byReason {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b FailureReason) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Trial, b.Trial)
	})
	return out
}

// FirstLine returns the first line of msg that is not blank, trimmed:
// the line of an error that says what went wrong, before a stack trace
// or details.
func FirstLine(msg string) string {
	for line := range strings.Lines(msg) {
		if l := strings.TrimSpace(line); l != "" {
			return l
		}
	}
	return ""
}

// quoted matches a double-quoted value as Go's %q writes it. This and
// the patterns below compile on first use, not when hpsearch starts.
var quoted = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"(?:[^"\\]|\\.)*"`) })

// uuid matches a UUID, such as a Lambda request id.
var uuid = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
})

// numberRun matches a number as normalised by FailureKey ("#", "-#",
// "#.#", "#.#+#", "#-#-#" of an id): it collapses into one "#".
var numberRun = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-+]*#(?:[.+-]+#)*`) })

// FailureKey returns the reason an error message is grouped under by
// Failures: its first line (FirstLine), with every value a trial makes
// different replaced by "#". Replaced are quoted values, words that
// start with a digit (numbers, "12ms", "1e308"), NaN and Inf, UUIDs, and
// words of eight or more hexadecimal digits with a digit among them
// (request ids, hashes); numbers with a sign, a decimal point or an exponent
// become one "#". Words that have a digit after a letter, such as the parameter
// x1 or s3://, are kept, so different parameters stay different reasons.
func FailureKey(msg string) string {
	line := quoted().ReplaceAllString(FirstLine(msg), `"#"`)
	line = uuid().ReplaceAllString(line, "#")
	var b strings.Builder
	b.Grow(len(line))
	for i := 0; i < len(line); {
		if !isWordByte(line, i) {
			_, size := utf8.DecodeRuneInString(line[i:])
			b.WriteString(line[i : i+size])
			i += size
			continue
		}
		j := i
		for j < len(line) && isWordByte(line, j) {
			j++
		}
		if w := line[i:j]; valueWord(w) && w != "#" {
			b.WriteByte('#')
		} else {
			b.WriteString(w)
		}
		i = j
	}
	return numberRun().ReplaceAllString(b.String(), "#")
}

// isWordByte reports whether line[i] is part of a word: an ASCII letter,
// digit or underscore ('#' too, a value already replaced).
func isWordByte(line string, i int) bool {
	c := line[i]
	return c == '_' || c == '#' || c < utf8.RuneSelf && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)))
}

// valueWord reports whether w, a word, is a value that FailureKey
// replaces.
func valueWord(w string) bool {
	switch {
	case w[0] >= '0' && w[0] <= '9':
		return true
	case w == "NaN" || w == "Inf":
		return true
	case len(w) < 8:
		return false
	}
	digit := false
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return digit
}

// ShortError returns msg shortened to at most width characters for one
// cell or line: its first line (FirstLine), escaped as by Printable, cut
// with "…" when longer. An escape is never cut in half.
func ShortError(msg string, width int) string {
	line := FirstLine(msg)
	if p := Printable(line); utf8.RuneCountInString(p) <= width {
		return p
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(line); {
		_, size := utf8.DecodeRuneInString(line[i:])
		e := Printable(line[i : i+size])
		if k := utf8.RuneCountInString(e); n+k < width {
			b.WriteString(e)
			n += k
			i += size
			continue
		}
		break
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

// MaxFailureReasons is how many reasons WriteFailures lists.
const MaxFailureReasons = 5

// failureWidth is the width WriteFailures cuts an example error to.
const failureWidth = 100

// WriteFailures writes, for people, the failure reasons of a study
// (Failures), at most MaxFailureReasons of them, one line each: the count,
// the error of the reason's first trial (ShortError) and that trial's
// number, then how many more trials failed for other reasons. It writes
// nothing when there are none. Errors are escaped (Printable).
func WriteFailures(w io.Writer, reasons []FailureReason) error {
	if len(reasons) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(w, "failed trials by reason:"); err != nil {
		return fmt.Errorf("results: write failures: %w", err)
	}
	shown := reasons[:min(len(reasons), MaxFailureReasons)]
	for _, r := range shown {
		example := ShortError(r.Example, failureWidth)
		if example == "" {
			example = "(no reason recorded)"
		}
		first := "first: "
		if r.Count == 1 {
			first = ""
		}
		if _, err := fmt.Fprintf(w, "  %d× %s (%strial %d)\n", r.Count, example, first, r.Trial); err != nil {
			return fmt.Errorf("results: write failures: %w", err)
		}
	}
	if rest := reasons[len(shown):]; len(rest) > 0 {
		n := 0
		for _, r := range rest {
			n += r.Count
		}
		if _, err := fmt.Fprintf(w, "  %d more for %d other reasons\n", n, len(rest)); err != nil {
			return fmt.Errorf("results: write failures: %w", err)
		}
	}
	return nil
}
