package mlp_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/mlp"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks trainers.Persistent for the three output layers:
// identity (regression), one logistic unit and softmax.
func TestPersist(t *testing.T) {
	for _, file := range []string{"diabetes.csv", "breast_cancer.csv", "wine.csv"} {
		t.Run(file, func(t *testing.T) {
			p := trial.Params{"hidden_layer_sizes": "64,32", "max_iter": 5}
			trainertest.CheckPersistent(t, mlp.MLP{}, p, trainertest.Load(t, file), 2)
		})
	}
}
