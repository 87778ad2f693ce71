// Package hpsearch runs a hyperparameter study from Go, with a Go function
// as its objective, as Optuna and goptuna do: the same spec (without
// model: or command:), samplers (grid, random, sobol, tpe), in-trial
// early stopping (median, asha over budget: step), stop rules, journal and
// resume as the hpsearch command line.
//
//	spec, err := hpsearch.ParseSpec(`
//	name: quadratic
//	direction: minimize
//	search: {method: tpe, max_trials: 50, parallel: 4, seed: 1}
//	early_stopping: {type: median, budget: step, min: 2}
//	parameters:
//	  x: {min: -10.0, max: 10.0}
//	`)
//	out, err := hpsearch.Run(ctx, spec, func(ctx context.Context, t *hpsearch.Trial) (float64, error) {
//		x := t.Float("x")
//		for step := range 10 {
//			t.Report(step, (x-2)*(x-2)+float64(10-step))
//			if t.ShouldPrune() {
//				return 0, hpsearch.ErrPruned
//			}
//		}
//		return (x - 2) * (x - 2), nil
//	}, hpsearch.Options{})
//
// The objective is called from up to search.parallel goroutines at once,
// each with a Trial of its own.
package hpsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// ErrPruned is what an objective returns when ShouldPrune told it to
// stop: the trial is recorded as pruned, with its last reported value as
// its score.
var ErrPruned = errors.New("hpsearch: trial pruned")

// Objective evaluates one trial: it reads the trial's parameters, may
// report intermediate values and ask whether to stop, and returns the
// score (which the spec's direction says to maximize or minimize). An
// error fails the trial and is recorded as its reason; ErrPruned prunes
// it. It must return promptly once ctx is cancelled (the study was
// interrupted); a panic fails the trial.
type Objective func(ctx context.Context, t *Trial) (float64, error)

// ParseSpec parses and validates the YAML spec of a study of a Go
// function: name, direction (required), metric, search, early_stopping,
// stop and parameters. Its errors name the line and field ("spec.yaml"
// stands for the text).
func ParseSpec(yaml string) (*search.Spec, error) {
	return search.ParseFunc(strings.NewReader(yaml), "spec.yaml")
}

// Options says where a study keeps its journal.
type Options struct {
	// Dir, when set, is the directory the study's directory (Dir/NAME,
	// holding spec.yaml, spec.json and journal.jsonl, as the command
	// line's) is made in; empty keeps the journal in memory, for a study
	// that need not survive the process.
	Dir string
	// Resume continues the study in Dir/NAME instead of making it: the
	// trials it finished are not run again, and the sampler and pruner
	// are rebuilt from its journal. The spec must be the same.
	Resume bool
}

// Outcome is what a study did: every result in journal order, the
// counts, the best complete trial and why it stopped.
type Outcome = scheduler.Outcome

// Run runs the study spec describes (from ParseSpec) with objective, and
// returns once it stops: after search.max_trials trials, an exhausted
// grid, a stop rule, or ctx's cancellation (then with an error wrapping
// trial.ErrInterrupted; the journal in Options.Dir can be resumed). See
// scheduler.Run for the order of events and what a crash leaves.
func Run(ctx context.Context, spec *search.Spec, objective Objective, opts Options) (Outcome, error) {
	if spec == nil || !spec.Func {
		return Outcome{}, errors.New("hpsearch: Run needs a spec from ParseSpec")
	}
	if objective == nil {
		return Outcome{}, errors.New("hpsearch: Run needs an objective")
	}
	sampler, err := search.NewSampler(spec)
	if err != nil {
		return Outcome{}, fmt.Errorf("hpsearch: %w", err)
	}
	exec := &funcExecutor{objective: objective}
	pruner, err := search.NewPruner(spec)
	if err != nil {
		return Outcome{}, fmt.Errorf("hpsearch: %w", err)
	}
	if pruner != nil {
		p := scheduler.NewPruning(sampler, pruner)
		sampler, exec.pruning = p, p
	}
	store, prior, closeStore, err := openStore(ctx, spec, opts)
	if err != nil {
		return Outcome{}, err
	}
	out, err := scheduler.Run(ctx, scheduler.Config{
		Sampler: sampler, Executor: exec, Store: store, Prior: prior,
		Parallel: spec.Search.Parallel, MaxTrials: spec.Search.MaxTrials, MaxFailed: spec.Stop.MaxFailedTrials,
		Stop:      scheduler.StopRules{Target: spec.Stop.Target, Patience: spec.Stop.Patience, MaxTime: spec.Stop.Timeout()},
		Direction: spec.Direction,
		Seed:      func(n int) uint64 { return search.TrialSeed(spec.Search.Seed, n) },
	})
	if cerr := closeStore(); cerr != nil && err == nil {
		err = fmt.Errorf("hpsearch: %w", cerr)
	}
	return out, err
}

// openStore opens the study's journal as opts says.
func openStore(ctx context.Context, spec *search.Spec, opts Options) (results.Store, []results.Event, func() error, error) {
	if opts.Dir == "" {
		if opts.Resume {
			return nil, nil, nil, errors.New("hpsearch: Options.Resume needs Options.Dir")
		}
		m := results.NewMemory()
		return m, nil, m.Close, nil
	}
	if opts.Resume {
		j, rp, err := results.Reopen(ctx, filepath.Join(opts.Dir, spec.Name))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("hpsearch: resume: %w", err)
		}
		return j, rp.Events, j.Close, nil
	}
	specJSON, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("hpsearch: %w", err)
	}
	j, err := results.Create(opts.Dir, spec.Name, spec.Raw(), specJSON)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("hpsearch: %w", err)
	}
	return j, nil, j.Close, nil
}

// funcExecutor runs trials by calling the objective in the scheduler's
// goroutine for the trial.
type funcExecutor struct {
	objective Objective
	pruning   *scheduler.Pruning // nil without in-trial early stopping
}

var _ scheduler.Executor = (*funcExecutor)(nil)

func (e *funcExecutor) Execute(ctx context.Context, t trial.Trial) (trial.Result, error) {
	tr := &Trial{Number: t.Number, Seed: t.Seed, Params: t.Params, t: t, pruning: e.pruning}
	res := trial.Result{Number: t.Number, Model: t.Model, Params: t.Params, Seed: t.Seed, Budget: t.Budget}
	score, err := e.objective(ctx, tr)
	res.Steps = tr.steps
	switch {
	case errors.Is(err, ErrPruned) && len(tr.steps) > 0:
		res.State, res.Score = trial.Pruned, tr.steps[len(tr.steps)-1].Value
	case errors.Is(err, ErrPruned):
		res.State, res.Error = trial.Failed, "hpsearch: the objective returned ErrPruned before reporting any value"
	case err != nil:
		res.State, res.Error = trial.Failed, err.Error()
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	case math.IsNaN(score) || math.IsInf(score, 0):
		res.State, res.Error = trial.Failed, fmt.Sprintf("hpsearch: the objective returned %v, not a finite score", score)
	default:
		res.State, res.Score = trial.Complete, score
	}
	return res, nil
}
