package bestconfig

import (
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
	"github.com/hpsearch/hpsearch/trial"
)

// config returns the Config of a trial of model with params in a study
// of task, failing the test on an error.
func config(tb testing.TB, model string, params trial.Params, budget trial.Budget, task trial.Task, pre trial.Preprocess) Config {
	tb.Helper()
	c, err := FromResult(trial.Result{Number: 7, Model: model, Params: params, Budget: budget, Seed: 1<<32 + 42, Score: 0.9},
		Study{Name: "study", Task: task, Preprocess: pre})
	if err != nil {
		tb.Fatalf("FromResult(%s, %v): %v", model, params, err)
	}
	return c
}

func TestEveryLearnerAndParameterIsMapped(t *testing.T) {
	for _, name := range trainers.Names() {
		fam, _ := trainers.Lookup(name)
		if _, ok := fam.(trainers.Learner); !ok {
			continue
		}
		info := fam.Info()
		fm, ok := families[name]
		if !ok {
			t.Errorf("learner %s has no scikit-learn mapping", name)
			continue
		}
		for _, d := range info.Param {
			if _, ok := fm.params[d.Name]; !ok {
				t.Errorf("%s: parameter %s has no mapping", name, d.Name)
			}
		}
		for _, task := range info.Tasks {
			if _, err := Sklearn(config(t, name, nil, trial.Budget{}, task, trial.Preprocess{})); err != nil {
				t.Errorf("%s %s with defaults: %v", name, task, err)
			}
		}
	}
	for name := range families {
		if _, ok := trainers.Lookup(name); !ok {
			t.Errorf("mapping for %s, which no family registers", name)
		}
	}
}

func TestSklearnTranslatesEncodings(t *testing.T) {
	tests := []struct {
		name   string
		model  string
		task   trial.Task
		params trial.Params
		budget trial.Budget
		class  string
		want   map[string]string // argument → Python source; "" means absent
	}{
		{"tree max_depth 0 is None", "decision_tree", trial.Classification, trial.Params{"max_depth": 0, "max_features": "none"},
			trial.Budget{}, "DecisionTreeClassifier",
			map[string]string{"max_depth": "None", "max_features": "None", "criterion": `"gini"`, "random_state": "42"}},
		{"tree depth and fraction kept", "decision_tree", trial.Classification, trial.Params{"max_depth": 7, "max_features": 0.5},
			trial.Budget{}, "DecisionTreeClassifier", map[string]string{"max_depth": "7", "max_features": "0.5"}},
		{"regression tree's gini is squared_error", "decision_tree", trial.Regression, nil,
			trial.Budget{}, "DecisionTreeRegressor", map[string]string{"criterion": `"squared_error"`}},
		{"forest auto for classification is sqrt", "random_forest", trial.Classification, nil,
			trial.Budget{}, "RandomForestClassifier", map[string]string{"max_features": `"sqrt"`, "bootstrap": "True", "n_jobs": "1"}},
		{"forest auto for regression is all", "random_forest", trial.Regression, trial.Params{"bootstrap": false},
			trial.Budget{}, "RandomForestRegressor", map[string]string{"max_features": "1.0", "bootstrap": "False"}},
		{"fraction 1 stays a float, not one feature", "random_forest", trial.Classification, trial.Params{"max_features": 1.0},
			trial.Budget{}, "RandomForestClassifier", map[string]string{"max_features": "1.0"}},
		{"budget applied", "random_forest", trial.Classification, trial.Params{"n_estimators": 10},
			trial.Budget{Name: "n_estimators", Value: 270, Rung: 2, Max: 270}, "RandomForestClassifier",
			map[string]string{"n_estimators": "270"}},
		{"data_fraction budget leaves params", "knn", trial.Classification, trial.Params{"n_neighbors": 3},
			trial.Budget{Name: "data_fraction", Value: 1, Max: 1}, "KNeighborsClassifier",
			map[string]string{"n_neighbors": "3", "algorithm": `"brute"`, "random_state": ""}},
		{"boosting never stops early, no n_jobs", "gradient_boosting", trial.Classification, trial.Params{"max_depth": 0, "n_jobs": 4},
			trial.Budget{}, "HistGradientBoostingClassifier",
			map[string]string{"max_depth": "None", "early_stopping": "False", "n_jobs": "", "l2_regularization": "0.0"}},
		{"mlp layers as a tuple, batch auto", "mlp", trial.Classification, trial.Params{"hidden_layer_sizes": "64,32", "batch_size": 0},
			trial.Budget{}, "MLPClassifier",
			map[string]string{"hidden_layer_sizes": "(64, 32)", "batch_size": `"auto"`, "solver": `"adam"`}},
		{"mlp width as a number", "mlp", trial.Regression, trial.Params{"hidden_layer_sizes": 37.0, "batch_size": 16},
			trial.Budget{}, "MLPRegressor", map[string]string{"hidden_layer_sizes": "(37,)", "batch_size": "16"}},
		{"mlp single layer string", "mlp", trial.Classification, nil,
			trial.Budget{}, "MLPClassifier", map[string]string{"hidden_layer_sizes": "(100,)"}},
		{"knn", "knn", trial.Regression, trial.Params{"weights": "distance", "p": 1},
			trial.Budget{}, "KNeighborsRegressor", map[string]string{"weights": `"distance"`, "p": "1"}},
		{"linear svm", "linear_svm", trial.Classification, trial.Params{"C": 2.5},
			trial.Budget{}, "LinearSVC", map[string]string{"C": "2.5", "max_iter": "1000", "tol": "0.0001", "loss": `"squared_hinge"`}},
		{"logistic", "logistic_regression", trial.Classification, trial.Params{"C": 1e-3},
			trial.Budget{}, "LogisticRegression", map[string]string{"C": "0.001", "solver": `"lbfgs"`}},
		{"ridge alpha 0", "ridge", trial.Regression, trial.Params{"alpha": 0},
			trial.Budget{}, "Ridge", map[string]string{"alpha": "0.0"}},
		{"gaussian nb", "naive_bayes", trial.Classification, nil,
			trial.Budget{}, "GaussianNB", map[string]string{"var_smoothing": "1e-09"}},
		{"bernoulli nb", "bernoulli_nb", trial.Classification, trial.Params{"binarize": -0.5},
			trial.Budget{}, "BernoulliNB", map[string]string{"binarize": "-0.5", "alpha": "1.0"}},
		{"id3 is an entropy tree", "id3", trial.Classification, trial.Params{"min_samples_split": 4},
			trial.Budget{}, "DecisionTreeClassifier", map[string]string{"min_samples_split": "4", "criterion": `"entropy"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Sklearn(config(t, tt.model, tt.params, tt.budget, tt.task, trial.Preprocess{}))
			if err != nil {
				t.Fatal(err)
			}
			if e.Model.Class != tt.class {
				t.Errorf("class %s, want %s", e.Model.Class, tt.class)
			}
			for arg, want := range tt.want {
				got, ok := e.Model.Arg(arg)
				switch {
				case want == "" && ok:
					t.Errorf("%s=%s, want it left out", arg, got)
				case want != "" && got != want:
					t.Errorf("%s=%q, want %q", arg, got, want)
				}
			}
		})
	}
}

func TestSklearnNotesWhereNotExact(t *testing.T) {
	for model, phrase := range map[string]string{
		"id3":               "No exact scikit-learn equivalent",
		"bernoulli_nb":      "Not exact",
		"gradient_boosting": "NaN",
		"random_forest":     "random_state is the trial's seed",
	} {
		e, err := Sklearn(config(t, model, nil, trial.Budget{}, trial.Classification, trial.Preprocess{}))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := e.WritePython(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "# "+phrase) && !strings.Contains(b.String(), phrase) {
			t.Errorf("%s: snippet has no note saying %q:\n%s", model, phrase, b.String())
		}
	}
}

func TestSklearnPipelineSnippet(t *testing.T) {
	c := config(t, "knn", trial.Params{"n_neighbors": 7, "weights": "distance"}, trial.Budget{}, trial.Classification,
		trial.Preprocess{Impute: "median"})
	var b strings.Builder
	if err := WriteSklearn(&b, c); err != nil {
		t.Fatal(err)
	}
	want := `# best trial 7 of study study: knn, score 0.9
# Written by hpsearch best --format sklearn; the mapping of each family: docs/sklearn.md
from sklearn.impute import SimpleImputer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

# If the data has string feature columns: hpsearch encodes them as one-hot (a 0/1 column per category, categories sorted) when it loads the data, before this; give the estimator features encoded the same way.
estimator = Pipeline([
    ("impute", SimpleImputer(strategy="median")),
    ("scale", StandardScaler()),
    ("model", KNeighborsClassifier(
        n_neighbors=7,
        weights="distance",
        p=2,
        algorithm="brute",
    )),
])
`
	if b.String() != want {
		t.Errorf("snippet:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSklearnWithoutPreprocessingIsTheEstimatorAlone(t *testing.T) {
	c := config(t, "ridge", trial.Params{"alpha": 2}, trial.Budget{}, trial.Regression, trial.Preprocess{Scale: "none"})
	var b strings.Builder
	if err := WriteSklearn(&b, c); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Pipeline") || !strings.Contains(b.String(), "estimator = Ridge(alpha=2.0)\n") {
		t.Errorf("snippet:\n%s", b.String())
	}
	c = config(t, "decision_tree", nil, trial.Budget{}, trial.Regression, trial.Preprocess{Scale: "minmax"})
	b.Reset()
	if err := WriteSklearn(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `("scale", MinMaxScaler()),`) || !strings.Contains(b.String(), "from sklearn.preprocessing import MinMaxScaler\n") {
		t.Errorf("snippet:\n%s", b.String())
	}
}

func TestSklearnRefuses(t *testing.T) {
	tests := []struct {
		name  string
		c     Config
		isErr error
	}{
		{"a test objective", config(t, "branin", nil, trial.Budget{}, "", trial.Preprocess{}), ErrNoEstimator},
		{"a task the family lacks", config(t, "ridge", nil, trial.Budget{}, trial.Classification, trial.Preprocess{}), trial.ErrBadInput},
		{"an unknown task", config(t, "knn", nil, trial.Budget{}, "", trial.Preprocess{}), trial.ErrBadInput},
	}
	for _, tt := range tests {
		if _, err := Sklearn(tt.c); !errors.Is(err, tt.isErr) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.isErr)
		}
	}
}

func TestPyLiterals(t *testing.T) {
	for v, want := range map[any]string{
		1: "1", 1.0: "1.0", 0.25: "0.25", 1e-9: "1e-09", 1e21: "1e+21", true: "True", false: "False",
		"sqrt": `"sqrt"`, `a"b\c` + "\n": `"a\"b\\c\n"`, "é": `"\u00e9"`, nil: "None",
	} {
		if got := pyValue(v); got != want {
			t.Errorf("pyValue(%#v) = %s, want %s", v, got, want)
		}
	}
}
