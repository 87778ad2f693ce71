package emulate

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// maxCapture bounds what is kept of one invocation's log; only the tail
// is reported (Lambda's X-Amz-Log-Result carries the last 4 KB).
const maxCapture = 64 << 10

// logCapture receives an environment's stdout and stderr. It appends
// everything to file and keeps the lines of the current invocation, less
// the emulator's own "(rapid)" diagnostics, which Lambda does not show.
type logCapture struct {
	file io.Writer

	mu       sync.Mutex
	partial  []byte
	lines    []byte
	reportID string        // REPORT line awaited
	reported chan struct{} // closed when it arrives
}

func newLogCapture(file io.Writer) *logCapture {
	return &logCapture{file: file, reported: make(chan struct{})}
}

func (c *logCapture) Write(p []byte) (int, error) {
	if c.file != nil {
		_, _ = c.file.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		line := c.partial[:i+1]
		if !bytes.Contains(line, []byte("] (rapid) ")) {
			c.lines = append(c.lines, line...)
			if len(c.lines) > maxCapture {
				c.lines = append(c.lines[:0], c.lines[len(c.lines)-maxCapture:]...)
			}
			if c.reportID != "" && bytes.HasPrefix(line, []byte("REPORT RequestId: "+c.reportID)) {
				close(c.reported)
				c.reportID = ""
			}
		}
		c.partial = c.partial[i+1:]
	}
	if len(c.partial) == 0 {
		c.partial = nil
	}
	return len(p), nil
}

// begin starts capturing the log of invocation id.
func (c *logCapture) begin(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = nil
	c.reportID = id
	c.reported = make(chan struct{})
}

// end waits up to wait for the invocation's REPORT line, which the
// emulator prints just before it answers but which reaches this process
// through a pipe, and returns the invocation's log.
func (c *logCapture) end(wait time.Duration) []byte {
	c.mu.Lock()
	ch := c.reported
	c.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(wait):
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reportID = ""
	out := append([]byte(nil), c.lines...)
	if len(c.partial) > 0 {
		out = append(out, c.partial...)
	}
	return out
}

// maxMemoryRE compiles on first use, not when hpsearch starts.
var maxMemoryRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Max Memory Used: \d+ MB`) })

// setMaxMemoryUsed replaces the emulator's Max Memory Used, which it sets
// to the memory size, with the measured peak.
func setMaxMemoryUsed(log []byte, mb int64) []byte {
	return maxMemoryRE().ReplaceAll(log, []byte("Max Memory Used: "+strconv.FormatInt(mb, 10)+" MB"))
}

// logTail returns the last n bytes of log.
func logTail(log []byte, n int) []byte {
	if len(log) > n {
		return log[len(log)-n:]
	}
	return log
}
