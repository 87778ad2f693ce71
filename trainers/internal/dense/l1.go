package dense

// L1Distances sets C[i][j] to the L1 (Manhattan) distance Σ_p |A[i][p] -
// B[j][p]| between row i of the m×k matrix A and row j of the n×k matrix
// B, for knn's brute-force search; B packed by PackRight(true, k, n, B,
// ldb), as it is the same at every call. For k up to 256 the sum over p
// runs in order, so the result is the same on every machine.
func L1Distances(m int, a []float64, lda int, b *Packed, c []float64, ldc int) {
	if b.left {
		panic("dense: L1Distances with a matrix packed by PackLeft")
	}
	k, n := b.rows, b.cols
	checkOperand("A", false, m, k, a, lda)
	checkOperand("C", false, m, n, c, ldc)
	scale(m, n, 0, c, ldc)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	ws := workspaces.Get().(*workspace)
	defer workspaces.Put(ws)
	np := (n + nr - 1) / nr * nr
	blocked(m, n, k, 1, kernels{add: l1KernelAdd, tile: l1KernelGo},
		func(ic, mb, pc, kb int) []float64 {
			packA(ws.a, false, a, lda, ic, mb, pc, kb)
			return ws.a
		},
		func(jc, _, pc, kb int) []float64 { return b.data[pc*np+jc*kb:] },
		c, ldc)
}
