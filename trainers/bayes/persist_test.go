package bayes_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers/bayes"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
)

// TestPersist checks trainers.Persistent: binary and multiclass models
// round-trip bit for bit.
func TestPersist(t *testing.T) {
	for _, file := range []string{"breast_cancer.csv", "digits.csv"} {
		t.Run(file, func(t *testing.T) {
			trainertest.CheckPersistent(t, bayes.Gaussian{}, nil, trainertest.Load(t, file), 1)
		})
	}
}
