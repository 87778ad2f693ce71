package search

import (
	"fmt"

	"github.com/hpsearch/hpsearch/trial"
)

// Sampler proposes trials, ask/tell style: the scheduler asks for trial n,
// runs it, and tells the sampler the result. Samplers that learn from
// results (TPE) and that stop trials early (ASHA) plug in here: they are
// stateful, and their proposals depend on the order of asks and tells, so
// the same seed and the same tell order give the same trials.
//
// A Sampler need not be safe for concurrent use: the scheduler calls it
// from one goroutine. The grid, random and sobol samplers are safe
// anyway; tpe and early stopping are not.
//
// Random and sobol search over a finite space (every parameter a list, an
// int range, a float range with a step, or a constant; see
// Spec.Configurations) draw without replacement: each configuration at
// most once, then Ask returns ok false. Trial n still depends on the
// seed and n alone, so a resumed study (which replays its asks and tells
// to a new sampler) goes on with the trials it would have run. Under
// early stopping, and for tpe, configurations may repeat.
type Sampler interface {
	// Ask proposes trial n (0-based): it fills Model and Params, with
	// the searched parameters (the worker fills in defaults for the
	// rest), and Budget under early stopping. ok is false once the space
	// is exhausted (grid, and random or sobol over a finite space) or n
	// is out of range.
	Ask(n int) (t trial.Trial, ok bool)
	// Tell reports a finished trial. Samplers that do not learn ignore it.
	Tell(r trial.Result)
}

// NewSampler returns the sampler for s.Search.Method: "grid", "random",
// "sobol" or "tpe", wrapped in early stopping (asha, hyperband, median)
// when s.EarlyStopping is set, except in-trial early stopping (budget:
// step), which prunes running trials instead (see NewPruner). s must have
// been validated.
func NewSampler(s *Spec) (Sampler, error) {
	base, err := newBaseSampler(s)
	if err != nil || s.EarlyStopping == nil || s.EarlyStopping.InTrial() {
		return base, err
	}
	if len(s.EarlyStopping.Rungs) < 2 {
		return nil, errUnvalidated("early_stopping without rungs")
	}
	return newHalving(s, base), nil
}

func newBaseSampler(s *Spec) (Sampler, error) {
	switch s.Search.Method {
	case "grid":
		return newGridSampler(s)
	case "random", "":
		r := newRandomSampler(s)
		return withoutRepeats(s, r, r.fams), nil
	case "sobol":
		sb, err := newSobolSampler(s)
		if err != nil {
			return nil, err
		}
		return withoutRepeats(s, sb, sb.fams), nil
	case "tpe":
		return newTPESampler(s)
	}
	return nil, s.Errorf("search.method", "unknown method %q", s.Search.Method)
}

// withoutRepeats returns src, the random or sobol sampler, drawing
// without replacement when the space is finite: each configuration at
// most once, then exhausted. Under early stopping src is returned as it
// is: halving promotes configurations while trials are running, and an
// exhausted base would stop the study before the promotions it still
// awaits.
func withoutRepeats[S interface {
	Sampler
	unitSource
}](s *Spec, src S, fams []family) Sampler {
	if s.EarlyStopping != nil {
		return src
	}
	if u := newUniqueSampler(src, fams, s.Search.Seed); u != nil {
		return u
	}
	return src
}

// TrialSeed returns the seed of trial n of a study seeded with studySeed:
// the (n+1)-th output of a SplitMix64 generator started at studySeed, that
// is mix(studySeed + (n+1)·0x9E3779B97F4A7C15) with SplitMix64's mixing
// function. It depends on nothing but its arguments, so a trial's seed and
// (for random search) its parameters are the same whatever order trials
// are asked in and however many run at once.
func TrialSeed(studySeed uint64, n int) uint64 {
	return splitmix64(studySeed + (uint64(n)+1)*0x9E3779B97F4A7C15)
}

func splitmix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Streams for rand.NewPCG, so the sampling randomness of a trial differs
// from the training randomness seeded with the same TrialSeed.
const (
	randomStream = 0x72616e646f6d // "random"
	sobolStream  = 0x736f626f6c   // "sobol"
)

func paramsOf(f family, value func(j int, a axis) any) trial.Trial {
	p := make(trial.Params, len(f.axes))
	for j, a := range f.axes {
		p[a.dim.Name] = value(j, a)
	}
	return trial.Trial{Model: f.model, Params: p}
}

func errUnvalidated(what string) error {
	return fmt.Errorf("search: %s: spec not validated", what)
}
