package knn_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/knn"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks trainers.Persistent for both tasks, both distances
// and both weightings.
func TestPersist(t *testing.T) {
	cases := []struct {
		data string
		p    trial.Params
	}{
		{"iris.csv", trial.Params{"n_neighbors": 3}},
		{"wine.csv", trial.Params{"weights": "distance", "p": 1}},
		{"diabetes.csv", trial.Params{"n_neighbors": 7, "weights": "distance"}},
	}
	for _, c := range cases {
		t.Run(c.data, func(t *testing.T) {
			trainertest.CheckPersistent(t, knn.Family{}, c.p, trainertest.Load(t, c.data), 1)
		})
	}
}
