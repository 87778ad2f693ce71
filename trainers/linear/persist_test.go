package linear_test

import (
	"testing"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trainers/internal/trainertest"
	"github.com/hpsearch/hpsearch/trainers/linear"
	"github.com/hpsearch/hpsearch/trial"
)

// TestPersist checks that every family here round-trips its fitted state
// bit for bit (trainers.Persistent), with two classes (one weight vector)
// and with more.
func TestPersist(t *testing.T) {
	cases := []struct {
		name string
		l    trainers.Learner
		p    trial.Params
		data string
	}{
		{"logistic binary", linear.Logistic{}, trial.Params{"max_iter": 20}, "breast_cancer.csv"},
		{"logistic multinomial", linear.Logistic{}, trial.Params{"max_iter": 20}, "wine.csv"},
		{"svm binary", linear.SVM{}, trial.Params{"max_iter": 20}, "breast_cancer.csv"},
		{"svm one-vs-rest", linear.SVM{}, trial.Params{"max_iter": 20}, "iris.csv"},
		{"ridge", linear.Ridge{}, trial.Params{"alpha": 0.5}, "diabetes.csv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := trainertest.Load(t, c.data)
			trainertest.CheckPersistent(t, c.l, c.p, d, 7)
		})
	}
}
