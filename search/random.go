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
//
// Over a finite space NewSampler wraps it in a uniqueSampler, which skips
// the configurations already proposed; a continuous space is sampled as
// above, so its trials are those of earlier versions.
type randomSampler struct {
	fams []family
	seed uint64
}

var (
	_ Sampler    = (*randomSampler)(nil)
	_ unitSource = (*randomSampler)(nil)
)

func newRandomSampler(s *Spec) *randomSampler {
	return &randomSampler{fams: compile(s), seed: s.Search.Seed}
}

func (r *randomSampler) Ask(n int) (trial.Trial, bool) {
	if n < 0 || len(r.fams) == 0 {
		return trial.Trial{}, false
	}
	fi, u := r.units(n)
	return paramsOf(r.fams[fi], func(j int, a axis) any { return a.fromUnit(u[j]) }), true
}

// units returns draw n: the family, then a uniform u per dimension.
func (r *randomSampler) units(n int) (int, []float64) {
	rng := rand.New(rand.NewPCG(TrialSeed(r.seed, n), randomStream))
	fi := 0
	if len(r.fams) > 1 {
		fi = rng.IntN(len(r.fams))
	}
	u := make([]float64, len(r.fams[fi].axes))
	for j := range u {
		u[j] = rng.Float64()
	}
	return fi, u
}

func (r *randomSampler) Tell(trial.Result) {}
