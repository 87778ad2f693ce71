package trial

import "time"

// Task is the kind of learning problem.
type Task string

// Tasks.
const (
	Classification Task = "classification"
	Regression     Task = "regression"
)

// Budget is the training budget a trial runs with under early stopping:
// the value of one budget parameter (n_estimators, max_iter, data_fraction)
// and the rung it belongs to. The zero Budget means "full budget, no rung".
type Budget struct {
	Name  string  `json:"name,omitempty"`
	Value float64 `json:"value,omitempty"`
	Rung  int     `json:"rung,omitempty"`
	// Config is the number of the trial that first ran this
	// configuration (its lowest rung); every rung of one configuration
	// shares it, and it equals Number on that first trial.
	Config int `json:"config,omitempty"`
	// Max is the study's full budget: a result with Value below Max is an
	// intermediate rung, ranked as pruned (see results.StateOf).
	Max float64 `json:"max,omitempty"`
}

// Trial is one parameter set to evaluate. Number is unique within a study
// and starts at 0; Seed is derived from the study seed and Number, so a
// trial's score depends only on Model, Params, Seed, Budget and the data.
type Trial struct {
	Number int    `json:"number"`
	Model  string `json:"model"`
	Params Params `json:"params"`
	Seed   uint64 `json:"seed"`
	Budget Budget `json:"budget,omitempty"`
	// Attempt counts executions of the same trial (retries, resumes),
	// starting at 1.
	Attempt int `json:"attempt,omitempty"`
}

// State is where a trial is in its life.
type State string

// States of a trial. Running is written when a trial is dispatched; the
// other three are final.
const (
	Running  State = "running"
	Complete State = "complete"
	Pruned   State = "pruned"
	Failed   State = "failed"
)

// Final reports whether s is a final state.
func (s State) Final() bool { return s == Complete || s == Pruned || s == Failed }

// Result is the outcome of one trial execution, as returned by an executor
// and recorded in the journal.
type Result struct {
	Number int    `json:"number"`
	State  State  `json:"state"`
	Model  string `json:"model"`
	Params Params `json:"params"`
	Seed   uint64 `json:"seed"`
	Budget Budget `json:"budget,omitempty"`
	// Score is the mean of FoldScores (the objective's value for the
	// standard test functions). It is meaningful only when State is
	// Complete or Pruned.
	Score      float64   `json:"score"`
	FoldScores []float64 `json:"fold_scores,omitempty"`
	// Steps holds the intermediate values the trial reported, in the
	// order reported (command objectives; see Step). A pruned trial's
	// Score is its last.
	Steps []Step `json:"steps,omitempty"`
	// Error is the reason a trial failed.
	Error string `json:"error,omitempty"`
	// Timings in seconds: loading the dataset, fitting and scoring (summed
	// over folds), and the whole execution as the executor saw it.
	LoadSeconds  float64 `json:"load_seconds,omitempty"`
	FitSeconds   float64 `json:"fit_seconds,omitempty"`
	ScoreSeconds float64 `json:"score_seconds,omitempty"`
	Seconds      float64 `json:"seconds"`
	// PeakMemoryBytes is the largest heap in use the worker observed.
	PeakMemoryBytes uint64 `json:"peak_memory_bytes,omitempty"`
	// DatasetSource says where the worker found the data: "memory", "tmp",
	// "s3" or "local".
	DatasetSource string `json:"dataset_source,omitempty"`
	// Started and Finished are wall-clock times set by the scheduler.
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Worker identifies what ran the trial, when the backend says: for
	// Lambda, the execution environment (worker.LambdaResponse's
	// Environment). Empty otherwise.
	Worker string `json:"worker,omitempty"`
	// Backend holds backend-specific figures (for Lambda: billed duration,
	// init duration, max memory from the REPORT line).
	Backend map[string]float64 `json:"backend,omitempty"`
}
