package worker

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/metrics"
	"github.com/hpsearch/hpsearch/trainers/preprocess"
	"github.com/hpsearch/hpsearch/trial"
)

// copiedScore scores a trial the way the worker did before folds were
// scaled where they lie: each fold's rows gathered, then scaled into new
// matrices by FitTransform and Transform.
func copiedScore(tb testing.TB, d *datasets.Dataset, req Request) (score float64, folds []float64) {
	tb.Helper()
	f, _ := trainers.Lookup(req.Trial.Model)
	l := f.(trainers.Learner)
	params, err := trainers.Resolve(l.Info(), req.Trial.Params)
	if err != nil {
		tb.Fatal(err)
	}
	splits, err := Splits(d.Y, d.Task, d.Classes, req.CV)
	if err != nil {
		tb.Fatal(err)
	}
	X := trainers.Matrix{Rows: d.Rows, Cols: d.Cols, Data: d.X}
	var b foldRows
	for _, sp := range splits {
		xtr, ytr, xva, yva := b.gather(X, d.Y, sp.Train, sp.Valid)
		pipe, err := preprocess.NewPipeline(preprocess.ScaleFor(req.Preprocess.Scale, l), req.Preprocess.Impute)
		if err != nil {
			tb.Fatal(err)
		}
		if xtr, err = pipe.FitTransform(xtr); err != nil {
			tb.Fatal(err)
		}
		if xva, err = pipe.Transform(xva); err != nil {
			tb.Fatal(err)
		}
		est, err := l.New(params, trainers.Config{Task: d.Task, Classes: len(d.Classes), Seed: req.Trial.Seed})
		if err != nil {
			tb.Fatal(err)
		}
		if err := est.Fit(context.Background(), xtr, ytr); err != nil {
			tb.Fatal(err)
		}
		s, err := metrics.Score(trial.DefaultMetric(d.Task), yva, est.Predict(xva), trainers.Matrix{}, len(d.Classes))
		if err != nil {
			tb.Fatal(err)
		}
		folds = append(folds, s)
	}
	var sum float64
	for _, s := range folds {
		sum += s
	}
	return sum / float64(len(folds)), folds
}

// The families that scale their features (knn, the linear models, mlp)
// score the same to the bit as when each fold was scaled into a copy,
// on a local worker (which scales its gathered copy) and on one that
// reorders and scales the dataset's rows in place, with standard and
// minmax scaling and with mean imputation; and the dataset is bit for
// bit as it was after each trial.
func TestScaledFoldsScoreAsScaledCopies(t *testing.T) {
	models := map[string]trial.Params{
		"knn":                 {"n_neighbors": 3},
		"logistic_regression": {"max_iter": 50},
		"ridge":               nil,
		"linear_svm":          {"max_iter": 100},
		"mlp":                 {"max_iter": 20},
	}
	settings := []struct {
		scale, impute string
		missing       bool
	}{
		{"", "", false}, // the family's default: standard
		{preprocess.MinMax, "", false},
		{preprocess.Standard, preprocess.Mean, true},
	}
	for _, dname := range []string{"wine", "diabetes"} {
		for _, s := range settings {
			want := ownCopy(t, dname)
			if s.missing {
				for i := 3; i < len(want.X); i += 11 {
					want.X[i] = math.NaN()
				}
			}
			local, inPlace := ownCopy(t, dname), ownCopy(t, dname)
			copy(local.X, want.X)
			copy(inPlace.X, want.X)
			wl, wi := New(&StaticSource{D: local}), inPlaceWorker(inPlace)
			for _, model := range slices.Sorted(maps.Keys(models)) {
				f, _ := trainers.Lookup(model)
				if !f.Info().Supports(want.Task) {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s+%s/%s", dname, s.scale, s.impute, model), func(t *testing.T) {
					req := fileRequest(model, models[model], trial.CV{Folds: 3, Seed: 6})
					req.Preprocess = trial.Preprocess{Scale: s.scale, Impute: s.impute}
					score, folds := copiedScore(t, want, req)
					for name, w := range map[string]*Worker{"local": wl, "in place": wi} {
						res := w.Run(context.Background(), req)
						if res.State != trial.Complete {
							t.Fatalf("%s: %s %s", name, res.State, res.Error)
						}
						if math.Float64bits(res.Score) != math.Float64bits(score) || !sameBits(res.FoldScores, folds) {
							t.Errorf("%s scored %v %v; scaled copies %v %v", name, res.Score, res.FoldScores, score, folds)
						}
					}
					checkRowsIntact(t, inPlace, want, model)
					checkRowsIntact(t, local, want, model)
				})
			}
		}
	}
}

// scaledProbe is a learner that wants its features standardized, for the
// tests of scaling in place: it records where its training rows lie and
// their column means, and fails, panics or waits for cancellation at the
// fit its test asks for (as probe does).
type scaledProbe struct{}

var scaledProbeState struct {
	sync.Mutex
	fits    int
	failAt  int
	how     string
	cancel  context.CancelFunc
	dataset []float64
	// per fit: the training rows lie in the dataset's storage; the
	// address of their first cell; the largest column mean.
	inDataset []bool
	first     []uintptr
	maxMean   []float64
}

func init() { trainers.Register(scaledProbe{}) }

func (scaledProbe) Info() trial.ModelInfo {
	return trial.ModelInfo{Name: "test_scaled_probe", Tasks: []trial.Task{trial.Classification, trial.Regression}}
}

func (scaledProbe) DefaultScale() string { return preprocess.Standard }

func (scaledProbe) New(trial.Params, trainers.Config) (trainers.Estimator, error) {
	return &scaledProbeEstimator{}, nil
}

// scaledProbeEstimator predicts as probeEstimator does.
type scaledProbeEstimator struct{ probeEstimator }

func (e *scaledProbeEstimator) Fit(ctx context.Context, X trainers.Matrix, y []float64) error {
	s := &scaledProbeState
	s.Lock()
	s.fits++
	p := uintptr(unsafe.Pointer(&X.Data[0]))
	d := s.dataset
	s.inDataset = append(s.inDataset, len(d) > 0 &&
		p >= uintptr(unsafe.Pointer(&d[0])) && p <= uintptr(unsafe.Pointer(&d[len(d)-1])))
	s.first = append(s.first, p)
	var worst float64
	for j := range X.Cols {
		var m float64
		for i := range X.Rows {
			m += X.At(i, j) / float64(X.Rows)
		}
		worst = max(worst, math.Abs(m))
	}
	s.maxMean = append(s.maxMean, worst)
	fail, how, cancel := s.failAt == s.fits, s.how, s.cancel
	s.Unlock()
	for _, v := range y {
		e.mean += v / float64(len(y))
	}
	if !fail {
		return nil
	}
	switch how {
	case "error":
		return fmt.Errorf("probe: injected failure")
	case "panic":
		panic("probe: injected panic")
	case "cancel":
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func setScaledProbe(d *datasets.Dataset, failAt int, how string, cancel context.CancelFunc) {
	s := &scaledProbeState
	s.Lock()
	defer s.Unlock()
	s.fits, s.failAt, s.how, s.cancel, s.dataset = 0, failAt, how, cancel, d.X
	s.inDataset, s.first, s.maxMean = nil, nil, nil
}

func scaledFitsSeen() (inDataset []bool, first []uintptr, maxMean []float64) {
	s := &scaledProbeState
	s.Lock()
	defer s.Unlock()
	return slices.Clone(s.inDataset), slices.Clone(s.first), slices.Clone(s.maxMean)
}

// withMissing returns iris with its own rows, every 13th cell missing.
func withMissing(tb testing.TB) *datasets.Dataset {
	tb.Helper()
	d := ownCopy(tb, "iris")
	for i := 5; i < len(d.X); i += 13 {
		d.X[i] = math.NaN()
	}
	return d
}

// A trial whose fit errs, panics or is cancelled while the dataset's
// rows are imputed and standardized in place leaves every bit of them
// as it was, and the next trial scores as on a fresh dataset. The
// fits were given the dataset's own rows, standardized (column means
// 0): no scaled copy.
func TestScaledInPlaceFoldsRestoreTheRowsWhateverTheFitDoes(t *testing.T) {
	want := withMissing(t)
	pre := trial.Preprocess{Impute: preprocess.Mean}
	knnReq := fileRequest("knn", nil, trial.CV{Folds: 5, Seed: 9})
	knnReq.Preprocess = pre
	reference := New(&StaticSource{D: withMissing(t)}).Run(context.Background(), knnReq)
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
		{"", 0, ""}, // no failure: five fits
	} {
		t.Run(fmt.Sprintf("%s at fit %d", tt.how, tt.failAt), func(t *testing.T) {
			d := withMissing(t)
			w := inPlaceWorker(d)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			setScaledProbe(d, tt.failAt, tt.how, cancel)
			req := fileRequest("test_scaled_probe", nil, trial.CV{Folds: 5, Seed: 9})
			req.Preprocess = pre
			res := w.Run(ctx, req)
			fits := tt.failAt
			if tt.how == "" {
				fits = 5
				if res.State != trial.Complete {
					t.Fatalf("%s %s", res.State, res.Error)
				}
			} else if res.State != trial.Failed || !strings.Contains(res.Error, tt.wantErr) {
				t.Fatalf("state %s, error %q; want failed with %q", res.State, res.Error, tt.wantErr)
			}
			inDataset, _, maxMean := scaledFitsSeen()
			if len(inDataset) != fits || slices.Contains(inDataset, false) {
				t.Fatalf("fits on the dataset's own rows: %v; want %d, all in place", inDataset, fits)
			}
			for i, m := range maxMean {
				if m > 1e-12 {
					t.Errorf("fit %d: a training column's mean is %v: not standardized", i+1, m)
				}
			}
			checkRowsIntact(t, d, want, "a "+tt.how)
			next := w.Run(context.Background(), knnReq)
			if next.State != trial.Complete || math.Float64bits(next.Score) != math.Float64bits(reference.Score) {
				t.Errorf("the next trial: %s %q, score %v; want %v", next.State, next.Error, next.Score, reference.Score)
			}
			checkRowsIntact(t, d, want, "the next trial")
		})
	}
}

// A local worker standardizes each fold's gathered copy where it lies:
// every fit trains on the same buffer, reused fold after fold, not on a
// new scaled matrix, and not on the dataset's own rows.
func TestScaledCopiedFoldsAreScaledInTheirBuffer(t *testing.T) {
	d := ownCopy(t, "iris")
	want := ownCopy(t, "iris")
	w := New(&StaticSource{D: d})
	setScaledProbe(d, 0, "", nil)
	if res := w.Run(context.Background(), fileRequest("test_scaled_probe", nil, trial.CV{Folds: 3, Seed: 1})); res.State != trial.Complete {
		t.Fatalf("%s: %s", res.State, res.Error)
	}
	inDataset, first, maxMean := scaledFitsSeen()
	if len(first) != 3 || slices.Contains(inDataset, true) {
		t.Fatalf("fits %d, on the dataset's rows %v; want 3 on copies", len(first), inDataset)
	}
	for i := range first {
		if first[i] != first[0] {
			t.Errorf("fit %d trained on rows at %#x, fit 1 at %#x: not the fold buffer", i+1, first[i], first[0])
		}
		if maxMean[i] > 1e-12 {
			t.Errorf("fit %d: a training column's mean is %v: not standardized", i+1, maxMean[i])
		}
	}
	checkRowsIntact(t, d, want, "a local trial")
}
