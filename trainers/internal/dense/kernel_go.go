package dense

import (
	"math"
	"runtime"
)

// smallRegisterFile is true where the Go compiler has 15 floating-point
// registers to allocate (amd64) rather than 32 (arm64 and others): the
// portable kernels then work on 2×4 sub-tiles, whose 8 accumulators, 2
// values of A and 4 of B fit, instead of 4×4 ones that would spill.
const smallRegisterFile = runtime.GOARCH == "amd64" || runtime.GOARCH == "386"

// kernelGo is the portable micro-kernel: tile = ap·bp for a packed k×mr
// panel of A and k×nr panel of B, by register-sized sub-tiles.
func kernelGo(k int, ap, bp []float64, tile *[mr * nr]float64) {
	ap, bp = ap[:k*mr], bp[:k*nr]
	for c0 := 0; c0 < nr; c0 += 4 {
		if smallRegisterFile {
			mul2x4(k, ap, bp, 0, c0, tile)
			mul2x4(k, ap, bp, 2, c0, tile)
		} else {
			mul4x4(k, ap, bp, c0, tile)
		}
	}
}

// mul4x4 computes rows 0..3 and columns c0..c0+3 of the tile.
func mul4x4(k int, ap, bp []float64, c0 int, tile *[mr * nr]float64) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	for p := range k {
		a := (*[mr]float64)(ap[p*mr:])
		b := (*[4]float64)(bp[p*nr+c0:])
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0 := a[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := a[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	t := tile[c0:]
	t[0], t[1], t[2], t[3] = c00, c01, c02, c03
	t[8], t[9], t[10], t[11] = c10, c11, c12, c13
	t[16], t[17], t[18], t[19] = c20, c21, c22, c23
	t[24], t[25], t[26], t[27] = c30, c31, c32, c33
}

// mul2x4 computes rows r0, r0+1 and columns c0..c0+3 of the tile.
func mul2x4(k int, ap, bp []float64, r0, c0 int, tile *[mr * nr]float64) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	for p := range k {
		a := (*[2]float64)(ap[p*mr+r0:])
		b := (*[4]float64)(bp[p*nr+c0:])
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0, a1 := a[0], a[1]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	t := tile[r0*nr+c0:]
	t[0], t[1], t[2], t[3] = c00, c01, c02, c03
	t[8], t[9], t[10], t[11] = c10, c11, c12, c13
}

// l1KernelGo is kernelGo for L1 distances: tile[r*nr+j] = Σ_p
// |ap[p*mr+r] - bp[p*nr+j]|, summed in order of p as the assembly does.
func l1KernelGo(k int, ap, bp []float64, tile *[mr * nr]float64) {
	ap, bp = ap[:k*mr], bp[:k*nr]
	for c0 := 0; c0 < nr; c0 += 4 {
		if smallRegisterFile {
			l1x2x4(k, ap, bp, 0, c0, tile)
			l1x2x4(k, ap, bp, 2, c0, tile)
		} else {
			l1x4x4(k, ap, bp, c0, tile)
		}
	}
}

// l1x2x4 computes rows r0, r0+1 and columns c0..c0+3 of an L1 tile.
func l1x2x4(k int, ap, bp []float64, r0, c0 int, tile *[mr * nr]float64) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	for p := range k {
		a := (*[2]float64)(ap[p*mr+r0:])
		b := (*[4]float64)(bp[p*nr+c0:])
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0, a1 := a[0], a[1]
		c00 += math.Abs(a0 - b0)
		c01 += math.Abs(a0 - b1)
		c02 += math.Abs(a0 - b2)
		c03 += math.Abs(a0 - b3)
		c10 += math.Abs(a1 - b0)
		c11 += math.Abs(a1 - b1)
		c12 += math.Abs(a1 - b2)
		c13 += math.Abs(a1 - b3)
	}
	t := tile[r0*nr+c0:]
	t[0], t[1], t[2], t[3] = c00, c01, c02, c03
	t[8], t[9], t[10], t[11] = c10, c11, c12, c13
}

// l1x4x4 computes rows 0..3 and columns c0..c0+3 of an L1 tile.
func l1x4x4(k int, ap, bp []float64, c0 int, tile *[mr * nr]float64) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	for p := range k {
		a := (*[mr]float64)(ap[p*mr:])
		b := (*[4]float64)(bp[p*nr+c0:])
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0 := a[0]
		c00 += math.Abs(a0 - b0)
		c01 += math.Abs(a0 - b1)
		c02 += math.Abs(a0 - b2)
		c03 += math.Abs(a0 - b3)
		a1 := a[1]
		c10 += math.Abs(a1 - b0)
		c11 += math.Abs(a1 - b1)
		c12 += math.Abs(a1 - b2)
		c13 += math.Abs(a1 - b3)
		a2 := a[2]
		c20 += math.Abs(a2 - b0)
		c21 += math.Abs(a2 - b1)
		c22 += math.Abs(a2 - b2)
		c23 += math.Abs(a2 - b3)
		a3 := a[3]
		c30 += math.Abs(a3 - b0)
		c31 += math.Abs(a3 - b1)
		c32 += math.Abs(a3 - b2)
		c33 += math.Abs(a3 - b3)
	}
	t := tile[c0:]
	t[0], t[1], t[2], t[3] = c00, c01, c02, c03
	t[8], t[9], t[10], t[11] = c10, c11, c12, c13
	t[16], t[17], t[18], t[19] = c20, c21, c22, c23
	t[24], t[25], t[26], t[27] = c30, c31, c32, c33
}
