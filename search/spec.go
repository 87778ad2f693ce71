package search

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Spec is a study as written in YAML and resolved: every default filled in
// and every value validated against the model catalog. It is serialised
// into the study directory (spec.yaml as written, spec.json as resolved).
type Spec struct {
	// Name names the study and its directory: [a-z0-9][a-z0-9._-]*.
	Name string `json:"name"`
	// Dataset is a bundled name (iris, wine, breast_cancer, digits,
	// diabetes), a local CSV or Parquet path (relative paths are resolved
	// against the spec file's directory), or an s3:// URI. Empty for
	// objective models (branin, noop, ...).
	Dataset string `json:"dataset,omitempty"`
	// Target is the target column; empty means the last column.
	Target string `json:"target,omitempty"`
	// Task is classification or regression; empty in the YAML means
	// inferred from the target column when the dataset is loaded.
	Task trial.Task `json:"task,omitempty"`
	// Metric names a key of trial.Metrics; Direction follows from it.
	// Left empty in the YAML it defaults to "value" for objective models
	// and to trial.DefaultMetric(task) otherwise. When Task is empty and the
	// models support both tasks, Metric and Direction stay empty until
	// SetTask is called with the task inferred from the data.
	Metric     string           `json:"metric"`
	Direction  trial.Direction  `json:"direction"`
	CV         trial.CV         `json:"cv"`
	Preprocess trial.Preprocess `json:"preprocess,omitempty"`
	Search     SearchSettings   `json:"search"`
	// Models holds one entry per model family searched; a spec with a
	// top-level model: and parameters: has exactly one.
	Models []ModelSpace `json:"models"`
	// Stop holds the study stop rules.
	Stop StopRules `json:"stop,omitempty"`
	// EarlyStopping, when set, runs each configuration at increasing
	// budgets (rungs) and stops the unpromising ones early.
	EarlyStopping *EarlyStopping `json:"early_stopping,omitempty"`
	// Backend holds the executor settings (the Lambda issue fills it).
	Backend map[string]any `json:"backend,omitempty"`
	// Command, when set, makes this a command study (see command.go):
	// each trial runs this program with these arguments instead of a
	// model; Direction is then required. Timeout bounds each of its
	// trials, as a Go duration; empty means no bound.
	Command []string `json:"command,omitempty"`
	Timeout string   `json:"timeout,omitempty"`
	// Workdir is the directory a command study's command runs in, from
	// which a relative program path is taken: the spec file's directory,
	// made absolute when the study is created and recorded in spec.json,
	// so that a resume (which reads the spec kept in the study directory)
	// runs the command where the first run did. Not a YAML key.
	Workdir string `json:"workdir,omitempty"`
	// Func marks a study whose objective is a Go function (package
	// hpsearch at the module's root) rather than a model or a command:
	// validated as a command study without the command. Set by
	// ParseFunc, not a YAML key.
	Func bool `json:"func,omitempty"`

	// File is the path the spec was read from, for error messages.
	File string `json:"-"`
	// Lines maps a field path to the 1-based YAML line it was written on:
	// "dataset", "cv.folds", "parameters.n_neighbors",
	// "models[1].parameters.max_depth.min", "parameters.weights.values[0]".
	// Errorf looks fields up here; a spec not parsed from YAML has none.
	Lines map[string]int `json:"-"`

	raw           []byte // the YAML as written
	topLevelModel bool   // model: and parameters: at the top level, not models:
}

// SearchSettings is the spec's search: block.
type SearchSettings struct {
	Method string `json:"method"` // grid | random | sobol | tpe; default random
	// MaxTrials is how many trials the study runs, at most MaxTrialsLimit.
	// Left out of the YAML it is the grid size for grid search and 20
	// otherwise (a 0 written in the YAML is an error); a grid is never run
	// past its size, so a larger value is lowered to it.
	MaxTrials int `json:"max_trials"`
	// Parallel is how many trials run at once, at most MaxParallel. Left
	// out of the YAML it is runtime.NumCPU() (a 0 written is an error).
	Parallel int `json:"parallel"`
	// Seed is the study seed; each trial's seed is TrialSeed(Seed, n).
	// The zero value is a valid seed.
	Seed uint64 `json:"seed"`
	// NStartupTrials is how many configurations TPE draws from Startup
	// before it models the results (tpe only); left out, 10.
	NStartupTrials int `json:"n_startup_trials,omitempty"`
	// Startup is the sampler of TPE's first configurations: random (the
	// default, as Optuna) or sobol.
	Startup string `json:"startup,omitempty"`
	// Multivariate makes TPE model each family's parameters jointly, as
	// Optuna's TPESampler(multivariate=True) but with Scott's bandwidth
	// (see tpe_multivariate.go); false models them one by one, as
	// Optuna's default TPESampler (tpe only). Nil means
	// DefaultMultivariate (true); Validate fills it in.
	Multivariate *bool `json:"multivariate,omitempty"`
	// Refit, when the study searches learners, fits the best trial's
	// configuration on every row once the study ends and stores the model
	// in the study (see package refit). Nil means true; only a refit:
	// false written in the YAML is recorded, so studies made before the
	// field existed resume unchanged. Studies without a dataset have
	// nothing to refit, whatever it says.
	Refit *bool `json:"refit,omitempty"`
}

// RefitEnabled reports whether the study refits its best trial when it
// ends: Refit, nil meaning true.
func (s SearchSettings) RefitEnabled() bool { return s.Refit == nil || *s.Refit }

// StopRules is the spec's stop: block. Zero values mean "no such rule".
type StopRules struct {
	MaxFailedTrials int `json:"max_failed_trials,omitempty"`
	// Target stops the study once a full-budget trial scores at least
	// this well (>= when maximizing, <= when minimizing).
	Target *float64 `json:"target,omitempty"`
	// Patience stops the study after this many full-budget results in a
	// row without a new best.
	Patience int `json:"patience,omitempty"`
	// MaxTime stops dispatching once this much time has passed since the
	// study started, as a Go duration ("90s", "10m", "1h30m"); trials in
	// flight finish. See Timeout.
	MaxTime string `json:"max_time,omitempty"`
	// MaxCost stops dispatching once the trials' summed cost reaches this
	// many US dollars. Only backends that meter their cost accept it.
	MaxCost float64 `json:"max_cost,omitempty"`
}

// Timeout returns MaxTime as a duration; zero when unset or invalid
// (Validate rejects invalid ones).
func (r StopRules) Timeout() time.Duration {
	d, _ := time.ParseDuration(r.MaxTime)
	return max(d, 0)
}

// EarlyStopping is the spec's early_stopping: block. A configuration first
// runs at budget Min (rung 0); each rung multiplies the budget by Eta, up
// to Max (the last rung). Budget names a parameter the model declares as
// its training budget (n_estimators, max_iter) or "data_fraction", the
// share of each training fold, which every model accepts.
type EarlyStopping struct {
	// Type is asha (asynchronous successive halving), hyperband
	// (round-robin brackets of ASHA starting at different rungs) or
	// median (continue while at least as good as the rung's median).
	Type   string  `json:"type"`
	Budget string  `json:"budget"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	// Eta is the reduction factor: a rung keeps the top 1/Eta (asha,
	// hyperband) and its budget is Eta times the one below; left out, 3.
	Eta int `json:"eta,omitempty"`
	// Rungs lists the budgets explicitly instead of Min, Max and Eta
	// (median only), in increasing order.
	Rungs []float64 `json:"rungs,omitempty"`
	// Brackets limits hyperband to its most aggressive brackets; left
	// out, one bracket per rung.
	Brackets int `json:"brackets,omitempty"`
}

// ModelSpace is one model family and the space of its parameters.
type ModelSpace struct {
	Model  string      `json:"model"`
	Params []Dimension `json:"parameters"`
}

// Dimension is one searched parameter: a constant, a list of values, or a
// numeric range. Line is the YAML line it was declared on.
type Dimension struct {
	Name string     `json:"name"`
	Kind trial.Kind `json:"kind"` // float, int or categorical (constants too)
	// Values is set for a categorical or constant dimension, and for a
	// numeric range whose grid points were listed.
	Values []any `json:"values,omitempty"`
	// Min, Max, Log and Step describe a numeric range.
	Min  float64 `json:"min,omitempty"`
	Max  float64 `json:"max,omitempty"`
	Log  bool    `json:"log,omitempty"`
	Step float64 `json:"step,omitempty"`
	// GridPoints is how many evenly spaced points a grid takes from a
	// continuous range (log-spaced when Log).
	GridPoints int `json:"grid_points,omitempty"`
	Line       int `json:"-"`
}

// Raw returns the YAML as written, for the study directory's spec.yaml.
func (s *Spec) Raw() []byte { return s.raw }

// Errorf returns a *trial.InputError for field, located at the field's YAML
// line, or at the line of its nearest written parent ("parameters.x.min"
// falls back to "parameters.x", then "parameters"). It is for checks made
// after parsing, such as the CLI finding that the dataset file or the
// target column does not exist. A %w verb in format is honoured: the
// wrapped error is kept for errors.Is alongside trial.ErrBadInput.
func (s *Spec) Errorf(field, format string, args ...any) error {
	e := fmt.Errorf(format, args...)
	return &trial.InputError{File: s.File, Line: s.line(field), Field: field, Msg: e.Error(), Err: errors.Unwrap(e)}
}

// errorAt is Errorf with a specific sentinel such as trial.ErrUnknownModel.
func (s *Spec) errorAt(field string, sentinel error, format string, args ...any) error {
	return &trial.InputError{File: s.File, Line: s.line(field), Field: field, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// line returns the YAML line of field or of its nearest recorded parent.
func (s *Spec) line(field string) int {
	for field != "" {
		if l, ok := s.Lines[field]; ok {
			return l
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			break
		}
		field = field[:i]
	}
	return 0
}

// modelField returns the field path of family i's key: "model" or
// "parameters.x" for a spec with a top-level model:, "models[i].model"
// otherwise.
func (s *Spec) modelField(i int, key string) string {
	if s.topLevelModel {
		return key
	}
	return fmt.Sprintf("models[%d].%s", i, key)
}
