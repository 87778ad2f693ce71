//go:build !purego

package dense

// useAssembly turns the assembly kernels on (where the CPU has them) or
// off, for tests and benchmarks of both paths, and returns a function
// that restores the setting. Tests that call it must not run in parallel.
func useAssembly(on bool) (restore func()) {
	saved := hasAVX2FMA
	hasAVX2FMA = on && saved
	return func() { hasAVX2FMA = saved }
}

// assemblyAvailable reports whether this machine runs the assembly
// kernels.
func assemblyAvailable() bool { return hasAVX2FMA }
