package dense

// Packed is one operand of a matrix product packed once, for a trainer
// that multiplies the same matrix (its training rows) by a different one
// at every iteration: the packing, a pass over the whole matrix, is then
// not repeated. A Packed is read-only once made and safe for concurrent
// use.
type Packed struct {
	left       bool // packed as op(A) by PackLeft, else as op(B)
	rows, cols int  // of op(X)
	data       []float64
}

// PackLeft packs op(A), m×k, for GemmLeft; trans and lda mean what they
// mean for Gemm.
func PackLeft(trans bool, m, k int, a []float64, lda int) *Packed {
	checkOperand("A", trans, m, k, a, lda)
	mp := (m + mr - 1) / mr * mr
	p := &Packed{left: true, rows: m, cols: k, data: make([]float64, mp*k)}
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		for ic := 0; ic < m; ic += mc {
			mb := min(mc, m-ic)
			packA(p.data[pc*mp+ic*kb:], trans, a, lda, ic, mb, pc, kb)
		}
	}
	return p
}

// PackRight packs op(B), k×n, for GemmRight; trans and ldb mean what
// they mean for Gemm.
func PackRight(trans bool, k, n int, b []float64, ldb int) *Packed {
	checkOperand("B", trans, k, n, b, ldb)
	np := (n + nr - 1) / nr * nr
	p := &Packed{rows: k, cols: n, data: make([]float64, np*k)}
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		for jc := 0; jc < n; jc += nc {
			nb := min(nc, n-jc)
			packB(p.data[pc*np+jc*kb:], trans, b, ldb, pc, kb, jc, nb)
		}
	}
	return p
}

// GemmLeft is Gemm with op(A) packed by PackLeft: C = alpha·op(A)·op(B) +
// beta·C, where op(B) is k×n and C is m×n.
func GemmLeft(a *Packed, transB bool, n int, alpha float64, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if !a.left {
		panic("dense: GemmLeft with a matrix packed by PackRight")
	}
	m, k := a.rows, a.cols
	checkOperand("B", transB, k, n, b, ldb)
	checkOperand("C", false, m, n, c, ldc)
	scale(m, n, beta, c, ldc)
	if m == 0 || n == 0 || k == 0 || alpha == 0 {
		return
	}
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	mp := (m + mr - 1) / mr * mr
	gemm(m, n, k, alpha,
		func(ic, _, pc, kb int) []float64 { return a.data[pc*mp+ic*kb:] },
		func(jc, nb, pc, kb int) []float64 {
			packB(ws.b, transB, b, ldb, pc, kb, jc, nb)
			return ws.b
		},
		c, ldc)
}

// GemmRight is Gemm with op(B) packed by PackRight: C = alpha·op(A)·op(B)
// + beta·C, where op(A) is m×k and C is m×n.
func GemmRight(transA bool, m int, alpha float64, a []float64, lda int, b *Packed, beta float64, c []float64, ldc int) {
	if b.left {
		panic("dense: GemmRight with a matrix packed by PackLeft")
	}
	k, n := b.rows, b.cols
	checkOperand("A", transA, m, k, a, lda)
	checkOperand("C", false, m, n, c, ldc)
	scale(m, n, beta, c, ldc)
	if m == 0 || n == 0 || k == 0 || alpha == 0 {
		return
	}
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	np := (n + nr - 1) / nr * nr
	gemm(m, n, k, alpha,
		func(ic, mb, pc, kb int) []float64 {
			packA(ws.a, transA, a, lda, ic, mb, pc, kb)
			return ws.a
		},
		func(jc, _, pc, kb int) []float64 { return b.data[pc*np+jc*kb:] },
		c, ldc)
}
