package main

import (
	"fmt"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// setting is one row of the comparison: an hpsearch family with its
// parameters and the scikit-learn estimator (a dotted class name and its
// keyword arguments) that it is compared with. Scaling is not listed: both
// sides standardize exactly when the family's default preprocessing does
// (preprocess.ScaleFor), the Python side with a StandardScaler in a
// Pipeline.
type setting struct {
	Task        trial.Task
	Family      string
	Params      trial.Params
	Sklearn     string
	SklearnArgs map[string]any
}

// settings is the comparison table. To add a family, add a row.
var settings = []setting{
	// Classification.
	{trial.Classification, "knn", trial.Params{"n_neighbors": 5},
		"sklearn.neighbors.KNeighborsClassifier", map[string]any{"n_neighbors": 5}},
	{trial.Classification, "decision_tree", trial.Params{"max_depth": 10},
		"sklearn.tree.DecisionTreeClassifier", map[string]any{"max_depth": 10, "random_state": 0}},
	{trial.Classification, "random_forest", trial.Params{"n_estimators": 100},
		"sklearn.ensemble.RandomForestClassifier", map[string]any{"n_estimators": 100, "n_jobs": 1, "random_state": 0}},
	{trial.Classification, "gradient_boosting", trial.Params{},
		"sklearn.ensemble.HistGradientBoostingClassifier", map[string]any{"early_stopping": false, "random_state": 0}},
	{trial.Classification, "logistic_regression", trial.Params{"C": 1.0, "max_iter": 1000},
		"sklearn.linear_model.LogisticRegression", map[string]any{"C": 1.0, "max_iter": 1000}},
	{trial.Classification, "linear_svm", trial.Params{"C": 1.0},
		"sklearn.svm.LinearSVC", map[string]any{"C": 1.0, "random_state": 0}},
	{trial.Classification, "naive_bayes", trial.Params{},
		"sklearn.naive_bayes.GaussianNB", map[string]any{}},
	{trial.Classification, "mlp", trial.Params{},
		"sklearn.neural_network.MLPClassifier", map[string]any{"random_state": 0}},
	{trial.Classification, "bernoulli_nb", trial.Params{},
		"sklearn.naive_bayes.BernoulliNB", map[string]any{}},
	{trial.Classification, "id3", trial.Params{},
		"sklearn.tree.DecisionTreeClassifier", map[string]any{"criterion": "entropy", "random_state": 0}},
	// Regression.
	{trial.Regression, "ridge", trial.Params{"alpha": 1.0},
		"sklearn.linear_model.Ridge", map[string]any{"alpha": 1.0}},
	{trial.Regression, "knn", trial.Params{"n_neighbors": 5},
		"sklearn.neighbors.KNeighborsRegressor", map[string]any{"n_neighbors": 5}},
	{trial.Regression, "decision_tree", trial.Params{"max_depth": 4},
		"sklearn.tree.DecisionTreeRegressor", map[string]any{"max_depth": 4, "random_state": 0}},
	{trial.Regression, "random_forest", trial.Params{"n_estimators": 100},
		"sklearn.ensemble.RandomForestRegressor", map[string]any{"n_estimators": 100, "n_jobs": 1, "random_state": 0}},
	{trial.Regression, "gradient_boosting", trial.Params{},
		"sklearn.ensemble.HistGradientBoostingRegressor", map[string]any{"early_stopping": false, "random_state": 0}},
	{trial.Regression, "mlp", trial.Params{},
		"sklearn.neural_network.MLPRegressor", map[string]any{"random_state": 0}},
}

// dataSets maps a --data name to the data set used for each task.
var dataSets = map[string]map[trial.Task]string{
	"digits":   {trial.Classification: "digits"},
	"diabetes": {trial.Regression: "diabetes"},
	"synth20k": {trial.Classification: "synth20k-class", trial.Regression: "synth20k-reg"},
}

// job is one setting on one data set.
type job struct {
	setting
	Data string // a key of dataSources
}

// selectRows returns the jobs for the named data sets, restricted to the
// named families when any are given.
func selectRows(data, families []string) ([]job, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: --data is empty", errUsage)
	}
	for _, f := range families {
		if !slices.ContainsFunc(settings, func(s setting) bool { return s.Family == f }) {
			return nil, fmt.Errorf("%w: no row for family %q in the table", errUsage, f)
		}
	}
	var jobs []job
	for _, name := range data {
		byTask, ok := dataSets[name]
		if !ok {
			return nil, fmt.Errorf("%w: unknown --data %q (want digits, diabetes or synth20k)", errUsage, name)
		}
		for _, s := range settings {
			ds, ok := byTask[s.Task]
			if !ok || (len(families) > 0 && !slices.Contains(families, s.Family)) {
				continue
			}
			jobs = append(jobs, job{setting: s, Data: ds})
		}
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%w: no rows for --data %v and --families %v", errUsage, data, families)
	}
	return jobs, nil
}

// describe formats parameters for the table, in key order.
func describe(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s=%v", k, p[k])
	}
	if s == "" {
		return "defaults"
	}
	return s
}
