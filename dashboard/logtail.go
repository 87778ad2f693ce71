package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hpsearch/hpsearch/report"
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
// none here (see RemoteLogs).
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
	return tailLines(buf, from > 0), rel, true
}

// tailLines returns the last LogTailLines lines of buf, the end of a log
// (cut says bytes before it were not read), escaped as escapeControls
// does.
func tailLines(buf []byte, cut bool) string {
	if cut {
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
	return strings.Join(lines, "\n")
}

// RemoteLogs reads the logs of trials that ran away from this machine: a
// command study's trials on Lambda, whose workers store their logs in S3
// (docs/lambda-logs.md). The trial page shows such a log when the study
// directory has none of its own. Implementations must be safe for
// concurrent use, must only read, and should honour ctx's cancellation
// (a page's request).
type RemoteLogs interface {
	// LogTail returns the last max bytes (or fewer) of the log of
	// attempt a of trial n of st, or of its last attempt when a is 0;
	// cut says bytes before them were left out; where is what the page
	// names the log by (an s3:// URL). An error means there is no log to
	// show, and the page shows none.
	LogTail(ctx context.Context, st *report.Study, n, a int, max int64) (tail []byte, cut bool, where string, err error)
}

// remoteLogTail is logTail for a log that logs reads: the same bounds and
// escaping. ok is false when there is none to show.
func remoteLogTail(ctx context.Context, logs RemoteLogs, st *report.Study, n, a int) (tail, where string, ok bool) {
	if logs == nil || st == nil || n < 0 {
		return "", "", false
	}
	buf, cut, where, err := logs.LogTail(ctx, st, n, a, LogTailBytes)
	if err != nil {
		return "", "", false
	}
	return tailLines(buf[max(0, len(buf)-LogTailBytes):], cut || len(buf) > LogTailBytes), escapeControls(where), true
}

// lastAttempt returns the attempt of d's last result that names one
// (Result.Backend["attempt"], which the Lambda backend records), or 0.
func lastAttempt(d TrialDetail) int {
	for i := len(d.Results) - 1; i >= 0; i-- {
		if a, ok := d.Results[i].Backend["attempt"]; ok && a >= 1 {
			return int(a)
		}
	}
	return 0
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
