package tree

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// Reference scores from benchmarks/sklearn_refs/tree_bench.py
// (scikit-learn 1.2.1, 5-fold CV with shuffle and random_state=0). Our
// folds come from the test's own splitter, so scores are compared with a
// tolerance rather than exactly.
const (
	skTreeDigits     = 0.8503 // DecisionTreeClassifier(max_depth=10)
	skForestDigits   = 0.9733 // RandomForestClassifier(n_estimators=100)
	skTreeDiabetes   = 0.2871 // DecisionTreeRegressor(max_depth=4)
	skForestDiabetes = 0.4194 // RandomForestRegressor(n_estimators=100)
)

func TestScoresMatchScikitLearn(t *testing.T) {
	digits, diabetes := trainertest.Load(t, "digits.csv"), trainertest.Load(t, "diabetes.csv")
	tests := []struct {
		name    string
		data    dataset
		learner trainers.Learner
		params  trial.Params
		want    float64
		tol     float64
	}{
		{"tree/digits", digits, DecisionTree{}, trial.Params{"max_depth": 10}, skTreeDigits, 0.01},
		{"forest/digits", digits, RandomForest{}, trial.Params{"n_estimators": 100}, skForestDigits, 0.01},
		{"tree/diabetes", diabetes, DecisionTree{}, trial.Params{"max_depth": 4}, skTreeDiabetes, 0.02},
		{"forest/diabetes", diabetes, RandomForest{}, trial.Params{"n_estimators": 100}, skForestDiabetes, 0.02},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := trainertest.ShuffledCV(t, tc.data, tc.learner, tc.params, 0)
			t.Logf("score %.4f, scikit-learn %.4f", got, tc.want)
			if got < tc.want-tc.tol {
				t.Errorf("score %.4f is below scikit-learn's %.4f by more than %g", got, tc.want, tc.tol)
			}
		})
	}
}
