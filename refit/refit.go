package refit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// Names of the model in a study.
const (
	// Dir is the study's model directory (a key segment in S3).
	Dir = "model"
	// ModelFile is the model file in Dir.
	ModelFile = "model.hpm"
	// InfoFile is the Info sidecar in Dir.
	InfoFile = "model.json"
)

// Errors of Plan.
var (
	// ErrNothingToRefit is a study without a dataset: an objective
	// function, a command or a Go function. Not a failure.
	ErrNothingToRefit = errors.New("nothing to refit")
	// ErrNoTrial is a trial that cannot be refitted: none completed, or
	// the one asked for did not run or did not complete. It wraps
	// trial.ErrBadInput.
	ErrNoTrial = errors.New("no trial to refit")
)

// noTrialError is an ErrNoTrial saying why, in its own words.
type noTrialError struct{ msg string }

func (e *noTrialError) Error() string   { return "refit: " + e.msg }
func (e *noTrialError) Unwrap() []error { return []error{ErrNoTrial, trial.ErrBadInput} }

func noTrial(format string, args ...any) error {
	return &noTrialError{msg: fmt.Sprintf(format, args...)}
}

func init() { worker.RegisterRefit(FitModel) }

// Fitter fits one refit request on every row of its dataset and returns
// the model file's bytes. Implementations: Local (this process) and the
// Lambda executor (one invocation; lambdaexec.Executor.Refit). The same
// request gives the same bytes from every Fitter. Errors caused by the
// request or the data wrap trial.ErrBadInput; a cancelled ctx returns an
// error wrapping ctx.Err(). Safe for concurrent use.
type Fitter interface {
	Refit(ctx context.Context, req worker.RefitRequest) ([]byte, error)
}

// Local is the Fitter of this process: FitModel with Worker.
type Local struct {
	Worker *worker.Worker
}

var _ Fitter = Local{}

// Refit implements Fitter.
func (l Local) Refit(ctx context.Context, req worker.RefitRequest) ([]byte, error) {
	return FitModel(ctx, l.Worker, req)
}

// FitModel is the refit every worker runs, locally or in Lambda
// (worker.RefitFunc): model.Fit on req, loading the dataset through w,
// saved as a model file.
func FitModel(ctx context.Context, w *worker.Worker, req worker.RefitRequest) ([]byte, error) {
	m, err := model.Fit(ctx, w, model.FitRequest{Request: req.Request, CVScore: req.CVScore, Version: req.Version})
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			return nil, fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Version is the hpsearch version a refit records in the model file: the
// main module's version ("(devel)" for a build from a checkout), or
// "unknown". Callers send theirs to a Lambda worker so that both write
// the same bytes.
func Version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "unknown"
}

// HasModel reports whether a study of spec has a model to refit: it
// searches learners on a dataset, rather than an objective function, a
// command or a Go function.
func HasModel(spec *search.Spec) bool {
	return spec.Dataset != "" && !spec.IsCommand()
}

// Plan returns the request that refits trial n of a study (the best trial
// when n < 0) whose spec and results are given; base holds the study's
// settings and dataset reference as its executor sends them (only its
// trial is replaced), version what the model file records. It returns
// ErrNothingToRefit for a study without a model (see HasModel), and
// ErrNoTrial, saying why, when the study has no complete trial or trial n
// did not complete.
func Plan(spec *search.Spec, base worker.Request, rs []trial.Result, n int, version string) (worker.RefitRequest, error) {
	if !HasModel(spec) {
		what := "an objective function"
		if spec.IsCommand() {
			what = "a command"
		}
		return worker.RefitRequest{}, fmt.Errorf("%w: study %s tunes %s, not a model fitted on a dataset", ErrNothingToRefit, spec.Name, what)
	}
	r, err := choose(rs, spec.Direction, n)
	if err != nil {
		return worker.RefitRequest{}, err
	}
	req := worker.RefitRequest{Request: base, Refit: worker.Refit{Version: version}}
	req.Trial = trial.Trial{Number: r.Number, Attempt: 1, Model: r.Model, Params: r.Params.Clone(), Seed: r.Seed, Budget: r.Budget}
	if !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) {
		s := r.Score
		req.CVScore = &s
	}
	return req, nil
}

// choose returns the result to refit: the best ranked one when n < 0,
// else trial n's last final result, which must be complete.
func choose(rs []trial.Result, dir trial.Direction, n int) (trial.Result, error) {
	if n < 0 {
		for _, row := range results.Leaderboard(rs, dir) {
			if row.Rank == 1 {
				return row.Result, nil
			}
		}
		return trial.Result{}, noTrial("the study has no complete trial")
	}
	var last *trial.Result
	for i := range rs {
		if rs[i].Number == n && rs[i].State.Final() {
			last = &rs[i]
		}
	}
	switch {
	case last == nil:
		return trial.Result{}, noTrial("trial %d has no result in the study", n)
	case last.State != trial.Complete:
		return trial.Result{}, noTrial("trial %d %s; refit a complete trial (see hpsearch leaderboard)", n, last.State)
	}
	return *last, nil
}

// Info is the model.json beside a study's model file: what was refitted,
// and how to check the file.
type Info struct {
	Study string `json:"study"`
	// Trial is the number of the trial refitted; Model, Params, Seed and
	// Budget its configuration.
	Trial  int          `json:"trial"`
	Model  string       `json:"model"`
	Params trial.Params `json:"params"`
	Seed   uint64       `json:"seed"`
	Budget trial.Budget `json:"budget,omitzero"`
	// Metric and CVScore are the study's metric and the trial's
	// cross-validated score (absent when unknown).
	Metric  string   `json:"metric,omitempty"`
	CVScore *float64 `json:"cv_score,omitempty"`
	// File is the model file's name in the model directory, SHA256 and
	// Bytes its content's digest and size.
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
	// Rows is the number of rows the model was fitted on: all of the
	// dataset's.
	Rows int `json:"rows"`
	// Backend is where the model was fitted: "local" or "lambda".
	Backend string `json:"backend"`
	// Seconds is how long the refit took, storing excluded.
	Seconds float64 `json:"seconds"`
	// Time is when the refit ended (UTC).
	Time time.Time `json:"time"`
}

// Store keeps the files of a study's model directory. Put replaces the
// file name with b whole, or leaves it as it was and returns an error.
type Store interface {
	Put(ctx context.Context, name string, b []byte) error
}

// Run fits req with f and puts the model file, then Info, in store. It
// returns the Info stored. backend names where f fits ("local",
// "lambda").
func Run(ctx context.Context, f Fitter, req worker.RefitRequest, backend string, store Store) (Info, error) {
	start := time.Now()
	file, err := f.Refit(ctx, req)
	if err != nil {
		return Info{}, fmt.Errorf("refit: trial %d: %w", req.Trial.Number, err)
	}
	// What is stored must load: a Fitter elsewhere (a Lambda worker of
	// another build) could write what this build cannot read.
	m, err := model.Load(bytes.NewReader(file))
	if err != nil {
		return Info{}, fmt.Errorf("refit: trial %d: the model file fitted (%s) does not load: %w", req.Trial.Number, backend, err)
	}
	sum := sha256.Sum256(file)
	info := Info{Rows: m.Rows,
		Study: req.Study, Trial: req.Trial.Number, Model: req.Trial.Model, Params: req.Trial.Params,
		Seed: req.Trial.Seed, Budget: req.Trial.Budget, Metric: req.Metric, CVScore: req.CVScore,
		File: ModelFile, SHA256: hex.EncodeToString(sum[:]), Bytes: len(file),
		Backend: backend, Seconds: time.Since(start).Seconds(), Time: time.Now().UTC(),
	}
	if err := store.Put(ctx, ModelFile, file); err != nil {
		return Info{}, fmt.Errorf("refit: store the model: %w", err)
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return Info{}, fmt.Errorf("refit: %w", err)
	}
	if err := store.Put(ctx, InfoFile, append(b, '\n')); err != nil {
		return Info{}, fmt.Errorf("refit: store %s: %w", InfoFile, err)
	}
	return info, nil
}
