package tree_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/tree"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks trainers.Persistent for a tree and a forest, in
// both tasks.
func TestPersist(t *testing.T) {
	cases := []struct {
		name string
		l    trainers.Learner
		p    trial.Params
		data string
	}{
		{"tree classification", tree.DecisionTree{}, nil, "wine.csv"},
		{"tree regression", tree.DecisionTree{}, trial.Params{"criterion": "squared_error", "max_depth": 6}, "diabetes.csv"},
		{"forest classification", tree.RandomForest{}, trial.Params{"n_estimators": 10, "n_jobs": 2}, "breast_cancer.csv"},
		{"forest regression", tree.RandomForest{}, trial.Params{"n_estimators": 5, "criterion": "squared_error", "max_depth": 5}, "diabetes.csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			trainertest.CheckPersistent(t, c.l, c.p, trainertest.Load(t, c.data), 3)
		})
	}
}
