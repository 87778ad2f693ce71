package model

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// FitRequest is what Fit needs: the study's settings and the trial to
// refit, as the worker receives them for a trial, plus what the model file
// records about the trial.
type FitRequest struct {
	// Request holds the dataset, target, task, metric and preprocessing
	// of the study, and the trial: its model, parameters, seed and
	// budget. Its CV settings are not used: the refit uses every row.
	worker.Request
	// CVScore is the trial's cross-validated score, recorded in the
	// model file; nil when unknown.
	CVScore *float64
	// Version is the hpsearch version recorded in the model file; ""
	// means the main module's version from the build information.
	Version string
}

// Fit fits the request's trial on every row of its dataset and returns
// the fitted model. It does what a trial does on one training fold, on all
// the rows: the same dataset loading (through w, so a Lambda worker reads
// the study's pushed dataset and a local one the file), the same parameter
// resolution with the trial's budget applied (a data_fraction budget is
// not: the refit uses every row), preprocessing fitted on all rows, and an
// estimator seeded with the trial's seed. The same request gives the same
// model, byte for byte once saved, wherever it runs.
//
// Errors caused by the request or the data wrap trial.ErrBadInput. It
// returns ctx.Err() when ctx is cancelled during the fit. It never panics:
// a panicking trainer is an error.
func Fit(ctx context.Context, w *worker.Worker, req FitRequest) (m *Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("model: fit %s: panic: %v", req.Trial.Model, p)
		}
	}()
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	t := req.Trial
	fam, ok := trainers.Lookup(t.Model)
	if !ok {
		return nil, fmt.Errorf("model: fit: %w: %w %q (see 'hpsearch models')", trial.ErrBadInput, trial.ErrUnknownModel, t.Model)
	}
	l, ok := fam.(trainers.Learner)
	if !ok {
		return nil, fmt.Errorf("model: fit: %w: %s is a test function; there is no model to fit", trial.ErrBadInput, t.Model)
	}
	params, err := trainers.Resolve(l.Info(), t.Params)
	if err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	if b := t.Budget; b.Name != "" && b.Name != worker.DataFraction {
		if _, ok := l.Info().Lookup(b.Name); !ok {
			return nil, fmt.Errorf("model: fit: %w: %w: budget %q is not a parameter of %s", trial.ErrBadInput, trial.ErrUnknownParam, b.Name, t.Model)
		}
		params[b.Name] = b.Value
		if params, err = trainers.Resolve(l.Info(), params); err != nil {
			return nil, fmt.Errorf("model: fit: %w", err)
		}
	}
	d, _, err := w.Load(ctx, req.Request)
	if err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	if !l.Info().Supports(d.Task) {
		return nil, fmt.Errorf("model: fit: %w: model %s does not support %s", trial.ErrBadInput, t.Model, d.Task)
	}
	sha, err := d.SHA256()
	if err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	settings := Settings{
		Scale:    preprocess.ScaleFor(req.Preprocess.Scale, l),
		Impute:   req.Preprocess.Impute,
		Encoding: req.Preprocess.Encoding,
	}
	pipe, err := preprocess.NewPipeline(settings.Scale, settings.Impute)
	if err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	// The dataset is shared read-only; the pipeline returns new
	// matrices, and without steps the trainer gets a copy.
	X := trainers.Matrix{Rows: d.Rows, Cols: d.Cols, Data: d.X}
	Xt, err := pipe.FitTransform(X)
	if err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	if &Xt.Data[0] == &d.X[0] {
		Xt = trainers.Matrix{Rows: X.Rows, Cols: X.Cols, Data: append([]float64(nil), X.Data...)}
	}
	y := append([]float64(nil), d.Y...)
	cfg := trainers.Config{Task: d.Task, Classes: len(d.Classes), Seed: t.Seed}
	est, err := l.New(params, cfg)
	if err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	pe, ok := est.(trainers.Persistent)
	if !ok {
		return nil, fmt.Errorf("model: fit: %w: model %s cannot be saved to a model file", trial.ErrBadInput, t.Model)
	}
	if err := pe.Fit(ctx, Xt, y); err != nil {
		return nil, fmt.Errorf("model: fit %s on %d rows: %w", t.Model, d.Rows, err)
	}
	m = &Model{
		Family: t.Model, Params: params, Task: d.Task, Target: d.Target,
		Classes: d.Classes, Features: d.Features, Categories: d.Categories, Preprocess: settings,
		Rows: d.Rows, DatasetSHA256: sha, Metric: req.Metric, CVScore: req.CVScore,
		Trial: t.Number, Seed: t.Seed, Version: req.Version,
		pipe: pipe, est: pe,
	}
	if m.Metric == "" {
		m.Metric = trial.DefaultMetric(d.Task)
	}
	if m.Version == "" {
		m.Version = buildVersion()
	}
	if m.CVScore != nil && (math.IsNaN(*m.CVScore) || math.IsInf(*m.CVScore, 0)) {
		m.CVScore = nil
	}
	if m.EstimatorState, err = pe.MarshalBinary(); err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	if m.PreprocessState, err = pipe.MarshalBinary(); err != nil {
		return nil, fmt.Errorf("model: fit: %w", err)
	}
	return m, nil
}

// buildVersion is the main module's version, "(devel)" for a build from a
// checkout, or "unknown".
func buildVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "unknown"
}
