package results_test

import (
	"os"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

func ExampleLeaderboard() {
	rs := []trial.Result{
		{Number: 0, State: trial.Complete, Model: "knn", Score: 0.94, Seconds: 0.5, Params: trial.Params{"n_neighbors": 3}},
		{Number: 1, State: trial.Failed, Model: "knn", Error: "boom", Params: trial.Params{"n_neighbors": 0}},
		{Number: 2, State: trial.Complete, Model: "knn", Score: 0.97, Seconds: 0.25, Params: trial.Params{"n_neighbors": 9}},
	}
	results.WriteTable(os.Stdout, results.Leaderboard(rs, trial.Maximize), 10, "accuracy")
	// Output:
	// RANK  TRIAL  STATE     MODEL  ACCURACY  SECONDS  PARAMS
	// 1     2      complete  knn    0.97      0.25     n_neighbors=9
	// 2     0      complete  knn    0.94      0.50     n_neighbors=3
	// -     1      failed    knn    -         0.00     n_neighbors=0
}
