//go:build !unix

package knn_test

// cpuSeconds is not measured here: benchmarks report 0 CPU seconds.
func cpuSeconds() float64 { return 0 }
