package results

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Printable returns s fit to print on a terminal as part of one line:
// every character that could drive the terminal rather than show on it
// is replaced by a visible escape in Go's notation, so that a parameter
// value, a model name, an error or a study name taken from a spec, a
// journal or a dataset cannot move the cursor, recolour the screen, set
// the window title or hide text. Escaped are the C0 controls (newline and
// tab included: a table cell is one line) and DEL as \x1b; the C1
// controls as \u009b; bytes that are not UTF-8 as \xff; and the Unicode
// line and paragraph separators and bidirectional controls, which
// reorder or break what follows them, as \u202e. A backslash is left as
// it is. Every command prints text it did not write itself through
// Printable or PrintableLines.
func Printable(s string) string { return escape(s, false) }

// PrintableLines is Printable for text of several lines, such as an
// error message with a stack trace: it keeps newlines and tabs.
func PrintableLines(s string) string { return escape(s, true) }

func escape(s string, keepLines bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size, keepLines) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !unsafeRune(r, size, keepLines):
			b.WriteString(s[i : i+size])
		case r == utf8.RuneError || r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, s[i]) // a C0 control, DEL or a byte that is not UTF-8
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether r, decoded from size bytes, must be escaped.
func unsafeRune(r rune, size int, keepLines bool) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r == '\n' || r == '\t':
		return !keepLines
	case r < 0x20 || r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r <= 0x9f: // C1 controls, CSI (U+009B) among them
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // bidirectional marks
		r >= 0x202a && r <= 0x202e, // embeddings and overrides
		r >= 0x2066 && r <= 0x2069, // isolates
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}

// plainNumber matches a cell that spreadsheets read as a number and
// nothing else: a sign, digits, a decimal point, an exponent. It compiles
// on first use.
var plainNumber = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`)
})

// CSVCell returns s, a text cell of a CSV file, made safe to open in a
// spreadsheet, as OWASP advises against CSV injection: a cell that
// starts with =, +, - or @ (or their full-width forms, which some
// spreadsheets read as the same), a tab, a carriage return or a line feed
// would be read as a formula, so it gets a leading single quote ('=HYPERLINK(...)
// shows as text) — unless it is a plain number such as -0.5, which stays
// a number. Control characters other than newline and tab are escaped as
// by PrintableLines.
func CSVCell(s string) string {
	s = PrintableLines(s)
	if s == "" || plainNumber().MatchString(s) {
		return s
	}
	switch r, _ := utf8.DecodeRuneInString(s); r {
	case '=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}
