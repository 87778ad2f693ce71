package metrics_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/metrics"
	"github.com/hpsearch/hpsearch/trial"
)

// The cases of benchmarks/sklearn_refs/metrics_small.py.
type input struct {
	yTrue, yPred []float64
	proba        trainers.Matrix
	classes      int
}

func matrix(rows [][]float64) trainers.Matrix {
	m := trainers.NewMatrix(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(m.Row(i), r)
	}
	return m
}

var binaryScores = []float64{0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 1.0, 0.0}

func binaryProba() trainers.Matrix {
	m := trainers.NewMatrix(len(binaryScores), 2)
	for i, s := range binaryScores {
		m.Row(i)[0], m.Row(i)[1] = 1-s, s
	}
	return m
}

func binaryPred() []float64 {
	out := make([]float64, len(binaryScores))
	for i, s := range binaryScores {
		if s > 0.5 {
			out[i] = 1
		}
	}
	return out
}

var inputs = map[string]input{
	"three": {
		yTrue: []float64{0, 1, 2, 2, 1, 0, 2, 1, 1},
		yPred: []float64{0, 2, 2, 2, 1, 1, 0, 1, 2},
		proba: matrix([][]float64{
			{0.7, 0.2, 0.1}, {0.1, 0.3, 0.6}, {0.2, 0.2, 0.6}, {0.0, 0.0, 1.0}, {0.3, 0.4, 0.3},
			{0.4, 0.5, 0.1}, {0.5, 0.1, 0.4}, {0.1, 0.8, 0.1}, {0.2, 0.3, 0.5}}),
		classes: 3,
	},
	"four": {
		yTrue:   []float64{0, 1, 2, 2, 1, 0},
		yPred:   []float64{0, 3, 2, 2, 1, 3},
		classes: 4,
	},
	"binary": {
		yTrue:   []float64{0, 0, 1, 1, 0, 1, 1, 0},
		yPred:   binaryPred(),
		proba:   binaryProba(),
		classes: 2,
	},
	"regression": {
		yTrue: []float64{3.0, -0.5, 2.0, 7.0, 4.25},
		yPred: []float64{2.5, 0.0, 2.0, 8.0, 3.0},
	},
	"constant exact": {
		yTrue: []float64{2, 2, 2},
		yPred: []float64{2, 2, 2},
	},
	"constant missed": {
		yTrue: []float64{2, 2, 2},
		yPred: []float64{2, 1, 2},
	},
	"clipped": {
		yTrue:   []float64{0, 1, 1},
		proba:   matrix([][]float64{{1, 0}, {1, 0}, {0.5, 0.5}}),
		classes: 2,
	},
	"unnormalized": {
		yTrue:   []float64{0, 1, 2},
		proba:   matrix([][]float64{{0.5, 0.25, 0.25}, {0.2, 0.2, 0.2}, {0, 1, 0}}),
		classes: 3,
	},
	"absent class": {
		yTrue:   []float64{0, 1, 1},
		proba:   matrix([][]float64{{0.6, 0.2, 0.1, 0.1}, {0.1, 0.7, 0.1, 0.1}, {0.25, 0.25, 0.25, 0.25}}),
		classes: 4,
	},
}

// Printed by benchmarks/sklearn_refs/metrics_small.py.
var sklearnRefs = []struct {
	input, metric string
	want          float64
}{
	{"three", "accuracy", 0.5555555555555556},
	{"three", "balanced_accuracy", 0.5555555555555555},
	{"three", "f1_macro", 0.5476190476190478},
	{"four", "accuracy", 0.6666666666666666},
	{"four", "balanced_accuracy", 0.6666666666666666},
	{"four", "f1_macro", 0.5833333333333333},
	{"three", "log_loss", 0.6941624359214745},
	{"three", "roc_auc", 0.8798941798941798},
	{"binary", "log_loss", 0.4145335213596063},
	{"binary", "roc_auc", 0.8125},
	{"binary", "accuracy", 0.75},
	{"binary", "f1_macro", 0.7333333333333334},
	{"regression", "rmse", 0.7826237921249264},
	{"regression", "mae", 0.65},
	{"regression", "r2", 0.9002442996742671},
	{"constant exact", "r2", 1.0},
	{"constant missed", "r2", 0.0},
	{"clipped", "log_loss", 12.245600189892366},
	{"unnormalized", "log_loss", 12.611804286115069},
	{"absent class", "log_loss", 0.7512649762748712},
}

func TestMatchesSklearn(t *testing.T) {
	for _, c := range sklearnRefs {
		t.Run(c.input+"/"+c.metric, func(t *testing.T) {
			in := inputs[c.input]
			got, err := metrics.Score(c.metric, in.yTrue, in.yPred, in.proba, in.classes)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-c.want) > 1e-12*max(1, math.Abs(c.want)) {
				t.Errorf("got %.17g, want %.17g", got, c.want)
			}
		})
	}
}

// TestEveryMetric checks that Score knows every classification and
// regression metric of trial.Metrics.
func TestEveryMetric(t *testing.T) {
	for name, info := range trial.Metrics {
		in := inputs["regression"]
		if info.Task == trial.Classification {
			in = inputs["three"]
		}
		_, err := metrics.Score(name, in.yTrue, in.yPred, in.proba, in.classes)
		if info.Task == "" {
			if !errors.Is(err, metrics.ErrUnknownMetric) {
				t.Errorf("%s: got %v, want ErrUnknownMetric", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestErrors(t *testing.T) {
	one := matrix([][]float64{{0.2, 0.8}, {0.6, 0.4}})
	three := inputs["three"]
	cases := []struct {
		name   string
		metric string
		in     input
		want   error
	}{
		{"no samples", "accuracy", input{}, metrics.ErrUndefined},
		{"unknown", "precision", three, metrics.ErrUnknownMetric},
		{"lengths", "mae", input{yTrue: []float64{1, 2}, yPred: []float64{1}}, metrics.ErrInput},
		{"roc_auc one class", "roc_auc", input{yTrue: []float64{1, 1}, proba: one, classes: 2}, metrics.ErrUndefined},
		{"roc_auc multiclass absent class", "roc_auc",
			input{yTrue: []float64{0, 1, 1}, proba: inputs["absent class"].proba, classes: 4}, metrics.ErrUndefined},
		{"roc_auc not probabilities", "roc_auc",
			input{yTrue: []float64{0, 1, 2}, proba: inputs["unnormalized"].proba, classes: 3}, metrics.ErrInput},
		{"log_loss one class", "log_loss",
			input{yTrue: []float64{0, 0}, proba: matrix([][]float64{{1}, {1}}), classes: 1}, metrics.ErrUndefined},
		{"log_loss label out of range", "log_loss", input{yTrue: []float64{0, 2}, proba: one, classes: 2}, metrics.ErrInput},
		{"log_loss shape", "log_loss", input{yTrue: []float64{0, 1, 1}, proba: one, classes: 2}, metrics.ErrInput},
		{"r2 one sample", "r2", input{yTrue: []float64{1}, yPred: []float64{1}}, metrics.ErrUndefined},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := metrics.Score(c.metric, c.in.yTrue, c.in.yPred, c.in.proba, c.in.classes)
			if !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}

// TestAUCTies checks the average-rank rule on a case worked by hand: every
// score tied, so every positive-negative pair counts one half.
func TestAUCTies(t *testing.T) {
	p := matrix([][]float64{{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}})
	got, err := metrics.Score("roc_auc", []float64{0, 1, 1}, nil, p, 2)
	if err != nil || got != 0.5 {
		t.Errorf("got %v, %v; want 0.5", got, err)
	}
}

func ExampleScore() {
	yTrue := []float64{0, 1, 1, 0}
	proba := trainers.Matrix{Rows: 4, Cols: 2, Data: []float64{0.9, 0.1, 0.3, 0.7, 0.6, 0.4, 0.2, 0.8}}
	auc, _ := metrics.Score("roc_auc", yTrue, nil, proba, 2)
	acc, _ := metrics.Score("accuracy", yTrue, []float64{0, 1, 0, 1}, trainers.Matrix{}, 2)
	fmt.Printf("roc_auc %.2f accuracy %.2f\n", auc, acc)
	// Output: roc_auc 0.50 accuracy 0.50
}
