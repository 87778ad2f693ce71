//go:build !purego

package dense

import "golang.org/x/sys/cpu"

// hasAVX2FMA selects the assembly micro-kernels.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel4x8AVX2 is kernelGo in AVX2+FMA assembly; k must be at least 1.
//
//go:noescape
func kernel4x8AVX2(k int, ap, bp *float64, tile *[mr * nr]float64)

// kernel4x8AddAVX2 adds alpha·ap·bp to the full mr×nr block of C at c.
//
//go:noescape
func kernel4x8AddAVX2(k int, ap, bp *float64, alpha float64, c *float64, ldc int)

func kernel(k int, ap, bp []float64, tile *[mr * nr]float64) {
	if hasAVX2FMA && k > 0 {
		_, _ = ap[k*mr-1], bp[k*nr-1]
		kernel4x8AVX2(k, &ap[0], &bp[0], tile)
		return
	}
	kernelGo(k, ap, bp, tile)
}

// kernelAdd adds alpha·ap·bp to the full mr×nr block of C starting at
// c[0] with row stride ldc, and reports whether it could: without
// AVX2+FMA the caller goes through kernel and a tile.
func kernelAdd(k int, ap, bp []float64, alpha float64, c []float64, ldc int) bool {
	if !hasAVX2FMA || k == 0 {
		return false
	}
	_, _, _ = ap[k*mr-1], bp[k*nr-1], c[(mr-1)*ldc+nr-1]
	kernel4x8AddAVX2(k, &ap[0], &bp[0], alpha, &c[0], ldc)
	return true
}

// l1Kernel4x8AddAVX2 adds the L1 distances between the rows of the
// packed panels to the full mr×nr block of C at c.
//
//go:noescape
func l1Kernel4x8AddAVX2(k int, ap, bp *float64, c *float64, ldc int)

// l1KernelAdd is kernelAdd for L1 distances: alpha is ignored (always 1).
func l1KernelAdd(k int, ap, bp []float64, _ float64, c []float64, ldc int) bool {
	if !hasAVX2FMA || k == 0 {
		return false
	}
	_, _, _ = ap[k*mr-1], bp[k*nr-1], c[(mr-1)*ldc+nr-1]
	l1Kernel4x8AddAVX2(k, &ap[0], &bp[0], &c[0], ldc)
	return true
}
