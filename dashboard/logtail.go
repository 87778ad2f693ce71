package dashboard

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds of a trial page's log tail.
const (
	// LogTailLines is the most lines of a trial's log the trial page shows.
	LogTailLines = 40
	// LogTailBytes is the most bytes read from the end of a trial's log.
	LogTailBytes = 64 << 10
)

// logTail returns the last LogTailLines lines of the last LogTailBytes of
// trial n's log, trials/N.log in the study directory dir (where
// commandrun writes a command objective's output), with control
// characters and invalid UTF-8 escaped so that the page shows them as
// text. It reads through an os.Root of dir: a log that is a symbolic link
// leading out of the study directory, or whose trials directory is one,
// is not read, nor is anything but a regular file (a FIFO would block).
// ok is false when there is no such log to show; a study kept in S3 has
// none.
func logTail(dir string, n int) (tail, rel string, ok bool) {
	if dir == "" || strings.HasPrefix(dir, "s3://") || n < 0 {
		return "", "", false
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", "", false
	}
	defer root.Close()
	rel = path.Join("trials", strconv.Itoa(n)+".log")
	fi, err := root.Stat(rel)
	if err != nil || !fi.Mode().IsRegular() {
		return "", "", false
	}
	f, err := root.Open(rel)
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	size := fi.Size()
	from := max(0, size-LogTailBytes)
	buf, err := io.ReadAll(io.NewSectionReader(f, from, size-from))
	if err != nil {
		return "", "", false
	}
	if from > 0 {
		// The first line is cut; drop it unless it is all there is.
		if i := bytes.IndexByte(buf, '\n'); i >= 0 && i+1 < len(buf) {
			buf = buf[i+1:]
		}
	}
	lines := strings.Split(strings.TrimRight(string(buf), "\n"), "\n")
	lines = lines[max(0, len(lines)-LogTailLines):]
	for i, l := range lines {
		lines[i] = escapeControls(l)
	}
	return strings.Join(lines, "\n"), rel, true
}

// escapeControls writes control characters (but tab), the bidirectional
// overrides and isolates, and bytes that are not UTF-8 as Go escapes: a
// log's ANSI colours read as \x1b[31m rather than vanishing, and no byte
// of it can reorder or hide the text around it.
func escapeControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
