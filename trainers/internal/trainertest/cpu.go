package trainertest

import "github.com/hpsearch/hpsearch/cost"

// CPUSeconds returns the CPU time (user and system) this process has used,
// 0 where the platform does not say. Benchmarks report it per operation
// next to wall time: on a shared machine it is the figure to set against
// scikit-learn's time.process_time.
func CPUSeconds() float64 {
	s, _ := cost.ProcessCPUSeconds()
	return s
}
