package model_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
)

// pets has a one-hot encoded string feature (colour), a numeric one
// (weight) with a missing cell, and string labels.
const pets = `colour,weight,kind
red,1.0,cat
blue,9.5,dog
red,1.2,cat
green,10.1,dog
blue,,cat
green,0.9,cat
red,11.0,dog
blue,8.7,dog
`

func petsModel(tb testing.TB) *model.Model {
	tb.Helper()
	req := fitRequest(writeFile(tb, "pets.csv", pets), "decision_tree", nil, 1)
	req.Preprocess.Impute = "median"
	return fit(tb, req)
}

// TestPredictColumns checks that columns are matched by name in any
// order, extra columns and the target are ignored, strings of a one-hot
// column and missing cells are handled as in training, and labels come
// back as written.
func TestPredictColumns(t *testing.T) {
	m := petsModel(t)
	if want := "colour=blue,colour=green,colour=red,weight"; strings.Join(m.Features, ",") != want {
		t.Fatalf("features %v, want %s", m.Features, want)
	}
	cols := []model.Column{
		{Name: "note", Strings: []string{"x", "y", "z"}},
		{Name: "weight", Numbers: []float64{1.1, 10, math.NaN()}},
		{Name: "kind", Strings: []string{"?", "?", "?"}},
		{Name: "colour", Strings: []string{"red", "green", "blue"}},
	}
	p, err := m.PredictColumns(cols, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cat", "dog", "cat"}; !slices.Equal(p.Labels, want) {
		t.Errorf("labels %v, want %v", p.Labels, want)
	}
	// The same rows as a matrix in the model's feature order.
	q, err := m.PredictRows([][]float64{{0, 0, 1, 1.1}, {0, 1, 0, 10}, {1, 0, 0, math.NaN()}}, true)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "values", q.Values, p.Values)
	sameBits(t, "probabilities", q.Proba.Data, p.Proba.Data)
}

func TestPredictColumnsRefuses(t *testing.T) {
	m := petsModel(t)
	weight := model.Column{Name: "weight", Numbers: []float64{1}}
	colour := model.Column{Name: "colour", Strings: []string{"red"}}
	cases := []struct {
		name    string
		cols    []model.Column
		want    error
		mention string
	}{
		{"missing numeric column", []model.Column{colour}, model.ErrMissingColumn, "weight"},
		{"missing string column", []model.Column{weight}, model.ErrMissingColumn, "colour"},
		{"text in a numeric column", []model.Column{colour, {Name: "weight", Strings: []string{"heavy"}}}, model.ErrColumnType, "weight"},
		{"unknown category", []model.Column{weight, {Name: "colour", Strings: []string{"purple"}}}, model.ErrColumnType, "purple"},
		{"repeated column", []model.Column{weight, colour, weight}, trial.ErrBadInput, "more than once"},
		{"ragged columns", []model.Column{colour, {Name: "weight", Numbers: []float64{1, 2}}}, trial.ErrBadInput, "rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := m.PredictColumns(c.cols, false)
			if !errors.Is(err, c.want) || !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), c.mention) {
				t.Errorf("got %v, want %v mentioning %q", err, c.want, c.mention)
			}
		})
	}
}

func TestPredictRefuses(t *testing.T) {
	m := fit(t, fitRequest("diabetes", "ridge", nil, 1))
	if _, err := m.PredictRows([][]float64{{1, 2}}, false); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("short row: got %v", err)
	}
	if _, err := m.PredictRows([][]float64{make([]float64, 10)}, true); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("probabilities of a regression: got %v", err)
	}
	// Without imputation a missing cell is refused.
	row := make([]float64, 10)
	row[3] = math.NaN()
	if _, err := m.PredictRows([][]float64{row}, false); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("missing cell without imputation: got %v", err)
	}
}
