package emulate

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// memoryWatch samples the resident memory of the runtime processes an
// emulator process started, records the peak, and kills a runtime whose
// resident set exceeds the limit, as Lambda does when a function runs out
// of memory.
type memoryWatch struct {
	pid     int
	limitKB int64
	peakKB  atomic.Int64
	killed  atomic.Bool
	stopc   chan struct{}
	wg      sync.WaitGroup
}

// watchMemory starts sampling every interval until stop is called.
func watchMemory(pid int, limitMB int, interval time.Duration) *memoryWatch {
	w := &memoryWatch{pid: pid, limitKB: int64(limitMB) << 10, stopc: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop takes a last sample and stops the watch. It returns the peak
// resident memory in MB and whether a runtime was killed for exceeding
// the limit.
func (w *memoryWatch) stop() (peakMB int64, killed bool) {
	close(w.stopc)
	w.wg.Wait()
	w.sample()
	return (w.peakKB.Load() + 1023) >> 10, w.killed.Load()
}

func (w *memoryWatch) sample() {
	for _, child := range children(w.pid) {
		rss, hwm, ok := residentKB(child)
		if !ok {
			continue
		}
		if hwm > w.peakKB.Load() {
			w.peakKB.Store(hwm)
		}
		if w.limitKB > 0 && rss > w.limitKB {
			if syscall.Kill(child, syscall.SIGKILL) == nil {
				w.killed.Store(true)
			}
		}
	}
}

// children lists the child processes of pid from /proc/PID/task/*/children.
func children(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// residentKB reads VmRSS and VmHWM (peak) from /proc/PID/status.
func residentKB(pid int) (rss, hwm int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, false
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		k, v, found := strings.Cut(s.Text(), ":")
		if !found {
			continue
		}
		switch k {
		case "VmRSS":
			rss = parseKB(v)
		case "VmHWM":
			hwm = parseKB(v)
		}
	}
	return rss, hwm, true
}

func parseKB(v string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
	return n
}
