package worker

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// peakMemory returns the process's peak resident set size (VmHWM) where
// /proc provides it, as Lambda's "Max Memory Used" does, and otherwise the
// memory the Go runtime has obtained from the OS.
func peakMemory() uint64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				fields := strings.Fields(rest)
				if len(fields) >= 1 {
					if kb, err := strconv.ParseUint(fields[0], 10, 64); err == nil {
						return kb * 1024
					}
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Sys
}
