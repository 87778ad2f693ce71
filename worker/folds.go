package worker

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/hpsearch/hpsearch/trial"
)

// Split is one train/validation split of row indices.
type Split struct {
	Train, Valid []int
}

// Splits computes the validation splits of n rows with labels y for cv. It
// is deterministic in cv.Seed: classification folds are stratified (each
// class's rows are shuffled and dealt round-robin over the folds, with the
// dealing continuing across classes so fold sizes differ by at most one);
// regression folds are a shuffled partition. With Holdout set there is one
// split whose validation part is that fraction of each class. With
// Repeats > 1 the k-fold split is repeated with seeds Seed, Seed+1, ...
func Splits(y []float64, task trial.Task, classes []string, cv trial.CV) ([]Split, error) {
	n := len(y)
	if cv.Holdout > 0 {
		if cv.Holdout >= 1 {
			return nil, fmt.Errorf("%w: cv.holdout must be in (0, 1), got %g", trial.ErrBadInput, cv.Holdout)
		}
		return []Split{holdout(y, task, cv.Holdout, cv.Seed)}, nil
	}
	k := cv.Folds
	if k == 0 {
		k = 5
	}
	if k < 2 {
		return nil, fmt.Errorf("%w: cv.folds must be at least 2, got %d", trial.ErrBadInput, k)
	}
	if k > n {
		return nil, fmt.Errorf("%w: cv.folds is %d but the dataset has only %d rows", trial.ErrBadInput, k, n)
	}
	if task == trial.Classification {
		counts := classCounts(y)
		for c, cnt := range counts {
			if cnt < k {
				label := fmt.Sprint(c)
				if c < len(classes) {
					label = classes[c]
				}
				return nil, fmt.Errorf("%w: class %q has %d rows, fewer than cv.folds (%d); lower cv.folds or use cv.holdout", trial.ErrBadInput, label, cnt, k)
			}
		}
	}
	repeats := max(cv.Repeats, 1)
	out := make([]Split, 0, repeats*k)
	for r := range repeats {
		fold := assignFolds(y, task, k, cv.Seed+uint64(r))
		// Sized exactly: a split of a large dataset is megabytes of
		// indices, and growing it by append would leave twice that as
		// garbage in a worker whose memory is mostly the dataset.
		size := make([]int, k)
		for _, fi := range fold {
			size[fi]++
		}
		for f := range k {
			s := Split{Train: make([]int, 0, n-size[f]), Valid: make([]int, 0, size[f])}
			for i, fi := range fold {
				if fi == f {
					s.Valid = append(s.Valid, i)
				} else {
					s.Train = append(s.Train, i)
				}
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func classCounts(y []float64) []int {
	var counts []int
	for _, v := range y {
		c := int(v)
		for len(counts) <= c {
			counts = append(counts, 0)
		}
		counts[c]++
	}
	return counts
}

// groups returns row indices per class (one group for regression), each
// shuffled with rng.
func groups(y []float64, task trial.Task, rng *rand.Rand) [][]int {
	var g [][]int
	if task == trial.Classification {
		for i, v := range y {
			c := int(v)
			for len(g) <= c {
				g = append(g, nil)
			}
			g[c] = append(g[c], i)
		}
	} else {
		all := make([]int, len(y))
		for i := range all {
			all[i] = i
		}
		g = [][]int{all}
	}
	for _, rows := range g {
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	return g
}

func assignFolds(y []float64, task trial.Task, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	fold := make([]int, len(y))
	next := 0
	for _, rows := range groups(y, task, rng) {
		for _, i := range rows {
			fold[i] = next
			next = (next + 1) % k
		}
	}
	return fold
}

func holdout(y []float64, task trial.Task, frac float64, seed uint64) Split {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var s Split
	for _, rows := range groups(y, task, rng) {
		nv := int(float64(len(rows))*frac + 0.5)
		if nv == 0 && len(rows) > 1 {
			nv = 1
		}
		s.Valid = append(s.Valid, rows[:nv]...)
		s.Train = append(s.Train, rows[nv:]...)
	}
	sort.Ints(s.Valid)
	sort.Ints(s.Train)
	return s
}
