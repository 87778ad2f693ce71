package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/metrics"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"
)

// DataFraction is the budget name that trains on a share of each training
// fold instead of changing a model parameter; any model accepts it.
const DataFraction = "data_fraction"

// Worker runs trials. It is safe for concurrent use: trials share the
// datasets and fold assignments it caches, read-only (a Lambda
// runtime's Worker reorders a dataset's rows for a fold and puts them
// back, under a lock; see inPlace).
type Worker struct {
	src Source
	// inPlace lets a trial reorder the rows of a dataset its source
	// loaded (not a bundled one, which the whole process shares) in
	// place rather than copy each fold's rows (see foldData). Set it
	// only where nothing but this Worker's trials reads those datasets,
	// and they run one at a time: a Lambda runtime serving one
	// invocation at a time (LambdaConfig.InPlaceFolds). rows keeps
	// concurrent trials correct even then, at the cost of waiting.
	inPlace bool
	// rows guards the rows of the datasets this Worker's source loaded
	// against a trial that has them out of order; see foldData.
	rows sync.RWMutex

	mu    sync.Mutex
	folds map[string]*foldEntry
}

// maxFoldEntries bounds the fold assignments a Worker caches. A study uses
// one per dataset and CV setting, but every Invoke payload may name its own
// cv.seed, and each entry holds a dataset's worth of row indices: past the
// bound the cache starts afresh, so callers cannot grow it without limit.
const maxFoldEntries = 16

type foldEntry struct {
	once   sync.Once
	splits []Split
	err    error
}

// New returns a Worker that finds datasets through src; nil means a
// LocalSource (bundled names and local files).
func New(src Source) *Worker {
	if src == nil {
		src = &LocalSource{}
	}
	return &Worker{src: src, folds: map[string]*foldEntry{}}
}

// Run executes one trial and returns its result. It never panics: a trainer
// that panics or errs gives a result with State trial.Failed and the
// reason. When ctx is cancelled the trial fails with the context's error.
func (w *Worker) Run(ctx context.Context, req Request) (res trial.Result) {
	start := time.Now()
	t := req.Trial
	res = trial.Result{Number: t.Number, Model: t.Model, Params: t.Params, Seed: t.Seed, Budget: t.Budget}
	defer func() {
		if p := recover(); p != nil {
			res.State = trial.Failed
			res.Error = fmt.Sprintf("panic: %v\n%s", p, truncate(string(debug.Stack()), 2048))
		}
		res.Seconds = time.Since(start).Seconds()
		if res.DatasetSource != "" {
			res.PeakMemoryBytes = peakMemory()
		}
	}()
	if len(req.Command) > 0 {
		res = runCommand(ctx, req)
		return res
	}
	if err := w.run(ctx, req, &res); err != nil {
		res.State = trial.Failed
		res.Error = err.Error()
		return res
	}
	res.State = trial.Complete
	return res
}

func (w *Worker) run(ctx context.Context, req Request, res *trial.Result) error {
	if err := req.Validate(); err != nil {
		return err
	}
	t := req.Trial
	fam, ok := trainers.Lookup(t.Model)
	if !ok {
		return fmt.Errorf("%w %q (see 'hpsearch models')", trial.ErrUnknownModel, t.Model)
	}
	params, err := trainers.Resolve(fam.Info(), t.Params)
	if err != nil {
		return err
	}
	if b := t.Budget; b.Name != "" && b.Name != DataFraction {
		if _, ok := fam.Info().Lookup(b.Name); !ok {
			return fmt.Errorf("%w: budget %q is not a parameter of %s", trial.ErrUnknownParam, b.Name, t.Model)
		}
		params[b.Name] = b.Value
		if params, err = trainers.Resolve(fam.Info(), params); err != nil {
			return err
		}
	}
	switch f := fam.(type) {
	case trainers.Objective:
		fitStart := time.Now()
		v, err := f.Evaluate(ctx, params)
		res.FitSeconds = time.Since(fitStart).Seconds()
		if err != nil {
			return err
		}
		res.Score = v
		return nil
	case trainers.Learner:
		return w.crossValidate(ctx, req, f, params, res)
	}
	return fmt.Errorf("worker: model %s is neither a learner nor an objective", t.Model)
}

// Load returns the request's dataset through the worker's source, with the
// options the request implies.
func (w *Worker) Load(ctx context.Context, req Request) (*datasets.Dataset, string, error) {
	return w.src.Load(ctx, req.Dataset, datasets.Options{
		Target:       req.Target,
		Task:         req.Task,
		Encoding:     req.Preprocess.Encoding,
		AllowMissing: req.Preprocess.Impute != "",
	})
}

// Splits returns the request's validation splits of d, computed once per
// dataset and CV setting.
func (w *Worker) Splits(d *datasets.Dataset, cv trial.CV) ([]Split, error) {
	key := fmt.Sprintf("%p|%d|%d|%g|%d", d, cv.Folds, cv.Seed, cv.Holdout, cv.Repeats)
	w.mu.Lock()
	e, ok := w.folds[key]
	if !ok {
		if len(w.folds) >= maxFoldEntries {
			// Trials running on the dropped entries keep their splits.
			clear(w.folds)
		}
		e = &foldEntry{}
		w.folds[key] = e
	}
	w.mu.Unlock()
	e.once.Do(func() { e.splits, e.err = Splits(d.Y, d.Task, d.Classes, cv) })
	return e.splits, e.err
}

func (w *Worker) crossValidate(ctx context.Context, req Request, l trainers.Learner, params trial.Params, res *trial.Result) error {
	loadStart := time.Now()
	d, source, err := w.Load(ctx, req)
	if err != nil {
		return err
	}
	res.LoadSeconds = time.Since(loadStart).Seconds()
	res.DatasetSource = source
	if !l.Info().Supports(d.Task) {
		return fmt.Errorf("%w: model %s does not support %s", trial.ErrBadInput, l.Info().Name, d.Task)
	}
	splits, err := w.Splits(d, req.CV)
	if err != nil {
		return err
	}
	metric := req.Metric
	if metric == "" {
		metric = trial.DefaultMetric(d.Task)
	}
	if err := trial.CheckMetric(metric, d.Task); err != nil {
		return fmt.Errorf("%w: %w", trial.ErrBadInput, err)
	}
	info := trial.Metrics[metric]
	scale := preprocess.ScaleFor(req.Preprocess.Scale, l)
	X := trainers.Matrix{Rows: d.Rows, Cols: d.Cols, Data: d.X}
	fraction := 1.0
	if req.Trial.Budget.Name == DataFraction {
		fraction = req.Trial.Budget.Value
		if fraction <= 0 || fraction > 1 {
			return fmt.Errorf("%w: data_fraction must be in (0, 1], got %g", trial.ErrBadInput, fraction)
		}
	}
	res.FoldScores = make([]float64, 0, len(splits))
	data := &foldData{X: X, y: d.Y, rows: &w.rows, inPlace: w.inPlace && req.Dataset.Name == ""}
	var undo preprocess.Undo // reused fold after fold, as data's storage is
	for fi, sp := range splits {
		if err := ctx.Err(); err != nil {
			return err
		}
		train := sp.Train
		if fraction < 1 {
			train = subsample(train, fraction, req.Trial.Seed+uint64(fi))
		}
		foldStart := time.Now()
		var scoreSeconds float64
		err := data.with(train, sp.Valid, func(fd fold) error {
			pipe, err := preprocess.NewPipeline(scale, req.Preprocess.Impute)
			if err != nil {
				return err
			}
			// Imputed and scaled where the rows lie, not into a copy:
			// the gathered copy is the trial's own, and the dataset's
			// rows, in place, get every bit back when the fold ends.
			var u *preprocess.Undo
			if fd.shared {
				u = &undo
			}
			if err := pipe.FitTransformInPlace(fd.X, fd.train, u); err != nil {
				return fmt.Errorf("fold %d: %w", fi, err)
			}
			if u != nil {
				defer u.Restore()
			}
			xtr, ytr, xva, yva := fd.parts()
			est, err := l.New(params, trainers.Config{Task: d.Task, Classes: len(d.Classes), Seed: req.Trial.Seed})
			if err != nil {
				return err
			}
			if err := est.Fit(ctx, xtr, ytr); err != nil {
				return fmt.Errorf("fold %d: fit: %w", fi, err)
			}
			scoreStart := time.Now()
			defer func() { scoreSeconds = time.Since(scoreStart).Seconds() }()
			pred := est.Predict(xva)
			var proba trainers.Matrix
			if info.Proba {
				pe, ok := est.(trainers.ProbaEstimator)
				if !ok {
					return fmt.Errorf("%w: metric %s needs probabilities, which %s does not predict", trial.ErrBadInput, metric, l.Info().Name)
				}
				proba = pe.PredictProba(xva)
			}
			s, err := metrics.Score(metric, yva, pred, proba, len(d.Classes))
			if err != nil {
				return fmt.Errorf("fold %d: %s: %w", fi, metric, err)
			}
			if math.IsNaN(s) {
				return fmt.Errorf("fold %d: %s is NaN", fi, metric)
			}
			res.FoldScores = append(res.FoldScores, s)
			return nil
		})
		if err != nil {
			return err
		}
		// The fit's time includes getting the fold's rows (and, in place,
		// putting them back).
		res.FitSeconds += time.Since(foldStart).Seconds() - scoreSeconds
		res.ScoreSeconds += scoreSeconds
	}
	var sum float64
	for _, s := range res.FoldScores {
		sum += s
	}
	res.Score = sum / float64(len(res.FoldScores))
	return nil
}

// foldRows is the storage of one fold's gathered rows, reused by the
// next fold of the same trial: nothing of a fold (its estimator, its
// predictions) outlives it, so a trial holds one copy of the rows it
// trains and scores on, not one per fold waiting for the garbage
// collector. It is not safe for concurrent use; each trial has its own.
type foldRows struct {
	x, y []float64
}

// gather copies the train and valid rows of X and y into b's storage,
// growing it when needed, so a trainer never sees the shared dataset
// (foldData's in-place path, where a trial has it to itself, does not
// copy). The matrices it returns are valid until the next call.
func (b *foldRows) gather(X trainers.Matrix, y []float64, train, valid []int) (xtr trainers.Matrix, ytr []float64, xva trainers.Matrix, yva []float64) {
	n := len(train) + len(valid)
	if cap(b.y) < n {
		b.x, b.y = make([]float64, n*X.Cols), make([]float64, n)
	}
	x, ys := b.x[:n*X.Cols], b.y[:n]
	for i, r := range train {
		copy(x[i*X.Cols:(i+1)*X.Cols], X.Row(r))
		ys[i] = y[r]
	}
	for i, r := range valid {
		j := len(train) + i
		copy(x[j*X.Cols:(j+1)*X.Cols], X.Row(r))
		ys[j] = y[r]
	}
	cut := len(train) * X.Cols
	// Full slice expressions: an append to one part cannot write the other.
	xtr = trainers.Matrix{Rows: len(train), Cols: X.Cols, Data: x[:cut:cut]}
	xva = trainers.Matrix{Rows: len(valid), Cols: X.Cols, Data: x[cut:]}
	return xtr, ys[:len(train):len(train)], xva, ys[len(train):]
}

// FractionRows is the number of rows a trial whose budget is data_fraction
// fraction trains on, of a training fold of rows rows: at least one.
func FractionRows(rows int, fraction float64) int {
	return min(rows, max(1, int(math.Ceil(fraction*float64(rows)))))
}

func subsample(rows []int, fraction float64, seed uint64) []int {
	n := FractionRows(len(rows), fraction)
	rng := rand.New(rand.NewPCG(seed, 0xda942042e4dd58b5))
	idx := rng.Perm(len(rows))[:n]
	out := make([]int, n)
	for i, j := range idx {
		out[i] = rows[j]
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// IsBadInput reports whether a trial's failure was caused by its input
// rather than by the infrastructure.
func IsBadInput(err error) bool { return errors.Is(err, trial.ErrBadInput) }
