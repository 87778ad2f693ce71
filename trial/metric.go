package trial

import "sort"

// Direction says whether a metric is to be maximized or minimized.
type Direction string

// Directions.
const (
	Maximize Direction = "maximize"
	Minimize Direction = "minimize"
)

// Better reports whether score a is strictly better than b in direction d.
func (d Direction) Better(a, b float64) bool {
	if d == Minimize {
		return a < b
	}
	return a > b
}

// MetricInfo describes a scoring metric: its direction and the task it fits.
// Task is empty for "value", the raw objective of the test functions.
type MetricInfo struct {
	Name      string
	Direction Direction
	Task      Task
	// Proba is set when the metric needs predicted probabilities.
	Proba bool
}

// Metrics lists every metric by name, with scikit-learn's names.
var Metrics = map[string]MetricInfo{
	"accuracy":          {"accuracy", Maximize, Classification, false},
	"balanced_accuracy": {"balanced_accuracy", Maximize, Classification, false},
	"f1_macro":          {"f1_macro", Maximize, Classification, false},
	"log_loss":          {"log_loss", Minimize, Classification, true},
	"roc_auc":           {"roc_auc", Maximize, Classification, true},
	"rmse":              {"rmse", Minimize, Regression, false},
	"mae":               {"mae", Minimize, Regression, false},
	"r2":                {"r2", Maximize, Regression, false},
	"value":             {"value", Minimize, "", false},
}

// MetricNames returns the metric names sorted.
func MetricNames() []string {
	names := make([]string, 0, len(Metrics))
	for n := range Metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DefaultMetric returns the metric used when a spec names none.
func DefaultMetric(t Task) string {
	if t == Regression {
		return "r2"
	}
	return "accuracy"
}
