package search

import (
	"math"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// Pruner judges a running trial by the intermediate values it has
// reported (trial.Step), for early stopping with budget: step: the
// in-trial counterpart of Optuna's trial.report and should_prune. It is
// pure decision logic: the scheduler tells it every finished result, in
// journal order, and asks it about running trials; it does no I/O.
//
// A Pruner is not safe for concurrent use (scheduler.Pruning serialises
// it). Its decisions depend only on the results told so far and the
// steps asked about, so replaying a journal to a new Pruner (as resume
// replays it to the sampler) rebuilds the same judge. Only results that
// did not fail count; a trial's own running values are judged, never
// counted, so trials running side by side do not judge each other.
type Pruner interface {
	// Prune reports whether a running trial whose intermediate values so
	// far are steps (in the order reported; the last is the one just
	// reported) should stop now.
	Prune(steps []trial.Step) bool
	// Tell records a finished trial: its Steps count in the judgement
	// of later ones unless it failed.
	Tell(r trial.Result)
}

// NewPruner returns the in-trial pruner of s's early_stopping: median or
// asha with budget: step, or nil when s has no in-trial early stopping.
// s must have been validated.
func NewPruner(s *Spec) (Pruner, error) {
	es := s.EarlyStopping
	if !es.InTrial() {
		return nil, nil
	}
	switch es.Type {
	case "median":
		return &medianPruner{dir: s.Direction, warmup: int64(es.Min), byStep: map[int64][]float64{}}, nil
	case "asha":
		if es.Eta < 2 || es.Min < 1 {
			return nil, errUnvalidated("early_stopping asha without eta or min")
		}
		return newStepASHA(s.Direction, int64(es.Min), int64(es.Max), es.Eta), nil
	}
	return nil, s.Errorf("early_stopping.type", "unknown in-trial type %q", es.Type)
}

// medianPruner stops a trial whose value at a step is worse than the
// median of the values the finished trials reported at that step, from
// step warmup on, as Optuna's MedianPruner with n_warmup_steps (but
// judging the value at the step, not the best so far, and counting pruned
// trials as well as complete ones: a pruned trial's early values are as
// real as a complete one's). A step no finished trial reported is never
// judged.
type medianPruner struct {
	dir    trial.Direction
	warmup int64
	byStep map[int64][]float64 // finished trials' values at each step, sorted best first
}

func (m *medianPruner) Prune(steps []trial.Step) bool {
	if len(steps) == 0 {
		return false
	}
	last := steps[len(steps)-1]
	vs := m.byStep[last.Step]
	if last.Step < m.warmup || len(vs) == 0 || math.IsNaN(last.Value) {
		return false
	}
	n := len(vs)
	med := vs[n/2]
	if n%2 == 0 {
		med = (vs[n/2-1] + vs[n/2]) / 2
	}
	return m.dir.Better(med, last.Value)
}

func (m *medianPruner) Tell(r trial.Result) {
	if r.State == trial.Failed {
		return
	}
	seen := map[int64]bool{}
	for _, s := range r.Steps {
		if seen[s.Step] || math.IsNaN(s.Value) {
			continue // a step reported twice counts once, as first reported
		}
		seen[s.Step] = true
		m.byStep[s.Step] = insertBest(m.byStep[s.Step], s.Value, m.dir)
	}
}

// stepASHA is asynchronous successive halving within a trial, as
// Optuna's SuccessiveHalvingPruner: rung k is at step min·eta^k (up to
// max, when set). When a trial first reports at or past a rung's step,
// its value there is compared with the values the finished trials had at
// that rung; it goes on if it is among the best max(1, ⌊n/eta⌋) of those
// n values and its own, and is pruned otherwise. A rung is judged once
// per trial, when reached.
type stepASHA struct {
	dir   trial.Direction
	steps []int64     // the rungs' steps, increasing
	rungs [][]float64 // finished trials' values at each rung, best first
	eta   int
}

func newStepASHA(dir trial.Direction, lo, hi int64, eta int) *stepASHA {
	a := &stepASHA{dir: dir, eta: eta}
	for s := lo; len(a.steps) < maxRungs; s *= int64(eta) {
		if hi > 0 && s >= hi {
			a.steps = append(a.steps, hi)
			break
		}
		a.steps = append(a.steps, s)
		if s > math.MaxInt64/int64(eta) {
			break
		}
	}
	a.rungs = make([][]float64, len(a.steps))
	return a
}

// rungValues returns, for each rung a trial has reached in steps, its
// value there (at the first report at or past the rung's step) and the
// index of that report.
func (a *stepASHA) rungValues(steps []trial.Step, fn func(rung, at int, v float64)) {
	k := 0
	for i, s := range steps {
		for k < len(a.steps) && s.Step >= a.steps[k] {
			fn(k, i, s.Value)
			k++
		}
	}
}

func (a *stepASHA) Prune(steps []trial.Step) bool {
	last := len(steps) - 1
	prune := false
	a.rungValues(steps, func(k, at int, v float64) {
		if at != last || prune || math.IsNaN(v) {
			return // judged when it was reached
		}
		rs := a.rungs[k]
		keep := max(1, (len(rs)+1)/a.eta)
		// Its rank among the finished values and its own: ties go its way.
		rank := 0
		for _, x := range rs {
			if !a.dir.Better(x, v) {
				break
			}
			rank++
		}
		prune = rank >= keep
	})
	return prune
}

func (a *stepASHA) Tell(r trial.Result) {
	if r.State == trial.Failed {
		return
	}
	a.rungValues(r.Steps, func(k, _ int, v float64) {
		if !math.IsNaN(v) {
			a.rungs[k] = insertBest(a.rungs[k], v, a.dir)
		}
	})
}

// insertBest inserts v into vs, kept sorted best first in dir.
func insertBest(vs []float64, v float64, dir trial.Direction) []float64 {
	i, _ := slices.BinarySearchFunc(vs, v, func(x, target float64) int {
		switch {
		case dir.Better(x, target):
			return -1
		case dir.Better(target, x):
			return 1
		}
		return 0
	})
	return slices.Insert(vs, i, v)
}
