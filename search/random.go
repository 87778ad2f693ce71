package search

import (
	"math/rand/v2"

	"github.com/hpsearch/hpsearch/trial"
)

// randomSampler draws each trial independently. Trial n uses its own PCG
// generator seeded with TrialSeed(seed, n), so its parameters depend on
// (seed, n) alone: the same whatever order trials are asked in. With
// several families it picks one uniformly, then draws each of its
// dimensions in YAML order (see axis.fromUnit for the distributions).
type randomSampler struct {
	fams []family
	seed uint64
}

var _ Sampler = (*randomSampler)(nil)

func newRandomSampler(s *Spec) *randomSampler {
	return &randomSampler{fams: compile(s), seed: s.Search.Seed}
}

func (r *randomSampler) Ask(n int) (trial.Trial, bool) {
	if n < 0 || len(r.fams) == 0 {
		return trial.Trial{}, false
	}
	rng := rand.New(rand.NewPCG(TrialSeed(r.seed, n), randomStream))
	f := r.fams[0]
	if len(r.fams) > 1 {
		f = r.fams[rng.IntN(len(r.fams))]
	}
	return paramsOf(f, func(_ int, a axis) any { return a.fromUnit(rng.Float64()) }), true
}

func (r *randomSampler) Tell(trial.Result) {}
