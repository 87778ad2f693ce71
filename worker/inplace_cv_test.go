package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// ownCopy returns a bundled dataset with rows of its own, so that a
// worker may reorder them without touching the process-wide bundled copy.
func ownCopy(tb testing.TB, name string) *datasets.Dataset {
	tb.Helper()
	d, err := datasets.Load(name, datasets.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	c := *d
	c.X, c.Y = slices.Clone(d.X), slices.Clone(d.Y)
	return &c
}

// inPlaceWorker returns a worker that reorders d's rows in place, as a
// Lambda runtime's does.
func inPlaceWorker(d *datasets.Dataset) *Worker {
	w := New(&StaticSource{D: d})
	w.inPlace = true
	return w
}

// fileRequest is a request for the dataset a StaticSource serves, named
// as a file (a dataset the worker's own source loaded, not a bundled one).
func fileRequest(model string, p trial.Params, cv trial.CV) Request {
	return Request{
		Study:   "test",
		Trial:   trial.Trial{Number: 1, Model: model, Params: p, Seed: 7},
		Dataset: DatasetRef{Path: "/data/own.csv"},
		CV:      cv,
	}
}

// checkRowsIntact fails unless d's rows and labels are bit for bit those
// of want.
func checkRowsIntact(tb testing.TB, d, want *datasets.Dataset, after string) {
	tb.Helper()
	if !sameBits(d.X, want.X) || !sameBits(d.Y, want.Y) {
		tb.Fatalf("after %s the dataset's rows are not as they were", after)
	}
}

// Every learner family scores the same, to the bit, whether its folds are
// copies or row ranges of the dataset reordered in place — on every CV
// setting (stratified k-fold, repeated k-fold, holdout, a data_fraction
// subsample, imputation and scaling) — and the dataset is bit for bit
// as it was after each trial. The families whose fit depends on the
// order of the rows (sgd-style mlp and linear_svm, which shuffle an index;
// random_forest with bootstrap; gradient_boosting's binning sample) are
// among them.
func TestInPlaceFoldsScoreAsCopiedFolds(t *testing.T) {
	cvs := []struct {
		name     string
		cv       trial.CV
		budget   trial.Budget
		scale    string
		impute   string
		missing  bool
		datasets []string
	}{
		{name: "3-fold", cv: trial.CV{Folds: 3, Seed: 1}, datasets: []string{"iris", "diabetes"}},
		{name: "2-fold repeated twice", cv: trial.CV{Folds: 2, Repeats: 2, Seed: 2}, datasets: []string{"wine", "diabetes"}},
		{name: "25% holdout", cv: trial.CV{Holdout: 0.25, Seed: 3}, datasets: []string{"iris", "diabetes"}},
		{name: "4-fold on half of each training fold", cv: trial.CV{Folds: 4, Seed: 4},
			budget: trial.Budget{Name: DataFraction, Value: 0.5}, datasets: []string{"wine"}},
		{name: "3-fold, median imputation, minmax scaling", cv: trial.CV{Folds: 3, Seed: 5},
			scale: "minmax", impute: "median", missing: true, datasets: []string{"iris"}},
	}
	params := map[string]trial.Params{
		"random_forest":     {"n_estimators": 10, "bootstrap": true, "n_jobs": 2},
		"gradient_boosting": {"max_iter": 10, "n_jobs": 2},
		"mlp":               {"max_iter": 30},
		"linear_svm":        {"max_iter": 200},
	}
	var learners []string
	for _, name := range trainers.Names() {
		if f, _ := trainers.Lookup(name); f != nil {
			if _, ok := f.(trainers.Learner); ok && !strings.HasPrefix(name, "test_") {
				learners = append(learners, name)
			}
		}
	}
	if len(learners) < 11 {
		t.Fatalf("only %d learner families registered: %v", len(learners), learners)
	}
	for _, c := range cvs {
		for _, dname := range c.datasets {
			want := ownCopy(t, dname)
			if c.missing {
				for i := 0; i < len(want.X); i += 7 {
					want.X[i] = math.NaN()
				}
			}
			copied, inPlace := ownCopy(t, dname), ownCopy(t, dname)
			copy(copied.X, want.X)
			copy(inPlace.X, want.X)
			wc, wi := New(&StaticSource{D: copied}), inPlaceWorker(inPlace)
			for _, model := range learners {
				f, _ := trainers.Lookup(model)
				if !f.Info().Supports(want.Task) {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/%s", c.name, dname, model), func(t *testing.T) {
					req := fileRequest(model, params[model], c.cv)
					req.Trial.Budget = c.budget
					req.Preprocess = trial.Preprocess{Scale: c.scale, Impute: c.impute}
					a, b := wc.Run(context.Background(), req), wi.Run(context.Background(), req)
					if a.State != trial.Complete || b.State != trial.Complete {
						t.Fatalf("copied: %s %s; in place: %s %s", a.State, a.Error, b.State, b.Error)
					}
					if math.Float64bits(a.Score) != math.Float64bits(b.Score) || !sameBits(a.FoldScores, b.FoldScores) {
						t.Errorf("in place scored %v %v, copied %v %v", b.Score, b.FoldScores, a.Score, a.FoldScores)
					}
					checkRowsIntact(t, inPlace, want, model)
					checkRowsIntact(t, copied, want, model)
				})
			}
		}
	}
}

// probe is a learner for the tests of the in-place folds: it records the
// rows it is given and fails, panics or waits for cancellation at the
// fit its test asks for.
type probe struct{}

var probeState struct {
	sync.Mutex
	fits     int
	failAt   int    // the fit (counting from 1) that fails; 0 never
	how      string // "error", "panic" or "cancel"
	cancel   context.CancelFunc
	aliasing []bool // per fit: the training rows are inside the dataset's storage
	dataset  []float64
}

func init() { trainers.Register(probe{}) }

func (probe) Info() trial.ModelInfo {
	return trial.ModelInfo{Name: "test_probe", Tasks: []trial.Task{trial.Classification, trial.Regression}}
}

func (probe) New(trial.Params, trainers.Config) (trainers.Estimator, error) {
	return &probeEstimator{}, nil
}

type probeEstimator struct{ mean float64 }

func (e *probeEstimator) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	s := &probeState
	s.Lock()
	s.fits++
	n := s.fits
	d := s.dataset
	s.aliasing = append(s.aliasing, len(X.Data) > 0 && len(d) > 0 &&
		uintptr(unsafe.Pointer(&X.Data[0])) >= uintptr(unsafe.Pointer(&d[0])) &&
		uintptr(unsafe.Pointer(&X.Data[0])) <= uintptr(unsafe.Pointer(&d[len(d)-1])))
	how, fail, cancel := s.how, s.failAt == n, s.cancel
	s.Unlock()
	for _, v := range y {
		e.mean += v / float64(len(y))
	}
	if !fail {
		return nil
	}
	switch how {
	case "error":
		return errors.New("probe: injected failure")
	case "panic":
		panic("probe: injected panic")
	case "cancel":
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (e *probeEstimator) Predict(X trainers.Matrix) []float64 {
	out := make([]float64, X.Rows)
	for i := range out {
		out[i] = math.Round(e.mean)
	}
	return out
}

// setProbe resets the probe for a trial on d.
func setProbe(d *datasets.Dataset, failAt int, how string, cancel context.CancelFunc) {
	s := &probeState
	s.Lock()
	defer s.Unlock()
	s.fits, s.failAt, s.how, s.cancel, s.aliasing, s.dataset = 0, failAt, how, cancel, nil, d.X
}

func probeAliasing() []bool {
	probeState.Lock()
	defer probeState.Unlock()
	return slices.Clone(probeState.aliasing)
}

// A trial that errs, panics or is cancelled in the middle of a fold
// leaves the dataset's rows exactly as they were, and the next trial on
// the same worker scores as it would have on a fresh dataset.
func TestInPlaceFoldsRestoreTheRowsWhateverTheFitDoes(t *testing.T) {
	want := ownCopy(t, "iris")
	reference := New(&StaticSource{D: ownCopy(t, "iris")}).Run(context.Background(), fileRequest("knn", nil, trial.CV{Folds: 5, Seed: 9}))
	if reference.State != trial.Complete {
		t.Fatalf("reference trial: %s", reference.Error)
	}
	for _, tt := range []struct {
		how     string
		failAt  int
		wantErr string
	}{
		{"error", 3, "probe: injected failure"},
		{"panic", 2, "panic: probe: injected panic"},
		{"cancel", 4, "context canceled"},
		{"error", 1, "probe: injected failure"},
	} {
		t.Run(fmt.Sprintf("%s at fit %d", tt.how, tt.failAt), func(t *testing.T) {
			d := ownCopy(t, "iris")
			w := inPlaceWorker(d)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			setProbe(d, tt.failAt, tt.how, cancel)
			res := w.Run(ctx, fileRequest("test_probe", nil, trial.CV{Folds: 5, Seed: 9}))
			if res.State != trial.Failed || !strings.Contains(res.Error, tt.wantErr) {
				t.Fatalf("state %s, error %q; want failed with %q", res.State, res.Error, tt.wantErr)
			}
			if got := probeAliasing(); len(got) != tt.failAt || slices.Contains(got, false) {
				t.Fatalf("fits on rows of the dataset itself: %v; want %d, all in place", got, tt.failAt)
			}
			checkRowsIntact(t, d, want, "a "+tt.how)
			next := w.Run(context.Background(), fileRequest("knn", nil, trial.CV{Folds: 5, Seed: 9}))
			if next.State != trial.Complete || math.Float64bits(next.Score) != math.Float64bits(reference.Score) {
				t.Errorf("the next trial: %s %q, score %v; want %v", next.State, next.Error, next.Score, reference.Score)
			}
			checkRowsIntact(t, d, want, "the next trial")
		})
	}
}

// Only a worker allowed to (a Lambda runtime's) reorders rows, and only
// those of a dataset its own source loaded: a bundled dataset is shared by
// every worker of the process, and a local worker's trials share theirs.
func TestInPlaceFoldsOnlyWhereAllowed(t *testing.T) {
	for _, tt := range []struct {
		name    string
		inPlace bool
		ref     DatasetRef
		want    bool
	}{
		{"lambda worker, own dataset", true, DatasetRef{Path: "/data/own.csv"}, true},
		{"lambda worker, bundled dataset", true, DatasetRef{Name: "iris"}, false},
		{"local worker", false, DatasetRef{Path: "/data/own.csv"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := ownCopy(t, "iris")
			w := New(&StaticSource{D: d})
			w.inPlace = tt.inPlace
			setProbe(d, 0, "", nil)
			req := fileRequest("test_probe", nil, trial.CV{Folds: 3, Seed: 1})
			req.Dataset = tt.ref
			if res := w.Run(context.Background(), req); res.State != trial.Complete {
				t.Fatalf("%s: %s", res.State, res.Error)
			}
			got := probeAliasing()
			if len(got) != 3 {
				t.Fatalf("%d fits, want 3", len(got))
			}
			for i, alias := range got {
				if alias != tt.want {
					t.Errorf("fold %d trained on the dataset's own rows: %v, want %v", i, alias, tt.want)
				}
			}
		})
	}
	if h := NewLambdaHandlerWith(LambdaConfig{InPlaceFolds: true}, nil); !h.worker.inPlace {
		t.Error("LambdaConfig.InPlaceFolds does not reach the handler's worker")
	}
	if h := NewLambdaHandlerWith(LambdaConfig{}, nil); h.worker.inPlace {
		t.Error("a handler without InPlaceFolds reorders rows")
	}
}

// Trials running at once on a worker that reorders in place (a function
// with AWS_LAMBDA_MAX_CONCURRENCY above 1 that was told to anyway) still
// score as copies do: a fold reorders only with the rows to itself and is
// copied otherwise. Run with -race.
func TestInPlaceFoldsConcurrentTrialsScoreAsCopies(t *testing.T) {
	want := ownCopy(t, "wine")
	d := ownCopy(t, "wine")
	w := inPlaceWorker(d)
	models := []string{"knn", "random_forest", "mlp", "decision_tree"}
	refs := map[string]trial.Result{}
	wc := New(&StaticSource{D: ownCopy(t, "wine")})
	reqFor := func(m string) Request {
		p := trial.Params{}
		switch m {
		case "random_forest":
			p["n_estimators"] = 5
		case "mlp":
			p["max_iter"] = 20
		}
		return fileRequest(m, p, trial.CV{Folds: 3, Seed: 2})
	}
	for _, m := range models {
		refs[m] = wc.Run(context.Background(), reqFor(m))
	}
	var wg sync.WaitGroup
	results := make([]trial.Result, 3*len(models))
	for i := range results {
		wg.Go(func() { results[i] = w.Run(context.Background(), reqFor(models[i%len(models)])) })
	}
	wg.Wait()
	for i, res := range results {
		m := models[i%len(models)]
		if res.State != trial.Complete || math.Float64bits(res.Score) != math.Float64bits(refs[m].Score) {
			t.Errorf("%s: %s %q, score %v; copied %v", m, res.State, res.Error, res.Score, refs[m].Score)
		}
	}
	checkRowsIntact(t, d, want, "concurrent trials")
}
