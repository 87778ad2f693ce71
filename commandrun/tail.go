package commandrun

import (
	"strings"
	"sync"
)

// Bounds of the standard error kept for a failed trial's message.
const (
	tailLines     = 8
	tailLineBytes = 300
)

// tail keeps the last lines written to it, for the error of a failed
// trial. It is safe for concurrent use.
type tail struct {
	mu      sync.Mutex
	lines   []string // complete lines, at most tailLines
	partial []byte   // the line being written
}

// Write implements io.Writer; it never fails.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, b := range p {
		if b == '\n' {
			t.push()
			continue
		}
		if len(t.partial) < tailLineBytes {
			t.partial = append(t.partial, b)
		}
	}
	return len(p), nil
}

func (t *tail) push() {
	line := strings.TrimRight(string(t.partial), "\r \t")
	t.partial = t.partial[:0]
	if line == "" {
		return
	}
	if len(t.lines) == tailLines {
		copy(t.lines, t.lines[1:])
		t.lines = t.lines[:tailLines-1]
	}
	t.lines = append(t.lines, line)
}

// String returns the kept lines joined by " | ", the unfinished last
// line included.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.lines
	if len(t.partial) > 0 {
		lines = append(lines[:len(lines):len(lines)], string(t.partial))
		if len(lines) > tailLines {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, " | ")
}
