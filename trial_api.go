package hpsearch

import (
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/trial"
)

// Trial is one evaluation of the objective: its number, seed and
// parameters, and the intermediate values it reports. A Trial belongs to
// one call of the objective and is not safe for concurrent use.
type Trial struct {
	// Number is the trial's number in the study, from 0.
	Number int
	// Seed is the trial's seed, derived from the study's seed and
	// Number: use it for the objective's own randomness.
	Seed uint64
	// Params holds the parameters, by name: float64, int, string or bool
	// as the spec declares them.
	Params trial.Params

	t       trial.Trial
	pruning *scheduler.Pruning
	steps   []trial.Step
	prune   bool
}

// Float returns the float parameter name; it panics if the spec has no
// such parameter, which is a mistake in the objective.
func (t *Trial) Float(name string) float64 {
	v, ok := t.Params.Float(name)
	if !ok {
		panic(fmt.Sprintf("hpsearch: trial %d has no numeric parameter %q (parameters: %s)", t.Number, name, t.Params.Format()))
	}
	return v
}

// Int returns the int parameter name; it panics as Float does.
func (t *Trial) Int(name string) int {
	v, ok := t.Params.Int(name)
	if !ok {
		panic(fmt.Sprintf("hpsearch: trial %d has no int parameter %q (parameters: %s)", t.Number, name, t.Params.Format()))
	}
	return v
}

// String returns the string parameter name; it panics as Float does.
func (t *Trial) String(name string) string {
	v, ok := t.Params.String(name)
	if !ok {
		panic(fmt.Sprintf("hpsearch: trial %d has no string parameter %q (parameters: %s)", t.Number, name, t.Params.Format()))
	}
	return v
}

// Report records value as the trial's intermediate value at step (an
// epoch, an iteration: the objective's own unit, at least 0), and judges
// it at once under in-trial early stopping; ShouldPrune says the verdict.
// Values are journaled with the trial's result. A value that is not
// finite, or a negative step, is refused with an error and not recorded.
func (t *Trial) Report(step int, value float64) error {
	if step < 0 || math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("hpsearch: trial %d: Report(%d, %v): want a step of at least 0 and a finite value", t.Number, step, value)
	}
	t.steps = append(t.steps, trial.Step{Step: int64(step), Value: value})
	if t.pruning != nil && !t.prune {
		t.prune = t.pruning.ShouldPrune(t.t, t.steps)
	}
	return nil
}

// ShouldPrune reports whether the values reported so far say the trial
// should stop; the objective then returns ErrPruned. It is always false
// without in-trial early stopping (early_stopping with budget: step).
func (t *Trial) ShouldPrune() bool { return t.prune }
