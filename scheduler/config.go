package scheduler

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Reasons a study stops, as written in its journal's stop event and in
// Outcome.StopReason.
const (
	// StopMaxTrials: Config.MaxTrials trials were dispatched and finished.
	StopMaxTrials = "max_trials"
	// StopExhausted: the sampler had no more trials to propose.
	StopExhausted = "exhausted"
	// StopMaxFailed: Config.MaxFailed trials failed.
	StopMaxFailed = "max_failed"
	// StopInterrupted: the context was cancelled (Ctrl-C, a deadline),
	// or the backend stayed unavailable for Config.OutageTimeout (Run's
	// error then wraps trial.ErrUnavailable too). Either way the trials
	// in flight are left so in the journal, for resume to run.
	StopInterrupted = "interrupted"
	// StopError: the store failed; the journal may lack this stop event.
	StopError = "error"
)

// Config is everything Run needs. Sampler, Executor, Store, Direction and
// Seed are required; the zero value of every other field is documented.
type Config struct {
	Sampler  Sampler
	Executor Executor
	// Store receives the dispatch, result and stop events. Run only
	// appends; opening it (with the study event) and closing it are the
	// caller's.
	Store results.Store
	// Parallel is how many trials run at once; 0 means 1.
	Parallel int
	// MaxTrials is how many trials to dispatch; 0 means no limit: the
	// study runs until the sampler is exhausted, MaxFailed is reached or
	// ctx is cancelled.
	MaxTrials int
	// MaxFailed stops the study once this many trials have failed; 0
	// means no limit. Trials in flight then still finish and are
	// journaled.
	MaxFailed int
	// Stop holds the other stop rules (target, patience, time, cost);
	// the zero value has none.
	Stop StopRules
	// Direction says which score is best, for Outcome.Best and progress.
	Direction trial.Direction
	// Seed returns the seed of trial n, such as search.TrialSeed bound to
	// the study seed. It must depend on n only, so the same study seed
	// gives the same trials whatever Parallel is.
	Seed func(n int) uint64
	// Progress, when set, is called with a Snapshot after every dispatch
	// and every journaled batch of results, and once at the end. It is
	// called from Run's goroutine, never concurrently, and should return
	// quickly: the loop waits for it.
	Progress func(Snapshot)
	// Prior holds the events of an earlier run of the same study, in
	// journal order (its journal as read back, a torn tail dropped), for
	// Run to continue; nil starts a new study. Trials with a final result
	// there are not run again, the sampler is rebuilt by replaying the
	// journal to it, numbering continues after the highest trial number,
	// trials that were in flight run again first (same number, Attempt+1),
	// and Outcome covers the whole study. The store must be the one that
	// holds these events: Run appends after them. See Plan and resume.go.
	Prior []results.Event
	// PriorScan, when set instead of Prior, streams the same events, so
	// that a resume of any size holds none of them: each call hands fn
	// the events of the earlier run, in journal order, and returns fn's
	// first error (which stops it) or its own. Run calls it twice, before
	// it dispatches or writes anything: to plan, then to rebuild the
	// sampler, hand each result to OnResult and judge the stop rules.
	// Both calls must give the same events. Its error stops Run before
	// anything is run or written.
	PriorScan func(fn func(results.Event) error) error
	// OnResult, when set, is called with every journaled result in
	// journal order, those of Prior first, and Outcome.Results is left
	// nil: a caller that summarises the study as it goes (see
	// results.Tally) holds no list of its results, which at 100,000
	// trials is most of Run's memory. It is called from Run's goroutine,
	// never concurrently, once a result is durable; nil keeps every
	// result in Outcome.Results.
	OnResult func(trial.Result)
	// Now returns the current time, for event times, Result.Started and
	// Finished, rates and the length of an outage; nil means time.Now. It
	// is called from several goroutines at once.
	Now func() time.Time
	// OutageTimeout bounds how long the study waits for an unavailable
	// backend (an execution error wrapping trial.ErrUnavailable) to answer
	// again before it stops as interrupted; 0 means DefaultOutageTimeout.
	// It is measured by Now from the first such error, until an
	// execution dispatched after it returns a result. See Run.
	OutageTimeout time.Duration
	// After returns a channel that receives once d has passed, for the
	// waits between probes of an unavailable backend; nil means
	// time.After. It is called from Run's goroutine only. Tests pass one
	// that advances their clock instead of sleeping.
	After func(d time.Duration) <-chan time.Time
	// Log receives notices of outages: when the backend became
	// unavailable, each failed probe, and when it answered again. nil
	// means slog.Default(), so that a command line tool shows them on
	// stderr without wiring.
	Log *slog.Logger
}

// DefaultOutageTimeout is Config.OutageTimeout's default: long enough to
// ride out a restarted endpoint or a brief network partition, short
// enough that a study whose backend is gone for good stops the same
// session.
const DefaultOutageTimeout = 5 * time.Minute

func (c *Config) check() error {
	var problems []error
	for _, missing := range []struct {
		name string
		nil  bool
	}{
		{"Sampler", c.Sampler == nil}, {"Executor", c.Executor == nil},
		{"Store", c.Store == nil}, {"Seed", c.Seed == nil},
	} {
		if missing.nil {
			problems = append(problems, fmt.Errorf("%s is nil", missing.name))
		}
	}
	if c.Direction != trial.Maximize && c.Direction != trial.Minimize {
		problems = append(problems, fmt.Errorf("field Direction is %q, want %q or %q", c.Direction, trial.Maximize, trial.Minimize))
	}
	if c.Stop.Patience < 0 || c.Stop.MaxTime < 0 || c.Stop.MaxCost < 0 {
		problems = append(problems, fmt.Errorf("field Stop %+v: no limit may be negative", c.Stop))
	}
	if c.OutageTimeout < 0 {
		problems = append(problems, fmt.Errorf("field OutageTimeout %v: must not be negative", c.OutageTimeout))
	}
	if c.Prior != nil && c.PriorScan != nil {
		problems = append(problems, errors.New("fields Prior and PriorScan: set one at most"))
	}
	if c.Parallel < 0 || c.MaxTrials < 0 || c.MaxFailed < 0 {
		problems = append(problems, fmt.Errorf("fields Parallel %d, MaxTrials %d, MaxFailed %d: none may be negative",
			c.Parallel, c.MaxTrials, c.MaxFailed))
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("scheduler: invalid config: %w", err)
	}
	return nil
}

// resuming reports whether Run continues an earlier run's journal.
func (c Config) resuming() bool { return len(c.Prior) > 0 || c.PriorScan != nil }

// priorScan returns the scan of the earlier run's events, from Prior or
// PriorScan; nil when Run starts a new study.
func (c Config) priorScan() func(fn func(results.Event) error) error {
	if c.PriorScan != nil {
		return c.PriorScan
	}
	if len(c.Prior) == 0 {
		return nil
	}
	return func(fn func(results.Event) error) error {
		for _, e := range c.Prior {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
}

// Snapshot is the state of a running study, for progress reports.
type Snapshot struct {
	// Summary counts trials as the journal would: Dispatched, Complete,
	// Pruned, Failed, Running (in flight), Best so far and, once the
	// study is stopping, StopReason.
	results.Summary
	// Done is Complete + Pruned + Failed.
	Done int
	// Executing counts the trials an executor is running right now; the
	// Summary's Running also counts finished trials whose results are
	// still being journaled.
	Executing int
	// Total is Config.MaxTrials; 0 when unbounded.
	Total int
	// Elapsed is the time since Run started, by Config.Now.
	Elapsed time.Duration
	// TrialsPerSecond is Done / Elapsed, counting only the trials this
	// Run finished (not those of Config.Prior).
	TrialsPerSecond float64
	// Outage is how long the backend has been unavailable (see Run), by
	// Config.Now; 0 while it answers.
	Outage time.Duration
}

// Outcome is what a study did.
type Outcome struct {
	// Results holds every journaled result, in journal order; nil when
	// Config.OnResult was set, which was given them instead.
	Results []trial.Result
	// Summary holds the counts, the best complete trial and StopReason,
	// equal to results.Summarize of the journal Run wrote. After an
	// interruption Running counts the trials that were in flight, whose
	// dispatch has no result in the journal.
	results.Summary
	// Wall is the time Run took, by Config.Now.
	Wall time.Duration
}
