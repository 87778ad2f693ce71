//go:build !unix

package cost

// ProcessCPUSeconds returns the user and system CPU time this process has
// used so far; ok is false where that is unknown, as here.
func ProcessCPUSeconds() (seconds float64, ok bool) { return 0, false }
