package scheduler

import (
	"sync"

	"github.com/hpsearch/hpsearch/trial"
)

// Pruner judges running trials by their intermediate values (in-trial
// early stopping); search.NewPruner returns one. Prune reports whether a
// trial that has reported steps so far (the last just now) should stop;
// Tell records a finished result. It need not be safe for concurrent use:
// Pruning serialises it.
type Pruner interface {
	Prune(steps []trial.Step) bool
	Tell(r trial.Result)
}

// Pruning joins in-trial pruning to a study. It is the study's Sampler
// — Ask and Tell go to the sampler it wraps, and Tell also to the
// pruner — and it answers ShouldPrune for the executors, which call it
// from their goroutines as each intermediate value arrives.
//
// Because the pruner is told exactly what the sampler is told, in the
// same (journal) order, replaying a journal on resume rebuilds it too;
// the intermediate values themselves are journaled in each result
// (trial.Result.Steps), not as events of their own. A pruned result is
// told to the wrapped sampler with Budget.Rung -1, so that a sampler
// ranking by rung first (tpe) ranks it below every complete trial, as
// Optuna's TPE ranks pruned trials; the result itself is not modified.
//
// Pruning is safe for concurrent use; ShouldPrune holds a lock for the
// pruner's decision only.
type Pruning struct {
	sampler Sampler
	mu      sync.Mutex
	pruner  Pruner
}

var _ Sampler = (*Pruning)(nil)

// NewPruning returns the Pruning of sampler and pruner.
func NewPruning(sampler Sampler, pruner Pruner) *Pruning {
	return &Pruning{sampler: sampler, pruner: pruner}
}

// Ask asks the wrapped sampler.
func (p *Pruning) Ask(n int) (trial.Trial, bool) { return p.sampler.Ask(n) }

// Tell tells the pruner and the wrapped sampler.
func (p *Pruning) Tell(r trial.Result) {
	p.mu.Lock()
	p.pruner.Tell(r)
	p.mu.Unlock()
	if r.State == trial.Pruned && r.Budget.Rung == 0 {
		r.Budget.Rung = -1 // a copy: Budget is a value
	}
	p.sampler.Tell(r)
}

// ShouldPrune reports whether trial t, which has reported steps so far
// (the last just now), should stop. t is for the record: the decision
// depends on steps and the results told.
func (p *Pruning) ShouldPrune(t trial.Trial, steps []trial.Step) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pruner.Prune(steps)
}
