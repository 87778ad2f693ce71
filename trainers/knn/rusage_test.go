//go:build unix

package knn_test

import "syscall"

// cpuSeconds returns the CPU time (user and system) this process has
// used. Benchmarks report it per operation next to wall time: on a shared
// machine it is the figure to set against sklearn's time.process_time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
