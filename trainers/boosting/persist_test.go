package boosting_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers/boosting"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks trainers.Persistent for regression, binary
// classification (one tree per iteration) and multiclass (one per class).
func TestPersist(t *testing.T) {
	for _, file := range []string{"diabetes.csv", "breast_cancer.csv", "iris.csv"} {
		t.Run(file, func(t *testing.T) {
			p := trial.Params{"max_iter": 15, "max_leaf_nodes": 8}
			trainertest.CheckPersistent(t, boosting.GradientBoosting{}, p, trainertest.Load(t, file), 5)
		})
	}
}
