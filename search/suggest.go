package search

import (
	"fmt"
	"strings"
)

// didYouMean returns `; did you mean "x"?` for the candidate nearest to
// name by edit distance, or "" when none is close enough to be a typo.
func didYouMean(name string, candidates []string) string {
	best, bestD, limit := "", -1, 0
	for _, c := range candidates {
		n, lc := strings.ToLower(name), strings.ToLower(c)
		d := levenshtein(n, lc)
		if min(len(n), len(lc)) >= 3 && (strings.HasPrefix(n, lc) || strings.HasPrefix(lc, n)) {
			d = min(d, 1) // "maximum" for "max", "params" for "parameters"
		}
		if bestD < 0 || d < bestD || d == bestD && c < best {
			best, bestD = c, d
			// Allow about half the letters to differ ("params" for
			// "parameters"), but at least two.
			limit = max(2, max(len([]rune(name)), len([]rune(c)))/2)
		}
	}
	if bestD < 0 || bestD > limit {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// levenshtein is the edit distance between a and b (insertions, deletions
// and substitutions of runes, each costing 1).
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
