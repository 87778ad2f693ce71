package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// overrides are the flags that change a spec.
type overrides struct {
	// file, when set, is the name the spec goes by in messages instead of
	// its path: a temporary copy of a spec stored elsewhere (resume
	// s3://...).
	file      string
	name      string
	parallel  int
	maxTrials int
	seed      int64 // -1 = keep
	// datasetPath, when set, is where the spec's dataset, a relative
	// path, is: the file a resumed study recorded (see datasetFile).
	datasetPath string
}

// loadSpec reads and validates the spec at path, applies the overrides,
// and checks it against its dataset: the file exists, the target column
// is in its header, the task inferred from the data fits the models and
// the metric, and every class has enough rows for the folds. Every problem
// is an error naming the spec's file, line and field. It returns the
// dataset (nil for objective models) and the request template that every
// trial of the study shares.
//
// Both phases, the spec's and the dataset's, are interruptible: Ctrl-C
// returns at once, with an error wrapping trial.ErrInterrupted.
func loadSpec(ctx context.Context, path string, o *overrides) (*search.Spec, *worker.Request, error) {
	spec, err := interruptible(ctx, phaseSpec, func(context.Context) (*search.Spec, error) { return readSpec(path, o) })
	if err != nil {
		return nil, nil, err
	}
	req, err := interruptible(ctx, phaseDataset, func(ctx context.Context) (*worker.Request, error) { return checkDataset(ctx, spec, o) })
	if err != nil {
		return nil, nil, err
	}
	return spec, req, nil
}

// readSpec reads and validates the spec at path, with the overrides.
func readSpec(path string, o *overrides) (*search.Spec, error) {
	var spec *search.Spec
	var err error
	if o != nil && o.file != "" {
		spec, err = search.LoadAs(path, o.file, trainers.Catalog)
	} else {
		spec, err = search.Load(path, trainers.Catalog)
	}
	if err != nil {
		return nil, err
	}
	if o != nil {
		if o.name != "" {
			spec.Name = o.name
		}
		if o.parallel > 0 {
			spec.Search.Parallel = o.parallel
		}
		if o.maxTrials > 0 {
			spec.Search.MaxTrials = o.maxTrials
		}
		if o.seed >= 0 {
			spec.Search.Seed = uint64(o.seed)
		}
		if err := spec.Validate(trainers.Catalog); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

// checkDataset checks spec against its dataset, as loadSpec says, and
// returns the request template of its trials.
func checkDataset(ctx context.Context, spec *search.Spec, o *overrides) (*worker.Request, error) {
	req := &worker.Request{
		Study:      spec.Name,
		Target:     spec.Target,
		Task:       spec.Task,
		Metric:     spec.Metric,
		CV:         spec.CV,
		Preprocess: spec.Preprocess,
	}
	if spec.Dataset == "" {
		return req, nil
	}
	recorded := ""
	if o != nil {
		recorded = o.datasetPath
	}
	ref, err := datasetRef(spec, recorded)
	if err != nil {
		return nil, err
	}
	req.Dataset = ref
	if strings.HasPrefix(spec.Dataset, "s3://") {
		// Its form is checked here, before any request; its content by
		// the Lambda backend, which reads the object.
		if _, _, err := s3data.ParseURI(spec.Dataset); err != nil {
			var ie *trial.InputError
			if errors.As(err, &ie) {
				return nil, spec.Errorf("dataset", "%s", ie.Msg)
			}
			return nil, spec.Errorf("dataset", "%v", err)
		}
		return req, nil
	}
	cols, err := datasets.Columns(firstNonEmpty(ref.Name, ref.Path))
	if err != nil {
		return nil, spec.Errorf("dataset", "%v", err)
	}
	if spec.Target != "" && !contains(cols, spec.Target) {
		return nil, spec.Errorf("target", "column %q is not in the header of %s; its columns are: %s",
			spec.Target, spec.Dataset, strings.Join(cols, ", "))
	}
	w := localWorker()
	d, _, err := w.Load(ctx, *req)
	if err != nil {
		return nil, spec.Errorf("dataset", "%v", err)
	}
	if spec.Task == "" || spec.Metric == "" {
		if err := spec.SetTask(d.Task, trainers.Catalog); err != nil {
			return nil, err
		}
		req.Task, req.Metric = spec.Task, spec.Metric
	} else if spec.Task != d.Task {
		return nil, spec.Errorf("task", "is %s, but target column %q of %s holds %s labels", spec.Task, d.Target, spec.Dataset, d.Task)
	}
	splits, err := w.Splits(d, spec.CV)
	if err != nil {
		return nil, spec.Errorf("cv", "%v", strings.TrimPrefix(err.Error(), trial.ErrBadInput.Error()+": "))
	}
	if err := checkAgainstData(spec, splits); err != nil {
		return nil, err
	}
	return req, nil
}

// datasetRef resolves the spec's dataset to a reference the worker can
// load: a bundled name, or a path relative to the spec file's directory
// (falling back to the working directory). A relative path is first
// looked for at recorded, when given: the absolute path a resumed study
// recorded for it.
func datasetRef(spec *search.Spec, recorded string) (worker.DatasetRef, error) {
	ds := spec.Dataset
	switch {
	case strings.HasPrefix(ds, "s3://"):
		return worker.DatasetRef{Path: ds}, nil
	case datasets.IsBundled(ds):
		return worker.DatasetRef{Name: ds}, nil
	}
	candidates := []string{ds}
	if !filepath.IsAbs(ds) && spec.File != "" {
		candidates = []string{filepath.Join(filepath.Dir(spec.File), ds), ds}
	}
	if !filepath.IsAbs(ds) && recorded != "" {
		if _, err := os.Stat(recorded); err != nil {
			return worker.DatasetRef{}, spec.Errorf("dataset", "%s: the study read it from %s, which is not there now (%v); put it back, or resume from the directory the study was started in with: hpsearch run SPEC.yaml --resume",
				ds, recorded, errors.Unwrap(err))
		}
		candidates = []string{recorded}
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			abs, err := filepath.Abs(c)
			if err != nil {
				return worker.DatasetRef{}, err
			}
			return worker.DatasetRef{Path: abs}, nil
		}
	}
	var names []string
	for _, b := range datasets.Bundled() {
		names = append(names, b.Name)
	}
	return worker.DatasetRef{}, spec.Errorf("dataset", "%s: no such file, and not a bundled dataset (%s)", candidates[0], strings.Join(names, ", "))
}

var sharedWorker *worker.Worker

// localWorker returns the process's one local Worker, so that validation
// and the local executor share its dataset and fold caches.
func localWorker() *worker.Worker {
	if sharedWorker == nil {
		sharedWorker = worker.New(nil)
	}
	return sharedWorker
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// checkAgainstData asks each family whose parameters depend on the data
// (trainers.DataChecker) about every value the spec may give them: the
// bounds of a range and each listed value, against the smallest training
// fold and, under early stopping on data_fraction, against the rows the
// smallest rung trains on (worker.FractionRows of early_stopping's min),
// so that a value no low rung could run is refused before any trial.
func checkAgainstData(spec *search.Spec, splits []worker.Split) error {
	trainRows := -1
	for _, sp := range splits {
		if trainRows < 0 || len(sp.Train) < trainRows {
			trainRows = len(sp.Train)
		}
	}
	fraction := 1.0 // of the smallest rung
	if es := spec.EarlyStopping; es != nil && es.Budget == search.DataFraction {
		fraction = es.Min
		if len(es.Rungs) > 0 {
			fraction = min(fraction, es.Rungs[0])
		}
	}
	rungRows := trainRows
	if fraction < 1 {
		rungRows = worker.FractionRows(trainRows, fraction)
	}
	for i, m := range spec.Models {
		fam, ok := trainers.Lookup(m.Model)
		if !ok {
			continue
		}
		dc, ok := fam.(trainers.DataChecker)
		if !ok {
			continue
		}
		for _, dim := range m.Params {
			values := dim.Values
			if len(values) == 0 {
				values = []any{dim.Min, dim.Max}
			}
			field := "parameters." + dim.Name
			if len(spec.Models) > 1 {
				field = fmt.Sprintf("models[%d].parameters.%s", i, dim.Name)
			}
			for _, v := range values {
				if err := dc.CheckData(dim.Name, v, trainRows); err != nil {
					return spec.Errorf(field, "%v", err)
				}
			}
			if rungRows == trainRows {
				continue
			}
			var rungErr error
			need := 0.0 // the smallest fraction every value fits
			for _, v := range values {
				if err := dc.CheckData(dim.Name, v, rungRows); err != nil {
					if f := neededFraction(dc, dim.Name, v, trainRows); f > need {
						rungErr, need = err, f // name the value that needs the most
					}
				}
			}
			if rungErr != nil {
				return spec.Errorf(field, "%v: at early_stopping's lowest rung, data_fraction %s, a trial trains on %d of the fold's %d rows; raise early_stopping.min to at least %s, or lower %s",
					rungErr, trial.FormatValue(fraction), rungRows, trainRows, trial.FormatValue(need), dim.Name)
			}
		}
	}
	return nil
}

// neededFraction returns the smallest data_fraction, to two significant
// digits, whose share of the smallest training fold (trainRows rows,
// which CheckData accepts value for) CheckData accepts value for. More
// rows never hurt, so the least rows are found by bisection.
func neededFraction(dc trainers.DataChecker, param string, value any, trainRows int) float64 {
	lo, hi := 1, trainRows
	for lo < hi {
		mid := lo + (hi-lo)/2
		if dc.CheckData(param, value, mid) == nil {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	f := float64(lo) / float64(trainRows)
	scale := math.Pow(10, 1-math.Floor(math.Log10(f)))
	f = min(1, math.Ceil(f*scale)/scale)
	for f < 1 && worker.FractionRows(trainRows, f) < lo {
		f = min(1, f+1/scale)
	}
	return f
}
