package dense

import "golang.org/x/sys/cpu"

// hasAVX2FMA selects the assembly micro-kernel.
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel4x8AVX2 is kernelGo in AVX2+FMA assembly; k must be at least 1.
//
//go:noescape
func kernel4x8AVX2(k int, ap, bp *float64, tile *[mr * nr]float64)

func kernel(k int, ap, bp []float64, tile *[mr * nr]float64) {
	if hasAVX2FMA && k > 0 {
		_, _ = ap[k*mr-1], bp[k*nr-1]
		kernel4x8AVX2(k, &ap[0], &bp[0], tile)
		return
	}
	kernelGo(k, ap, bp, tile)
}
