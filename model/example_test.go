package model_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/hpsearch/hpsearch/model"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// Refit a configuration on every row of the bundled iris dataset, save
// the model file, load it back (as a service would, with model.LoadFile),
// and predict two new flowers from named columns in any order.
func Example() {
	req := model.FitRequest{Request: worker.Request{
		Trial:   trial.Trial{Model: "random_forest", Params: trial.Params{"n_estimators": 20}, Seed: 1},
		Dataset: worker.DatasetRef{Name: "iris"},
	}}
	fitted, err := model.Fit(context.Background(), worker.New(nil), req)
	if err != nil {
		panic(err)
	}
	var file bytes.Buffer
	if err := fitted.Save(&file); err != nil {
		panic(err)
	}

	m, err := model.Load(&file)
	if err != nil {
		panic(err)
	}
	p, err := m.PredictColumns([]model.Column{
		{Name: "petal_width", Numbers: []float64{0.2, 2.1}},
		{Name: "petal_length", Numbers: []float64{1.4, 5.8}},
		{Name: "sepal_width", Numbers: []float64{3.5, 3.0}},
		{Name: "sepal_length", Numbers: []float64{5.1, 7.1}},
	}, true)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Family, m.Target, m.Classes)
	for i, label := range p.Labels {
		fmt.Printf("%s %.2f\n", label, p.Proba.Row(i))
	}
	// Output:
	// random_forest species [setosa versicolor virginica]
	// setosa [1.00 0.00 0.00]
	// virginica [0.00 0.00 1.00]
}
