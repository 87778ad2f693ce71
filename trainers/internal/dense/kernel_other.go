//go:build !amd64 || purego

package dense

func kernel(k int, ap, bp []float64, tile *[mr * nr]float64) { kernelGo(k, ap, bp, tile) }

// kernelAdd reports that there is no fused kernel: the caller goes
// through kernel and a tile.
func kernelAdd(k int, ap, bp []float64, alpha float64, c []float64, ldc int) bool { return false }

// l1KernelAdd reports that there is no fused L1 kernel.
func l1KernelAdd(k int, ap, bp []float64, alpha float64, c []float64, ldc int) bool { return false }
