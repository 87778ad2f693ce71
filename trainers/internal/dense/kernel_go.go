package dense

// kernelGo is the portable micro-kernel: tile = ap·bp for a packed
// k×mr panel of A and k×nr panel of B, as two 4×4 halves so that the 16
// accumulators, 4 values of A and 4 of B fit the 32 floating-point
// registers of arm64.
func kernelGo(k int, ap, bp []float64, tile *[mr * nr]float64) {
	kernel4x4(k, ap, bp, 0, tile)
	kernel4x4(k, ap, bp, 4, tile)
}

func kernel4x4(k int, ap, bp []float64, off int, tile *[mr * nr]float64) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float64
	var c20, c21, c22, c23, c30, c31, c32, c33 float64
	ap = ap[:k*mr]
	bp = bp[off : off+(k-1)*nr+4]
	for len(ap) >= mr && len(bp) >= 4 {
		a := (*[mr]float64)(ap)
		b := (*[4]float64)(bp)
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
		ap = ap[mr:]
		if len(bp) < nr {
			break
		}
		bp = bp[nr:]
	}
	t := tile[off:]
	t[0], t[1], t[2], t[3] = c00, c01, c02, c03
	t[8], t[9], t[10], t[11] = c10, c11, c12, c13
	t[16], t[17], t[18], t[19] = c20, c21, c22, c23
	t[24], t[25], t[26], t[27] = c30, c31, c32, c33
}
