package bestconfig_test

import (
	"fmt"
	"os"

	"github.com/hpsearch/hpsearch/bestconfig"
	_ "github.com/hpsearch/hpsearch/trainers/zoo" // registers the families
	"github.com/hpsearch/hpsearch/trial"
)

// A random forest trial of a regression study, run under early stopping
// on n_estimators, as scikit-learn code: max_depth 0 becomes None, the
// default max_features "auto" becomes 1.0 (all features, for
// regression), and n_estimators takes the trial's budget.
func ExampleWriteSklearn() {
	r := trial.Result{Number: 12, Model: "random_forest", Seed: 7, Score: 0.46,
		Params: trial.Params{"max_depth": 0.0, "min_samples_leaf": 3.0},
		Budget: trial.Budget{Name: "n_estimators", Value: 108, Rung: 3, Max: 108}}
	c, err := bestconfig.FromResult(r, bestconfig.Study{Name: "diabetes-forest", Metric: "r2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := bestconfig.WriteSklearn(os.Stdout, c); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # best trial 12 of study diabetes-forest: random_forest, r2 0.46
	// # Written by hpsearch best --format sklearn; the mapping of each family: docs/sklearn.md
	// from sklearn.ensemble import RandomForestRegressor
	//
	// # random_state is the trial's seed (mod 2^32); hpsearch draws its own random numbers, so the same seed does not give the same model.
	// # If the data has string feature columns: hpsearch encodes them as one-hot (a 0/1 column per category, categories sorted) when it loads the data, before this; give the estimator features encoded the same way.
	// estimator = RandomForestRegressor(
	//     n_estimators=108,
	//     criterion="squared_error",
	//     max_depth=None,
	//     min_samples_split=2,
	//     min_samples_leaf=3,
	//     max_features=1.0,
	//     bootstrap=True,
	//     n_jobs=1,
	//     random_state=7,
	// )
}
