package dense

import (
	"fmt"
	"sync"
)

// Tile sizes of the micro-kernel (mr rows of op(A) by nr columns of
// op(B)) and the cache blocks around it: a kc×nc panel of op(B) (at most
// 256 KiB) stays in L2 while mc×kc panels of op(A) (at most 128 KiB)
// stream past it.
const (
	mr = 4
	nr = 8
	kc = 256
	mc = 64
	nc = 128
)

// workspace holds the packed panels of one Gemm call.
type workspace struct {
	a, b []float64
}

var workspaces = sync.Pool{New: func() any {
	return &workspace{a: make([]float64, mc*kc), b: make([]float64, kc*nc)}
}}

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices:
// op(A) is m×k, op(B) is k×n and C is m×n, with op(X) = Xᵀ when the
// matching trans flag is set. lda, ldb and ldc are the row strides of A,
// B and C as stored. With beta = 0, C is overwritten (NaNs in it do not
// propagate). Gemm is safe for concurrent use on distinct C.
func Gemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if beta != 1 {
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	var tile [mr * nr]float64
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(ws.b, transB, b, ldb, pc, kb, jc, nb)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				packA(ws.a, transA, a, lda, ic, mb, pc, kb)
				for jr := 0; jr < nb; jr += nr {
					bp := ws.b[jr*kb : (jr+nr)*kb]
					cols := min(nr, nb-jr)
					for ir := 0; ir < mb; ir += mr {
						kernel(kb, ws.a[ir*kb:(ir+mr)*kb], bp, &tile)
						rows := min(mr, mb-ir)
						for r := range rows {
							ci := (ic+ir+r)*ldc + jc + jr
							crow := c[ci : ci+cols]
							t := tile[r*nr : r*nr+cols]
							for j, v := range t {
								crow[j] += alpha * v
							}
						}
					}
				}
			}
		}
	}
}

// packA copies rows [i0, i0+mb) and columns [p0, p0+kb) of op(A) into
// panels of mr rows: panel q holds, for each p, the mr values of column
// p, zero-padded past mb.
func packA(dst []float64, trans bool, a []float64, lda, i0, mb, p0, kb int) {
	for ir := 0; ir < mb; ir += mr {
		panel := dst[ir*kb : (ir+mr)*kb]
		rows := min(mr, mb-ir)
		if rows < mr {
			clear(panel)
		}
		for r := range rows {
			i := i0 + ir + r
			if trans { // op(A)(i, p) = A[p][i]
				for p := range kb {
					panel[p*mr+r] = a[(p0+p)*lda+i]
				}
				continue
			}
			src := a[i*lda+p0 : i*lda+p0+kb]
			for p, v := range src {
				panel[p*mr+r] = v
			}
		}
	}
}

// packB copies rows [p0, p0+kb) and columns [j0, j0+nb) of op(B) into
// panels of nr columns: panel q holds, for each p, the nr values of row
// p, zero-padded past nb.
func packB(dst []float64, trans bool, b []float64, ldb, p0, kb, j0, nb int) {
	for jr := 0; jr < nb; jr += nr {
		panel := dst[jr*kb : (jr+nr)*kb]
		cols := min(nr, nb-jr)
		if cols < nr {
			clear(panel)
		}
		if trans { // op(B)(p, j) = B[j][p]
			for cc := range cols {
				src := b[(j0+jr+cc)*ldb+p0 : (j0+jr+cc)*ldb+p0+kb]
				for p, v := range src {
					panel[p*nr+cc] = v
				}
			}
			continue
		}
		for p := range kb {
			src := b[(p0+p)*ldb+j0+jr : (p0+p)*ldb+j0+jr+cols]
			copy(panel[p*nr:p*nr+cols], src)
		}
	}
}

// checkGemm panics on shapes that do not fit the slices: a programming
// error, like an out-of-range index.
func checkGemm(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	switch {
	case m < 0 || n < 0 || k < 0:
		panic(fmt.Sprintf("dense: negative dimension %d×%d×%d", m, n, k))
	case !fits(a, ar, ac, lda):
		panic(fmt.Sprintf("dense: A of %d values does not hold %d×%d with stride %d", len(a), ar, ac, lda))
	case !fits(b, br, bc, ldb):
		panic(fmt.Sprintf("dense: B of %d values does not hold %d×%d with stride %d", len(b), br, bc, ldb))
	case !fits(c, m, n, ldc):
		panic(fmt.Sprintf("dense: C of %d values does not hold %d×%d with stride %d", len(c), m, n, ldc))
	}
}

func fits(x []float64, rows, cols, ld int) bool {
	if rows == 0 || cols == 0 {
		return ld >= 0
	}
	return ld >= cols && len(x) >= (rows-1)*ld+cols
}
