package boosting

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

func fitOn(t *testing.T, params trial.Params, d dataset, seed uint64) trainers.ProbaEstimator {
	t.Helper()
	p, err := trainers.Resolve(GradientBoosting{}.Info(), params)
	if err != nil {
		t.Fatal(err)
	}
	cfg := trainers.Config{Task: trial.Regression, Seed: seed}
	if d.Classes > 0 {
		cfg = trainers.Config{Task: trial.Classification, Classes: d.Classes, Seed: seed}
	}
	e, err := GradientBoosting{}.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Fit(context.Background(), d.X, d.Y); err != nil {
		t.Fatal(err)
	}
	return e.(trainers.ProbaEstimator)
}

func TestRegistered(t *testing.T) {
	f, ok := trainers.Lookup("gradient_boosting")
	if !ok {
		t.Fatal("gradient_boosting is not registered")
	}
	if _, err := trainers.Resolve(f.Info(), trial.Params{}); err != nil {
		t.Errorf("defaults do not resolve: %v", err)
	}
}

func TestSameForAnyJobs(t *testing.T) {
	d := trainertest.Load(t, "iris.csv")
	var want []float64
	for _, jobs := range []int{1, 2, 3} {
		got := fitOn(t, trial.Params{"max_iter": 10, "n_jobs": jobs}, d, 0).PredictProba(d.X).Data
		if want == nil {
			want = got
		} else if !slices.Equal(got, want) {
			t.Fatalf("n_jobs=%d predicts differently from n_jobs=1", jobs)
		}
	}
}

// binary keeps iris's versicolor (1) and virginica (2) as classes 0 and 1.
func binary(d dataset) dataset {
	var rows []int
	for i, v := range d.Y {
		if v > 0 {
			rows = append(rows, i)
		}
	}
	X, y := trainertest.Subset(d.X, d.Y, rows)
	for i := range y {
		y[i]--
	}
	return dataset{X: X, Y: y, Classes: 2}
}

func TestClassifiers(t *testing.T) {
	iris := trainertest.Load(t, "iris.csv")
	tests := []struct {
		name string
		data dataset
		want float64 // training accuracy at least
	}{
		{"multiclass", iris, 0.97},
		{"binary", binary(iris), 0.95},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := fitOn(t, trial.Params{"min_samples_leaf": 5}, tc.data, 0)
			P, pred := e.PredictProba(tc.data.X), e.Predict(tc.data.X)
			if P.Cols != tc.data.Classes {
				t.Fatalf("PredictProba has %d columns, want %d", P.Cols, tc.data.Classes)
			}
			for i := range P.Rows {
				row := P.Row(i)
				if s := floatsSum(row); math.Abs(s-1) > 1e-9 {
					t.Fatalf("row %d: probabilities sum to %v", i, s)
				}
				if best := slices.Index(row, slices.Max(row)); float64(best) != pred[i] {
					t.Fatalf("row %d: Predict %v disagrees with PredictProba %v", i, pred[i], row)
				}
			}
			if acc := trainertest.Score(pred, tc.data.Y, trial.Classification); acc < tc.want {
				t.Errorf("training accuracy %.3f, want at least %.2f", acc, tc.want)
			}
		})
	}
}

func floatsSum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func TestFitCancelled(t *testing.T) {
	d := trainertest.Load(t, "iris.csv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, _ := trainers.Resolve(GradientBoosting{}.Info(), trial.Params{})
	e, _ := GradientBoosting{}.New(p, trainers.Config{Task: trial.Classification, Classes: 3})
	if err := e.Fit(ctx, d.X, d.Y); !errors.Is(err, context.Canceled) {
		t.Errorf("Fit on a cancelled context returned %v", err)
	}
}

func TestNewRejects(t *testing.T) {
	p, _ := trainers.Resolve(GradientBoosting{}.Info(), trial.Params{})
	if _, err := (GradientBoosting{}).New(p, trainers.Config{Task: trial.Classification, Classes: 1}); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("one class: got %v", err)
	}
	if _, err := trainers.Resolve(GradientBoosting{}.Info(), trial.Params{"max_bins": 256}); err == nil {
		t.Error("max_bins 256 was accepted")
	}
}

func TestEdges(t *testing.T) {
	tests := []struct {
		name    string
		sorted  []float64
		maxBins int
		want    []float64
	}{
		{"few distinct", []float64{0, 0, 1, 3, 3}, 255, []float64{0.5, 2}},
		{"constant", []float64{2, 2}, 255, []float64{}},
		// numpy.percentile([0..9], [25, 50, 75], method="midpoint")
		{"quantiles", []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 4, []float64{2.5, 4.5, 6.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := edges(tc.sorted, tc.maxBins); !slices.Equal(got, tc.want) {
				t.Errorf("edges = %v, want %v", got, tc.want)
			}
		})
	}
	bm := &binMapper{edges: [][]float64{{0.5, 2}}}
	for _, c := range []struct {
		v    float64
		want uint8
	}{{-1, 0}, {0.5, 0}, {0.6, 1}, {2, 1}, {7, 2}, {math.NaN(), 3}} {
		if got := bm.bin(0, c.v); got != c.want {
			t.Errorf("bin(%v) = %d, want %d", c.v, got, c.want)
		}
	}
}
