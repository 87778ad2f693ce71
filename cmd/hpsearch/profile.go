package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// envCPUProfile names the file that "hpsearch run" (and resume, which
// runs through it) writes a CPU profile of the whole run to, for
// `go tool pprof`; unset, nothing is profiled.
const envCPUProfile = "HPSEARCH_CPUPROFILE"

// startCPUProfile starts profiling the process's CPU into the file that
// getenv(envCPUProfile) names, and returns the function that stops the
// profile and closes the file. With the variable unset it does nothing.
// The profile covers everything the process does from here on: the
// scheduler, the executor's SDK calls, the journal and the refit.
func startCPUProfile(getenv func(string) string) (stop func() error, err error) {
	path := getenv(envCPUProfile)
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envCPUProfile, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %s: %w", envCPUProfile, path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s: %s: %w", envCPUProfile, path, err)
		}
		return nil
	}, nil
}
