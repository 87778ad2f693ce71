package search

import "github.com/hpsearch/hpsearch/trial"

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
	// Backend holds the executor settings (the Lambda issue fills it).
	Backend map[string]any `json:"backend,omitempty"`

	// File is the path the spec was read from, for error messages.
	File string `json:"-"`
}

// SearchSettings is the spec's search: block.
type SearchSettings struct {
	Method    string `json:"method"` // grid | random | sobol (tpe later)
	MaxTrials int    `json:"max_trials"`
	Parallel  int    `json:"parallel"`
	Seed      uint64 `json:"seed"`
}

// StopRules is the spec's stop: block. Zero values mean "no such rule".
type StopRules struct {
	MaxFailedTrials int `json:"max_failed_trials,omitempty"`
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
