package model_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
)

// ordinalPetsModel is a tree fitted on pets with colour encoded
// ordinally: one feature holding blue 0, green 1, red 2.
func ordinalPetsModel(t *testing.T) *model.Model {
	t.Helper()
	req := fitRequest(writeFile(t, "pets.csv", pets), "decision_tree", nil, 1)
	req.Preprocess.Impute = "median"
	req.Preprocess.Encoding = datasets.Ordinal
	return fit(t, req)
}

// TestOrdinalColumnsTakeTheirStrings checks that a model trained with a
// string column encoded ordinally keeps the column's categories in its
// file and predicts from the strings as written, giving what the codes
// give; that a category not seen in training is an error naming the
// column and the value; and that a model file without categories (as
// written before they were kept) still loads and takes the codes.
func TestOrdinalColumnsTakeTheirStrings(t *testing.T) {
	m := load(t, save(t, ordinalPetsModel(t)))
	if got := strings.Join(m.Categories["colour"], ","); got != "blue,green,red" {
		t.Fatalf("colour's categories %q after save and load, want blue,green,red", got)
	}
	byCodes, err := m.PredictColumns([]model.Column{
		{Name: "weight", Numbers: []float64{1.1, 10, 9.9, 0.8}},
		{Name: "colour", Numbers: []float64{2, 1, 0, 1}},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	byStrings, err := m.PredictColumns([]model.Column{
		{Name: "weight", Numbers: []float64{1.1, 10, 9.9, 0.8}},
		{Name: "colour", Strings: []string{"red", "green", "blue", "green"}},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "predictions from strings", byCodes.Proba.Data, byStrings.Proba.Data)

	var out bytes.Buffer
	in := "weight,colour\n1.1,red\n10,green\n9.9,blue\n0.8,green\n"
	if _, err := m.PredictCSV(context.Background(), strings.NewReader(in), &out, model.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "kind\n" + strings.Join(byCodes.Labels, "\n") + "\n"; out.String() != want {
		t.Errorf("CSV predictions\n%s\nwant\n%s", out.String(), want)
	}

	_, err = m.PredictCSV(context.Background(), strings.NewReader("weight,colour\n1,red\n2,purple\n"), &bytes.Buffer{}, model.StreamOptions{Name: "new.csv"})
	var ie *trial.InputError
	if !errors.Is(err, trial.ErrBadInput) || !errors.Is(err, model.ErrColumnType) || !errors.As(err, &ie) ||
		ie.Field != "colour" || ie.Line != 3 || !strings.Contains(err.Error(), `"purple"`) {
		t.Errorf("unknown category: got %v, want an error naming new.csv line 3, column colour and \"purple\"", err)
	}

	// A file of the same format version without categories.
	m.Categories = nil
	m2 := load(t, save(t, m))
	if m2.Categories != nil {
		t.Fatalf("categories %v after loading a file without them", m2.Categories)
	}
	p, err := m2.PredictColumns([]model.Column{
		{Name: "weight", Numbers: []float64{1.1, 10, 9.9, 0.8}},
		{Name: "colour", Strings: []string{"2", "1", "0", "1"}},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "predictions from codes without categories", byCodes.Proba.Data, p.Proba.Data)
}
