//go:build !purego

package boosting

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX selects addRowsAVX and subtractAVX.
var hasAVX = cpu.X86.HasAVX

// addRowsAVX and subtractAVX rely on bucket being {g, h float64; n int}.
var (
	_ [unsafe.Sizeof(bucket{}) - 24]struct{}
	_ [24 - unsafe.Sizeof(bucket{})]struct{}
)

// addRowsAVX is addRowsGo in assembly, nrows rows from rows, hess nil for
// none. It adds a row's gradient and hessian to a bucket with one 16-byte
// addition, so it needs the bucket layout above, and it does not check
// bounds: every row must have p bins in bins and a gradient (and
// hessian), and every bin of feature f must be below off[f+1]−off[f].
//
//go:noescape
func addRowsAVX(h *bucket, rows *int32, nrows int, bins *uint8, p int, off *int, grad, hess *float64, count bool)

// addRows is addRowsGo, in assembly where the CPU has AVX. The bins and
// rows come from a binned set and a grower, which keep them in range
// (every bin of feature f below off[f+1]−off[f], every row below
// len(grad)); what is checked here are the lengths that tie them.
func addRows(h histogram, rows []int32, bins []uint8, p int, off []int, grad, hess []float64, count bool) {
	if !hasAVX || len(rows) == 0 || p == 0 {
		addRowsGo(h, rows, bins, p, off, grad, hess, count)
		return
	}
	n := len(bins) / p
	if len(off) < p+1 || len(grad) < n || hess != nil && len(hess) < n || len(h) < off[p] {
		panic("boosting: addRows: inconsistent lengths")
	}
	var hp *float64
	if hess != nil {
		hp = &hess[0]
	}
	addRowsAVX(&h[0], &rows[0], len(rows), &bins[0], p, &off[0], &grad[0], hp, count)
}

// scanNode's layout, which scanAMD64 relies on.
var (
	_ [unsafe.Offsetof(scanNode{}.maxLeft) - 16]struct{}
	_ [16 - unsafe.Offsetof(scanNode{}.maxLeft)]struct{}
	_ [unsafe.Offsetof(scanNode{}.shrink) - 48]struct{}
	_ [48 - unsafe.Offsetof(scanNode{}.shrink)]struct{}
	_ [unsafe.Offsetof(scanNode{}.n) - 56]struct{}
	_ [56 - unsafe.Offsetof(scanNode{}.n)]struct{}
)

// scanAMD64 is scanGo in SSE2 assembly: the same operations in the same
// order, without the register shuffling the compiler adds to scanGo's
// loop.
//
//go:noescape
func scanAMD64(hb []bucket, lg, lh float64, ln int, c *scanNode, bestGain float64) (float64, int)

// scan is scanGo in assembly (SSE2 is part of amd64).
func scan(hb []bucket, lg, lh float64, ln int, c *scanNode, bestGain float64) (float64, int) {
	return scanAMD64(hb, lg, lh, ln, c, bestGain)
}

// scanUnitAMD64 is scanUnitGo in SSE2 assembly; inv must have c.n+1
// elements.
//
//go:noescape
func scanUnitAMD64(hb []bucket, lg float64, ln int, c *scanNode, inv *float64, bestGain float64) (float64, int)

// scanUnit is scanUnitGo in assembly.
func scanUnit(hb []bucket, lg float64, ln int, c *scanNode, inv []float64, bestGain float64) (float64, int) {
	if ln < 0 || c.maxLeft > c.n || len(inv) < c.n+1 {
		panic("boosting: scanUnit: counts out of range")
	}
	return scanUnitAMD64(hb, lg, ln, c, &inv[0], bestGain)
}

// subtractAVX is subtractGo over n buckets in assembly.
//
//go:noescape
func subtractAVX(h, o *bucket, n int)

// subtractBuckets is subtractGo, in assembly where the CPU has AVX; o
// must be at least as long as h.
func subtractBuckets(h, o histogram) {
	if !hasAVX || len(h) == 0 {
		subtractGo(h, o)
		return
	}
	_ = o[len(h)-1]
	subtractAVX(&h[0], &o[0], len(h))
}
