package model_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// small keeps every family's fit quick; the rest are defaults.
var small = map[string]trial.Params{
	"random_forest":       {"n_estimators": 10},
	"bernoulli_nb":        {"binarize": 1.5},
	"gradient_boosting":   {"max_iter": 10},
	"mlp":                 {"max_iter": 200},
	"logistic_regression": {"max_iter": 30},
	"linear_svm":          {"max_iter": 30},
}

// TestEveryFamilyRoundTrips is the check of issue 13 per learner family:
// refit on all rows, save, load, and the loaded model predicts the same
// labels, values and probabilities, bit for bit, as the fitted one; the
// saved file is the same for a second refit with the same seed.
// Classification runs on iris, whose labels are strings ("setosa"), so
// the predicted labels must be those strings.
func TestEveryFamilyRoundTrips(t *testing.T) {
	for _, name := range trainers.Names() {
		f, _ := trainers.Lookup(name)
		l, ok := f.(trainers.Learner)
		if !ok {
			continue
		}
		for _, task := range l.Info().Tasks {
			t.Run(name+"/"+string(task), func(t *testing.T) {
				probe, err := l.New(mustResolve(t, l, nil), trainers.Config{Task: task, Classes: 3})
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := probe.(trainers.Persistent); !ok {
					t.Skipf("%s is not trainers.Persistent yet", name)
				}
				data := "iris"
				if task == trial.Regression {
					data = "diabetes"
				}
				req := fitRequest(data, name, small[name], 11)
				a := fit(t, req)
				saved := save(t, a)
				if again := save(t, fit(t, req)); !bytes.Equal(saved, again) {
					t.Error("two refits with the same seed saved different files")
				}
				b := load(t, saved)
				if resaved := save(t, b); !bytes.Equal(saved, resaved) {
					t.Error("a loaded model saves to another file")
				}
				d, err := datasets.Load(data, datasets.Options{})
				if err != nil {
					t.Fatal(err)
				}
				X := trainers.Matrix{Rows: d.Rows, Cols: d.Cols, Data: d.X}
				proba := task == trial.Classification && a.CanPredictProba()
				pa, err := a.PredictRows(rows(X), proba)
				if err != nil {
					t.Fatal(err)
				}
				pb, err := b.PredictRows(rows(X), proba)
				if err != nil {
					t.Fatal(err)
				}
				sameBits(t, "predictions", pa.Values, pb.Values)
				sameBits(t, "probabilities", pa.Proba.Data, pb.Proba.Data)
				if !slices.Equal(pa.Labels, pb.Labels) {
					t.Fatal("labels differ")
				}
				if task == trial.Classification {
					for i, l := range pb.Labels {
						if !slices.Contains(d.Classes, l) || !strings.ContainsAny(l, "abcdefghijklmnopqrstuvwxyz") {
							t.Fatalf("row %d: label %q is not one of the iris species as written", i, l)
						}
					}
					if acc := accuracy(pb.Values, d.Y); acc < 0.8 {
						t.Errorf("training accuracy %.3f: the refit model does not fit its data", acc)
					}
				}
			})
		}
	}
}

func mustResolve(tb testing.TB, l trainers.Learner, p trial.Params) trial.Params {
	tb.Helper()
	rp, err := trainers.Resolve(l.Info(), p)
	if err != nil {
		tb.Fatal(err)
	}
	return rp
}

func rows(X trainers.Matrix) [][]float64 {
	out := make([][]float64, X.Rows)
	for i := range out {
		out[i] = X.Row(i)
	}
	return out
}

func accuracy(pred, y []float64) float64 {
	n := 0
	for i := range pred {
		if pred[i] == y[i] {
			n++
		}
	}
	return float64(n) / float64(len(y))
}

// TestMetadata checks what the file records about the refit.
func TestMetadata(t *testing.T) {
	m := fit(t, fitRequest("iris", "decision_tree", trial.Params{"max_depth": 3}, 5))
	d, _ := datasets.Load("iris", datasets.Options{})
	sha, _ := d.SHA256()
	checks := []struct {
		field     string
		got, want any
	}{
		{"family", m.Family, "decision_tree"},
		{"max_depth", m.Params["max_depth"], 3},
		{"criterion default", m.Params["criterion"], "gini"},
		{"task", m.Task, trial.Classification},
		{"target", m.Target, "species"},
		{"classes", strings.Join(m.Classes, ","), "setosa,versicolor,virginica"},
		{"features", strings.Join(m.Features, ","), "sepal_length,sepal_width,petal_length,petal_width"},
		{"scale", m.Preprocess.Scale, "none"},
		{"rows", m.Rows, 150},
		{"dataset sha256", m.DatasetSHA256, sha},
		{"metric", m.Metric, "accuracy"},
		{"cv score", *m.CVScore, 0.9},
		{"trial", m.Trial, 3},
		{"seed", m.Seed, uint64(5)},
		{"version", m.Version, "test"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
	saved := string(save(t, m))
	if !strings.HasPrefix(saved, "hpsearch-model 1\nsha256 ") {
		t.Errorf("file starts %q", saved[:40])
	}
}

// TestSeedMatters checks that the seed reaches the estimator: a forest
// refitted with another seed is another model.
func TestSeedMatters(t *testing.T) {
	p := trial.Params{"n_estimators": 5}
	a := save(t, fit(t, fitRequest("wine", "random_forest", p, 1)))
	b := save(t, fit(t, fitRequest("wine", "random_forest", p, 2)))
	if bytes.Equal(a, b) {
		t.Error("seeds 1 and 2 gave the same forest")
	}
}

// TestFitAppliesTheBudget checks that a trial's budget (gradient
// boosting's max_iter here) is the refit's parameter, as in the trial.
func TestFitAppliesTheBudget(t *testing.T) {
	req := fitRequest("iris", "gradient_boosting", trial.Params{"max_iter": 50}, 1)
	req.Trial.Budget = trial.Budget{Name: "max_iter", Value: 4}
	if m := fit(t, req); m.Params["max_iter"] != 4 {
		t.Errorf("max_iter = %v, want the budget's 4", m.Params["max_iter"])
	}
}

func TestFitRefusesBadRequests(t *testing.T) {
	cases := map[string]model.FitRequest{
		"unknown model":      fitRequest("iris", "nope", nil, 1),
		"objective":          fitRequest("iris", "branin", nil, 1),
		"bad parameter":      fitRequest("iris", "knn", trial.Params{"n_neighbors": -1}, 1),
		"unsupported task":   fitRequest("diabetes", "logistic_regression", nil, 1),
		"unknown dataset":    fitRequest("nope", "knn", nil, 1),
		"missing w/o impute": fitRequest(writeFileOnce(t, "a,b,y\n1,,x\n2,3,z\n4,5,x\n6,7,z\n"), "knn", trial.Params{"n_neighbors": 1}, 1),
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := model.Fit(context.Background(), worker.New(nil), req)
			if !errors.Is(err, trial.ErrBadInput) {
				t.Errorf("got %v, want an error wrapping ErrBadInput", err)
			}
		})
	}
}

func writeFileOnce(t *testing.T, content string) string { return writeFile(t, "data.csv", content) }

func TestFitIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := model.Fit(ctx, worker.New(nil), fitRequest("digits", "random_forest", nil, 1))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}
