package search

import "github.com/hpsearch/hpsearch/trial"

// gridSampler enumerates the full cartesian product of every family's
// dimensions. Order: model families in spec order; within a family,
// parameters in YAML order with the last varying fastest (as
// itertools.product and scikit-learn's ParameterGrid do, though
// ParameterGrid sorts names first); within a parameter, values as listed,
// ranges from min upward. Trial n is found by a mixed-radix decoding of n,
// so Ask is O(dimensions) and the grid is never materialised.
type gridSampler struct {
	fams  []family
	total int64
}

var _ Sampler = (*gridSampler)(nil)

func newGridSampler(s *Spec) (*gridSampler, error) {
	g := &gridSampler{fams: compile(s)}
	for _, f := range g.fams {
		for _, a := range f.axes {
			if a.n == 0 {
				return nil, errUnvalidated("grid over a continuous range")
			}
		}
		g.total = satAdd(g.total, f.size)
	}
	return g, nil
}

func (g *gridSampler) Ask(n int) (trial.Trial, bool) {
	if n < 0 || int64(n) >= g.total {
		return trial.Trial{}, false
	}
	r := int64(n)
	for _, f := range g.fams {
		if r >= f.size {
			r -= f.size
			continue
		}
		idx := make([]int64, len(f.axes))
		for j := len(f.axes) - 1; j >= 0; j-- {
			idx[j] = r % f.axes[j].n
			r /= f.axes[j].n
		}
		return paramsOf(f, func(j int, a axis) any { return a.at(idx[j]) }), true
	}
	return trial.Trial{}, false
}

func (g *gridSampler) Tell(trial.Result) {}
