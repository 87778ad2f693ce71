package bestconfig

import (
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// familyMap is how one family translates to scikit-learn: the module and
// classes of its estimators (an empty class: no estimator for that task),
// a mapper for every parameter the family declares, the settings
// hpsearch fixes that scikit-learn leaves open (fixed), whether the
// estimator takes random_state, and notes on what differs.
type familyMap struct {
	module                string
	classifier, regressor string
	params                map[string]mapper
	fixed                 func(Config) []Arg
	seeded                bool
	notes                 func(Config) []string
}

// mapper translates one parameter's value: the keyword argument (Name
// empty to leave it out) and a note for the snippet (empty for none).
type mapper func(v any, c Config) (Arg, string)

// same passes the value on under the same name.
func same(name string) mapper {
	return func(v any, _ Config) (Arg, string) { return Arg{name, pyValue(v)}, "" }
}

// zeroIsNone passes an int on, 0 (hpsearch's "no limit") as None.
func zeroIsNone(name string) mapper {
	return func(v any, _ Config) (Arg, string) {
		if n, ok := trial.Number(v); ok && n == 0 {
			return Arg{name, "None"}, ""
		}
		return Arg{name, pyValue(v)}, ""
	}
}

// dropped leaves the parameter out, with a note saying why.
func dropped(note string) mapper {
	return func(any, Config) (Arg, string) { return Arg{}, note }
}

// criterion maps the trees' criterion: the default gini means
// squared_error for regression.
func criterion(v any, c Config) (Arg, string) {
	if s, _ := v.(string); c.Task == trial.Regression && s == "gini" {
		v = "squared_error"
	}
	return Arg{"criterion", pyValue(v)}, ""
}

// maxFeatures maps the trees' max_features: "none" is None, "auto" is
// scikit-learn 1.2's meaning of it for the task (deprecated there), a
// fraction stays a float (a Python int would be a count of features).
func maxFeatures(v any, c Config) (Arg, string) {
	switch v {
	case "none":
		return Arg{"max_features", "None"}, ""
	case "auto":
		if c.Task == trial.Regression {
			return Arg{"max_features", "1.0"}, ""
		}
		return Arg{"max_features", pyString("sqrt")}, ""
	}
	if f, ok := trial.Number(v); ok {
		return Arg{"max_features", pyFloat(f)}, ""
	}
	return Arg{"max_features", pyValue(v)}, ""
}

// hiddenLayers maps mlp's hidden_layer_sizes: "64,32" is (64, 32), a
// number n is (n,).
func hiddenLayers(v any, _ Config) (Arg, string) {
	var widths []string
	switch x := v.(type) {
	case string:
		for _, f := range strings.Split(x, ",") {
			widths = append(widths, strings.TrimSpace(f))
		}
	default:
		n, _ := trial.Number(v)
		widths = []string{strconv.FormatInt(int64(n), 10)}
	}
	if len(widths) == 1 {
		return Arg{"hidden_layer_sizes", "(" + widths[0] + ",)"}, ""
	}
	return Arg{"hidden_layer_sizes", "(" + strings.Join(widths, ", ") + ")"}, ""
}

// batchSize maps mlp's batch_size: 0 is "auto", min(200, rows).
func batchSize(v any, _ Config) (Arg, string) {
	if n, ok := trial.Number(v); ok && n == 0 {
		return Arg{"batch_size", pyString("auto")}, ""
	}
	return Arg{"batch_size", pyValue(v)}, ""
}

const nJobsNote = "n_jobs does not change hpsearch's result; scikit-learn's HistGradientBoosting uses OpenMP threads (OMP_NUM_THREADS) instead."

// families maps every learner family to scikit-learn 1.2. docs/sklearn.md
// is the same table for people; keep them in step.
var families = map[string]familyMap{
	"decision_tree": {
		module: "sklearn.tree", classifier: "DecisionTreeClassifier", regressor: "DecisionTreeRegressor",
		params: map[string]mapper{
			"criterion":         criterion,
			"max_depth":         zeroIsNone("max_depth"),
			"min_samples_split": same("min_samples_split"),
			"min_samples_leaf":  same("min_samples_leaf"),
			"max_features":      maxFeatures,
		},
		seeded: true,
	},
	"random_forest": {
		module: "sklearn.ensemble", classifier: "RandomForestClassifier", regressor: "RandomForestRegressor",
		params: map[string]mapper{
			"n_estimators":      same("n_estimators"),
			"criterion":         criterion,
			"max_depth":         zeroIsNone("max_depth"),
			"min_samples_split": same("min_samples_split"),
			"min_samples_leaf":  same("min_samples_leaf"),
			"max_features":      maxFeatures,
			"bootstrap":         same("bootstrap"),
			"n_jobs":            same("n_jobs"),
		},
		seeded: true,
	},
	"gradient_boosting": {
		module: "sklearn.ensemble", classifier: "HistGradientBoostingClassifier", regressor: "HistGradientBoostingRegressor",
		params: map[string]mapper{
			"learning_rate":     same("learning_rate"),
			"max_iter":          same("max_iter"),
			"max_leaf_nodes":    same("max_leaf_nodes"),
			"max_depth":         zeroIsNone("max_depth"),
			"min_samples_leaf":  same("min_samples_leaf"),
			"l2_regularization": same("l2_regularization"),
			"max_bins":          same("max_bins"),
			"n_jobs":            dropped(nJobsNote),
		},
		// hpsearch never stops early (max_iter is the budget); sklearn's
		// default "auto" does on more than 10,000 rows.
		fixed:  func(Config) []Arg { return []Arg{{"early_stopping", "False"}} },
		seeded: true,
		notes: func(Config) []string {
			return []string{"Missing values: hpsearch sends NaN to the right child; scikit-learn learns a side for them."}
		},
	},
	"knn": {
		module: "sklearn.neighbors", classifier: "KNeighborsClassifier", regressor: "KNeighborsRegressor",
		params: map[string]mapper{
			"n_neighbors": same("n_neighbors"),
			"weights":     same("weights"),
			"p":           same("p"),
		},
		fixed: func(Config) []Arg { return []Arg{{"algorithm", pyString("brute")}} },
	},
	"linear_svm": {
		module: "sklearn.svm", classifier: "LinearSVC",
		params: map[string]mapper{
			"C":        same("C"),
			"max_iter": same("max_iter"),
			"tol":      same("tol"),
		},
		fixed: func(Config) []Arg {
			return []Arg{{"loss", pyString("squared_hinge")}, {"dual", "True"}}
		},
		seeded: true,
	},
	"logistic_regression": {
		module: "sklearn.linear_model", classifier: "LogisticRegression",
		params: map[string]mapper{
			"C":        same("C"),
			"max_iter": same("max_iter"),
			"tol":      same("tol"),
		},
		fixed: func(Config) []Arg { return []Arg{{"solver", pyString("lbfgs")}} },
	},
	"ridge": {
		module: "sklearn.linear_model", regressor: "Ridge",
		params: map[string]mapper{"alpha": same("alpha")},
	},
	"mlp": {
		module: "sklearn.neural_network", classifier: "MLPClassifier", regressor: "MLPRegressor",
		params: map[string]mapper{
			"hidden_layer_sizes": hiddenLayers,
			"activation":         same("activation"),
			"learning_rate_init": same("learning_rate_init"),
			"alpha":              same("alpha"),
			"max_iter":           same("max_iter"),
			"batch_size":         batchSize,
			"tol":                same("tol"),
			"n_iter_no_change":   same("n_iter_no_change"),
		},
		fixed:  func(Config) []Arg { return []Arg{{"solver", pyString("adam")}} },
		seeded: true,
	},
	"naive_bayes": {
		module: "sklearn.naive_bayes", classifier: "GaussianNB",
		params: map[string]mapper{"var_smoothing": same("var_smoothing")},
	},
	"bernoulli_nb": {
		module: "sklearn.naive_bayes", classifier: "BernoulliNB",
		params: map[string]mapper{"binarize": same("binarize")},
		fixed:  func(Config) []Arg { return []Arg{{"alpha", "1.0"}} },
		notes: func(Config) []string {
			return []string{"Not exact: hpsearch's bernoulli_nb is golearn's, which smooths with (n+1)/(N+1) where BernoulliNB uses (n+1)/(N+2); accuracies agree within about 0.005."}
		},
	},
	"id3": {
		module: "sklearn.tree", classifier: "DecisionTreeClassifier",
		params: map[string]mapper{"min_samples_split": same("min_samples_split")},
		fixed:  func(Config) []Arg { return []Arg{{"criterion", pyString("entropy")}} },
		seeded: true, // scikit-learn permutes the features at every split
		notes: func(Config) []string {
			return []string{"No exact scikit-learn equivalent: id3 is golearn's ID3 (information gain, binary splits at midpoints),",
				"which never splits twice on one feature along a path; the nearest is a CART tree with criterion=\"entropy\"."}
		},
	},
}

// pyValue renders a canonical parameter value as a Python literal.
func pyValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return pyFloat(x)
	case string:
		return pyString(x)
	}
	return pyString(trial.FormatValue(v))
}

// pyFloat renders f as a Python float literal (1.0, not 1, which Python
// reads as an int; float("inf") for infinities).
func pyFloat(f float64) string {
	return floatLiteral(f, `float("inf")`, `float("-inf")`, `float("nan")`)
}

// pyString renders s as a Python string literal. strconv.QuoteToASCII's
// escapes (\n, \", \\, \uXXXX, \UXXXXXXXX) mean the same in Python;
// its \xNN stands only for bytes that are not UTF-8, which Python reads
// as the code point U+00NN.
func pyString(s string) string { return strconv.QuoteToASCII(s) }
