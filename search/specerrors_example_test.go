package search_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// A spec with several mistakes gets them all at once, one per line in
// file order, each naming file, line and field, with the value or key
// most likely meant.
func ExampleErrors() {
	spec := `name: digits-knn
dataset: digits
metric: auc
model: knn
search: {method: grdi}
parameters:
  weights: [uniform, distanse]
`
	_, err := search.Parse(strings.NewReader(spec), "digits.yaml", catalog{})
	fmt.Println(err)
	var errs *search.Errors
	fmt.Println(errors.As(err, &errs), len(errs.Errs), errors.Is(err, trial.ErrBadInput))
	// Output:
	// digits.yaml:3: metric: unknown metric "auc"; did you mean "roc_auc"? (metrics: accuracy, balanced_accuracy, f1_macro, log_loss, mae, r2, rmse, roc_auc, value)
	// digits.yaml:5: search.method: unknown method "grdi"; did you mean "grid"? (methods: grid, random, sobol, tpe)
	// digits.yaml:7: parameters.weights[1]: "distanse" is not one of ["uniform", "distance"]; did you mean "distance"?
	// true 3 true
}
