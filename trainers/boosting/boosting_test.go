package boosting

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// Reference scores from benchmarks/sklearn_refs/tree_bench.py
// (scikit-learn 1.2.1, HistGradientBoosting with early_stopping=False,
// 5-fold CV with shuffle and random_state=0). Our folds come from the
// test's own splitter, so scores are compared with a tolerance.
const (
	skDigits       = 0.9733 // HistGradientBoostingClassifier()
	skDiabetes     = 0.3927 // HistGradientBoostingRegressor()
	skDiabetesSlow = 0.4587 // HistGradientBoostingRegressor(max_iter=50, learning_rate=0.05)
)

func TestScoresMatchScikitLearn(t *testing.T) {
	digits, diabetes := trainertest.Load(t, "digits.csv"), trainertest.Load(t, "diabetes.csv")
	tests := []struct {
		name   string
		data   dataset
		params trial.Params
		want   float64
		tol    float64
	}{
		{"digits", digits, trial.Params{}, skDigits, 0.01},
		{"diabetes", diabetes, trial.Params{}, skDiabetes, 0.02},
		{"diabetes/slow", diabetes, trial.Params{"max_iter": 50, "learning_rate": 0.05}, skDiabetesSlow, 0.02},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := trainertest.ShuffledCV(t, tc.data, GradientBoosting{}, tc.params, 0)
			t.Logf("score %.4f, scikit-learn %.4f", got, tc.want)
			if got < tc.want-tc.tol {
				t.Errorf("score %.4f is below scikit-learn's %.4f by more than %g", got, tc.want, tc.tol)
			}
		})
	}
}
