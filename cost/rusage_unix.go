//go:build unix

package cost

import "syscall"

// ProcessCPUSeconds returns the user and system CPU time this process has
// used so far (getrusage RUSAGE_SELF); ok is false where that is unknown.
// Take the difference of two calls around a local study for
// Backend.CPUSeconds.
func ProcessCPUSeconds() (seconds float64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime), true
}
