package model

import (
	"fmt"
	"math"
	"strconv"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// Predictions are a model's predictions for some rows.
type Predictions struct {
	// Values holds, per row, the class index into the model's Classes for
	// classification, or the predicted value for regression.
	Values []float64
	// Labels holds, per row, the predicted class label as written in the
	// training data for classification, or the value formatted with
	// strconv's 'g' for regression.
	Labels []string
	// Proba holds, when asked for, the class probabilities: one row per
	// input row, one column per class in the order of the model's
	// Classes. Zero otherwise.
	Proba trainers.Matrix
}

// Predict predicts the rows of X, whose columns are the model's Features
// in order, after the model's fitted preprocessing. NaN marks a missing
// cell.
func (m *Model) Predict(X trainers.Matrix) (Predictions, error) {
	return m.predictLabels(X, false)
}

// PredictProba is Predict with class probabilities (Predictions.Proba).
// It is an error for a regression model or a family that does not give
// probabilities.
func (m *Model) PredictProba(X trainers.Matrix) (Predictions, error) {
	return m.predictLabels(X, true)
}

// PredictRows is Predict for rows given as slices.
func (m *Model) PredictRows(rows [][]float64, proba bool) (Predictions, error) {
	X := trainers.NewMatrix(len(rows), len(m.Features))
	for i, r := range rows {
		if len(r) != X.Cols {
			return Predictions{}, fmt.Errorf("model: predict: %w: row %d has %d values, the model has %d features", trial.ErrBadInput, i, len(r), X.Cols)
		}
		copy(X.Row(i), r)
	}
	return m.predictLabels(X, proba)
}

// CanPredictProba reports whether the model gives class probabilities.
func (m *Model) CanPredictProba() bool {
	_, ok := m.est.(trainers.ProbaEstimator)
	return ok && m.Task == trial.Classification
}

func (m *Model) predictLabels(X trainers.Matrix, proba bool) (Predictions, error) {
	if m.est == nil {
		return Predictions{}, fmt.Errorf("model: predict: the model has no fitted estimator (use Fit or Load)")
	}
	if X.Cols != len(m.Features) || len(X.Data) != X.Rows*X.Cols {
		return Predictions{}, fmt.Errorf("model: predict: %w: a %d×%d matrix (%d cells) for a model of %d features",
			trial.ErrBadInput, X.Rows, X.Cols, len(X.Data), len(m.Features))
	}
	if proba && !m.CanPredictProba() {
		return Predictions{}, fmt.Errorf("model: predict: %w: a %s %s model gives no class probabilities", trial.ErrBadInput, m.Task, m.Family)
	}
	p, err := m.predict(X, proba)
	if err != nil {
		return Predictions{}, err
	}
	p.Labels = make([]string, len(p.Values))
	for i, v := range p.Values {
		if m.Task == trial.Classification {
			c := int(v)
			if c < 0 || c >= len(m.Classes) {
				return Predictions{}, fmt.Errorf("model: predict: the estimator predicted class %v of %d", v, len(m.Classes))
			}
			p.Labels[i] = m.Classes[c]
		} else {
			p.Labels[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	return p, nil
}

// predict transforms X with the fitted preprocessing and predicts it. A
// panic in the estimator becomes an error: the boundary between a model
// file's contents and the process.
func (m *Model) predict(X trainers.Matrix, proba bool) (p Predictions, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("model: predict: %s: %v", m.Family, r)
		}
	}()
	Xt, err := m.pipe.Transform(X)
	if err != nil {
		return Predictions{}, fmt.Errorf("model: predict: %w", err)
	}
	p.Values = m.est.Predict(Xt)
	if proba {
		p.Proba = m.est.(trainers.ProbaEstimator).PredictProba(Xt)
	}
	return p, nil
}

// Column is one named input column for PredictColumns. Exactly one of
// Numbers and Strings is set: Numbers for a numeric column (NaN for a
// missing cell), Strings for a column of text, which must be a one-hot
// encoded string column of the training data or numbers as text.
type Column struct {
	Name    string
	Numbers []float64
	Strings []string
}

func (c Column) len() int {
	if c.Strings != nil {
		return len(c.Strings)
	}
	return len(c.Numbers)
}

// PredictColumns predicts rows given as named columns, matched to the
// model's features by name in any order (see the package doc). A feature
// no column provides is an error wrapping ErrMissingColumn that names it;
// columns the model does not use, the target among them, are ignored.
func (m *Model) PredictColumns(cols []Column, proba bool) (Predictions, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	b, err := m.Bind(names)
	if err != nil {
		return Predictions{}, err
	}
	rows := 0
	for i, c := range cols {
		if c.Numbers != nil && c.Strings != nil {
			return Predictions{}, fmt.Errorf("model: predict: column %q has both numbers and strings", c.Name)
		}
		if i > 0 && c.len() != rows {
			return Predictions{}, fmt.Errorf("model: predict: %w: column %q has %d rows, column %q has %d",
				trial.ErrBadInput, c.Name, c.len(), cols[0].Name, rows)
		}
		rows = c.len()
	}
	X := trainers.NewMatrix(rows, len(m.Features))
	for _, f := range b.fields {
		c := cols[f.col]
		for i := range rows {
			var cell string
			var num float64
			isText := c.Strings != nil
			if isText {
				cell = c.Strings[i]
			} else {
				num = c.Numbers[i]
			}
			if err := f.fill(X.Row(i), cell, num, isText); err != nil {
				return Predictions{}, fmt.Errorf("model: predict: %w", inputError(err, "", 0, fmt.Sprintf("row %d", i+1)))
			}
		}
	}
	return m.predictLabels(X, proba)
}

// missing is NaN, the value of a missing cell.
var missing = math.NaN()
