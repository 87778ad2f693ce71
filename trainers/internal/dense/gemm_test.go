package dense

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// naiveGemm is the reference: the textbook triple loop.
func naiveGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func randSlice(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 2*r.Float64() - 1
	}
	return x
}

// TestGemmMatchesNaive covers every transpose pair on shapes around the
// tile and block sizes (odd sizes, 1, exact multiples, several k blocks),
// row strides wider than the rows, and the alpha/beta cases.
func TestGemmMatchesNaive(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		sizes := []int{1, 3, 4, 5, 7, 8, 9, 17, 63, 64, 65, 100, 129, 300}
		scales := [][2]float64{{1, 0}, {1, 1}, {-2, 0.5}, {0.5, 0}}
		for trial := range 300 {
			m, n, k := sizes[r.IntN(len(sizes))], sizes[r.IntN(len(sizes))], sizes[r.IntN(len(sizes))]
			if trial%50 == 0 {
				k = 2*kc + 3
			}
			tA, tB := r.IntN(2) == 1, r.IntN(2) == 1
			ab := scales[r.IntN(len(scales))]
			ar, ac, br, bc := m, k, k, n
			if tA {
				ar, ac = k, m
			}
			if tB {
				br, bc = n, k
			}
			lda, ldb, ldc := ac+r.IntN(3), bc+r.IntN(3), n+r.IntN(3)
			a, b := randSlice(r, ar*lda), randSlice(r, br*ldb)
			c := randSlice(r, m*ldc)
			if ab[1] == 0 {
				for i := range c {
					c[i] = math.NaN() // beta = 0 must not read C
				}
			}
			want := append([]float64(nil), c...)
			naiveGemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], want, ldc)
			Gemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], c, ldc)
			for i := range m {
				for j := range n {
					g, w := c[i*ldc+j], want[i*ldc+j]
					if math.Abs(g-w) > 1e-12*float64(k+1) {
						t.Fatalf("%d×%d×%d tA=%v tB=%v alpha,beta=%v: C[%d,%d] = %v, want %v", m, n, k, tA, tB, ab, i, j, g, w)
					}
				}
			}
			for i := range m { // padding between rows is left alone
				for j := n; j < ldc && i*ldc+j < len(c); j++ {
					if g, w := c[i*ldc+j], want[i*ldc+j]; g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
						t.Fatalf("padding C[%d,%d] changed", i, j)
					}
				}
			}
		}
	})
}

// TestPackedMatchesGemm checks GemmLeft and GemmRight against Gemm, on
// shapes that span several blocks in every dimension.
func TestPackedMatchesGemm(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		shapes := [][3]int{{1, 1, 1}, {5, 3, 7}, {1437, 10, 64}, {10, 64, 1437}, {mc + 3, nc + 5, kc + 9}, {200, 100, 64}}
		for _, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				tA, tB := tr[0], tr[1]
				lda, ldb := k, n
				if tA {
					lda = m
				}
				if tB {
					ldb = k
				}
				a, b := randSlice(r, m*k), randSlice(r, k*n)
				c0 := randSlice(r, m*n)
				want := append([]float64(nil), c0...)
				Gemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 2, want, n)
				left := append([]float64(nil), c0...)
				GemmLeft(PackLeft(tA, m, k, a, lda), tB, n, 0.5, b, ldb, 2, left, n)
				right := append([]float64(nil), c0...)
				GemmRight(tA, m, 0.5, a, lda, PackRight(tB, k, n, b, ldb), 2, right, n)
				for i := range want { // same blocks, same order: same bits
					if left[i] != want[i] || right[i] != want[i] {
						t.Fatalf("%d×%d×%d tA=%v tB=%v: element %d: left %v, right %v, Gemm %v", m, n, k, tA, tB, i, left[i], right[i], want[i])
					}
				}
			}
		}
	})
}

// forEachKernel runs test with the assembly kernels, where this machine
// has them, and with the portable ones.
func forEachKernel(t *testing.T, test func(t *testing.T)) {
	t.Helper()
	if assemblyAvailable() {
		t.Run("asm", test)
	}
	t.Run("go", func(t *testing.T) {
		defer useAssembly(false)()
		test(t)
	})
}

// TestKernelsAgree checks the assembly micro-kernel (where there is one)
// against the portable one.
func TestKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 2, 7, 64, 257} {
		ap, bp := randSlice(r, k*mr), randSlice(r, k*nr)
		var got, want [mr * nr]float64
		kernel(k, ap, bp, &got)
		kernelGo(k, ap, bp, &want)
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-12*float64(k) {
				t.Fatalf("k=%d: tile[%d] = %v, portable kernel %v", k, i, got[i], want[i])
			}
		}
	}
}

func TestGemmPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Gemm(false, false, 2, 2, 2, 1, make([]float64, 3), 2, make([]float64, 4), 2, 0, make([]float64, 4), 2)
}

// BenchmarkGemm compares Gemm with gonum's blas64.Gemm on the products
// the trainers run: mlp's forward pass and weight gradient (batch 200,
// 64 inputs, 100 hidden units), logistic regression's scores and
// gradient (1437 rows, 64 features, 10 classes) and knn's distances (360
// queries, 1437 training rows). x_gonum is ours/gonum in time; dense_go
// is the portable kernel, which arm64 runs (where gonum has no assembly
// either) and which on amd64 loses to gonum's SSE2 assembly.
func BenchmarkGemm(b *testing.B) {
	cases := []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"mlp_forward_NN", false, false, 200, 100, 64},
		{"mlp_gradW_TN", true, false, 64, 100, 200},
		{"mlp_delta_NT", false, true, 200, 100, 10},
		{"logistic_scores_NT", false, true, 1437, 10, 64},
		{"logistic_grad_TN", true, false, 10, 64, 1437},
		{"knn_NT", false, true, 360, 1437, 64},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range cases {
		ar, ac, br, bc := c.m, c.k, c.k, c.n
		if c.tA {
			ar, ac = c.k, c.m
		}
		if c.tB {
			br, bc = c.n, c.k
		}
		A, B, C := randSlice(r, ar*ac), randSlice(r, br*bc), make([]float64, c.m*c.n)
		var gonumNs float64
		b.Run(c.name+"/gonum", func(b *testing.B) {
			ta, tb := blas.NoTrans, blas.NoTrans
			if c.tA {
				ta = blas.Trans
			}
			if c.tB {
				tb = blas.Trans
			}
			for b.Loop() {
				blas64.Gemm(ta, tb, 1,
					blas64.General{Rows: ar, Cols: ac, Stride: ac, Data: A},
					blas64.General{Rows: br, Cols: bc, Stride: bc, Data: B},
					0, blas64.General{Rows: c.m, Cols: c.n, Stride: c.n, Data: C})
			}
			gonumNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		b.Run(c.name+"/dense", func(b *testing.B) {
			for b.Loop() {
				Gemm(c.tA, c.tB, c.m, c.n, c.k, 1, A, ac, B, bc, 0, C, c.n)
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(c.m*c.n*c.k)/ns, "GMAC/s")
			if gonumNs > 0 {
				b.ReportMetric(ns/gonumNs, "x_gonum")
			}
		})
		b.Run(c.name+"/dense_go", func(b *testing.B) {
			defer useAssembly(false)()
			for b.Loop() {
				Gemm(c.tA, c.tB, c.m, c.n, c.k, 1, A, ac, B, bc, 0, C, c.n)
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(c.m*c.n*c.k)/ns, "GMAC/s")
			if gonumNs > 0 {
				b.ReportMetric(ns/gonumNs, "x_gonum")
			}
		})
	}
}
