//go:build !linux

package emulate

import "time"

// memoryWatch is a no-op outside Linux: there is no /proc to sample.
type memoryWatch struct{}

func watchMemory(pid int, limitMB int, interval time.Duration) *memoryWatch { return &memoryWatch{} }

func (w *memoryWatch) stop() (peakMB int64, killed bool) { return 0, false }
