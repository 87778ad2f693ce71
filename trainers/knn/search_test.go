package knn

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelector checks both selection paths against a stable sort, on
// distances with many ties.
func TestSelector(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d := make([]float64, 300)
	for i := range d {
		d[i] = float64(r.IntN(6))
	}
	ref := make([]neighbor, len(d))
	for j, v := range d {
		ref[j] = neighbor{j: j, d: v}
	}
	slices.SortStableFunc(ref, func(a, b neighbor) int { return cmp.Compare(a.d, b.d) })
	for _, k := range []int{1, 5, insertionMaxK, insertionMaxK + 1, 100, len(d)} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			s := newSelector(k)
			for range 2 { // the second run reuses the buffer
				got := s.smallest(d)
				if !slices.Equal(got, ref[:k]) {
					t.Fatalf("got %v, want %v", got, ref[:k])
				}
			}
		})
	}
}
