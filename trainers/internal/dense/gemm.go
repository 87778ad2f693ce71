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
	scale(m, n, beta, c, ldc)
	if k == 0 || alpha == 0 {
		return
	}
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	gemm(m, n, k, alpha,
		func(ic, mb, pc, kb int) []float64 {
			packA(ws.a, transA, a, lda, ic, mb, pc, kb)
			return ws.a
		},
		func(jc, nb, pc, kb int) []float64 {
			packB(ws.b, transB, b, ldb, pc, kb, jc, nb)
			return ws.b
		},
		c, ldc)
}

// scale multiplies the m×n matrix C by beta; with beta = 0 it clears it.
func scale(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
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

// gemm adds alpha·op(A)·op(B) to C, blocking the product and getting
// each block of op(A) (rows [ic, ic+mb), columns [pc, pc+kb)) and of
// op(B) (rows [pc, pc+kb), columns [jc, jc+nb)) packed from packedA and
// packedB. A block of op(B) is used before the next is asked for, so the
// two functions may reuse one buffer each.
func gemm(m, n, k int, alpha float64, packedA, packedB func(i0, rows, p0, depth int) []float64, c []float64, ldc int) {
	blocked(m, n, k, alpha, productKernels, packedA, packedB, c, ldc)
}

// kernels are the micro-kernels of one operation on packed panels: add,
// for a full tile, adds alpha times the result to C in place if it can;
// tile writes a tile's result (without alpha) to a buffer.
type kernels struct {
	add  func(k int, ap, bp []float64, alpha float64, c []float64, ldc int) bool
	tile func(k int, ap, bp []float64, tile *[mr * nr]float64)
}

var productKernels = kernels{add: kernelAdd, tile: kernel}

// blocked runs an operation of C += alpha·f(op(A), op(B)) block by block,
// where f combines each row of op(A) with each column of op(B) over k.
func blocked(m, n, k int, alpha float64, kern kernels, packedA, packedB func(i0, rows, p0, depth int) []float64, c []float64, ldc int) {
	var tile [mr * nr]float64
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			pb := packedB(jc, nb, pc, kb)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				pa := packedA(ic, mb, pc, kb)
				for jr := 0; jr < nb; jr += nr {
					bp := pb[jr*kb : (jr+nr)*kb]
					cols := min(nr, nb-jr)
					for ir := 0; ir < mb; ir += mr {
						ap := pa[ir*kb : (ir+mr)*kb]
						rows := min(mr, mb-ir)
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr && kern.add(kb, ap, bp, alpha, c[ci:], ldc) {
							continue
						}
						kern.tile(kb, ap, bp, &tile)
						for r := range rows {
							crow := c[ci+r*ldc : ci+r*ldc+cols]
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
		if trans { // op(A)(i, p) = A[p][i]: rows of A hold runs of the panel
			i := i0 + ir
			if rows < mr { // the last panel only
				for p := range kb {
					copy(panel[p*mr:p*mr+rows], a[(p0+p)*lda+i:(p0+p)*lda+i+rows])
				}
				continue
			}
			for p := range kb { // element moves: copy would call memmove
				dst, src := (*[mr]float64)(panel[p*mr:]), (*[mr]float64)(a[(p0+p)*lda+i:])
				dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
			}
			continue
		}
		if rows == mr { // read four rows side by side, write the panel in order
			i := i0 + ir
			r0 := a[i*lda+p0 : i*lda+p0+kb]
			r1 := a[(i+1)*lda+p0 : (i+1)*lda+p0+kb]
			r2 := a[(i+2)*lda+p0 : (i+2)*lda+p0+kb]
			r3 := a[(i+3)*lda+p0 : (i+3)*lda+p0+kb]
			for p := range r0 {
				dst := (*[mr]float64)(panel[p*mr:])
				dst[0], dst[1], dst[2], dst[3] = r0[p], r1[p], r2[p], r3[p]
			}
			continue
		}
		for r := range rows {
			i := i0 + ir + r
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
		// Element moves: copy would call memmove for a few values.
		if cols == nr {
			for p := range kb {
				dst, src := (*[nr]float64)(panel[p*nr:]), (*[nr]float64)(b[(p0+p)*ldb+j0+jr:])
				dst[0], dst[1], dst[2], dst[3] = src[0], src[1], src[2], src[3]
				dst[4], dst[5], dst[6], dst[7] = src[4], src[5], src[6], src[7]
			}
			continue
		}
		for p := range kb { // the last panel only
			copy(panel[p*nr:p*nr+cols], b[(p0+p)*ldb+j0+jr:(p0+p)*ldb+j0+jr+cols])
		}
	}
}

// checkGemm panics on shapes that do not fit the slices: a programming
// error, like an out-of-range index.
func checkGemm(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("dense: negative dimension %d×%d×%d", m, n, k))
	}
	checkOperand("A", transA, m, k, a, lda)
	checkOperand("B", transB, k, n, b, ldb)
	checkOperand("C", false, m, n, c, ldc)
}

// checkOperand panics unless x, with row stride ld, holds a matrix whose
// op is rows×cols.
func checkOperand(name string, trans bool, rows, cols int, x []float64, ld int) {
	if trans {
		rows, cols = cols, rows
	}
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("dense: negative dimension %d×%d", rows, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols || len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("dense: %s of %d values does not hold %d×%d with stride %d", name, len(x), rows, cols, ld))
	}
}
