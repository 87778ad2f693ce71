package search

import (
	"fmt"
	"strings"

	"github.com/hpsearch/hpsearch/internal/editdist"
)

// didYouMean returns `; did you mean "x"?` for the candidate nearest to
// name (see nearest), or "" when none is close enough to be a slip.
func didYouMean(name string, candidates []string) string {
	best, ok := nearest(name, candidates)
	if !ok {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// nearest returns the candidate name most likely meant: the nearest by
// edit distance when about half its letters or fewer differ ("params" for
// "parameters"), or one that name begins ("max" for "maximum") or is a
// whole underscore-separated part of ("auc" for "roc_auc", "forest" for
// "random_forest", "neg_log_loss" for "log_loss"). Case is ignored; ties
// go to the alphabetically first candidate.
func nearest(name string, candidates []string) (string, bool) {
	best, bestD, limit := "", -1, 0
	n := strings.ToLower(name)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editdist.Levenshtein(n, lc)
		if min(len(n), len(lc)) >= 3 && (strings.HasPrefix(n, lc) || strings.HasPrefix(lc, n)) {
			d = min(d, 1) // "maximum" for "max", "params" for "parameters"
		}
		if n != lc && (hasPart(lc, n) || hasPart(n, lc)) {
			d = min(d, 1) // "auc" for "roc_auc", "neg_log_loss" for "log_loss"
		}
		if abbreviates(n, lc) {
			d = min(d, 1) // "rnd" for "random", not "grid" (also 2 edits away)
		}
		if bestD < 0 || d < bestD || d == bestD && c < best {
			best, bestD = c, d
			// Allow about half the letters to differ ("params" for
			// "parameters"), at least two, but never all of them
			// ("oc" is not "r2").
			longer := max(len([]rune(name)), len([]rune(c)))
			limit = min(max(2, longer/2), longer-1)
		}
	}
	if bestD < 0 || bestD > limit {
		return "", false
	}
	return best, true
}

// abbreviates reports whether short, of three letters or more, is an
// abbreviation of long: it starts with long's first letter and its
// letters appear in long in order ("rnd" of "random", "dcsn" of
// "decision_tree").
func abbreviates(short, long string) bool {
	if len(short) < 3 || len(short) >= len(long) || short[0] != long[0] {
		return false
	}
	i := 0
	for j := 0; j < len(long) && i < len(short); j++ {
		if long[j] == short[i] {
			i++
		}
	}
	return i == len(short)
}

// hasPart reports whether part, of two letters or more, is a run of whole
// underscore-separated words of s: "auc" and "roc_auc" of "roc_auc_ovr",
// but not "oc" or "c_a".
func hasPart(s, part string) bool {
	if len(part) < 2 || strings.Trim(part, "_") != part {
		return false
	}
	return strings.Contains("_"+s+"_", "_"+part+"_")
}
