package dense

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestL1DistancesMatchesNaive compares with the sum in order of p, which
// it must equal exactly while k fits one block.
func TestL1DistancesMatchesNaive(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, sh := range [][3]int{{1, 1, 1}, {3, 5, 7}, {4, 8, 64}, {45, 1437, 64}, {9, 17, kc}, {6, 10, kc + 3}} {
			m, n, k := sh[0], sh[1], sh[2]
			a, b := randSlice(r, m*k), randSlice(r, n*k)
			c := randSlice(r, m*n)
			L1Distances(m, a, k, PackRight(true, k, n, b, k), c, n)
			for i := range m {
				for j := range n {
					var want float64
					for p := range k {
						want += math.Abs(a[i*k+p] - b[j*k+p])
					}
					got := c[i*n+j]
					if k <= kc && got != want || math.Abs(got-want) > 1e-12*want {
						t.Fatalf("%d×%d×%d: C[%d,%d] = %v, want %v", m, n, k, i, j, got, want)
					}
				}
			}
		}
	})
}
