package search

import (
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func parseErr(yaml string) (*Spec, error) {
	return Parse(strings.NewReader(yaml), "spec.yaml", testCatalog)
}

// FuzzParse checks that no input makes Parse panic, and that a spec it
// accepts yields a working sampler.
func FuzzParse(f *testing.F) {
	f.Add(digitsSpec)
	f.Add(randomSpec)
	f.Add("name: a\nmodel: noop\nsearch: {method: sobol}\nparameters: {a: [1, x, 2.5, null], b: {min: 1, max: 9, step: 2}}\n")
	f.Add("name: a\nmodel: branin\nsearch: {method: grid}\nparameters: {x1: {min: -5, max: 10, grid_points: 4}, x2: 3}\n")
	f.Add("a: &x [1, *x]\n")
	f.Add("name: a\ndataset: d\nmodel: knn\nparameters: {n_neighbors: {distribution: q_log_uniform_values, min: 1, max: 50, q: 2}}\n")
	f.Add("name: Bad\nmodle: knn\nmetric: auc\ncv: {folds: 1}\nsearch: {method: grdi}\nparameters:\n  p: 7\n")
	f.Add("name: s\nmodel: knn\nparameters:\n\tp: 1\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		s, err := parseErr(yaml)
		if err != nil {
			checkProblems(t, err)
			return
		}
		smp, err := NewSampler(s)
		if err != nil {
			t.Fatalf("valid spec, no sampler: %v", err)
		}
		for n := range 3 {
			smp.Ask(n)
		}
		s.Size()
	})
}

// checkProblems checks what Parse's error promises: bad input, and when
// several problems, at most MaxErrors of them, each an InputError, in
// file order, one per line of the message.
func checkProblems(t *testing.T, err error) {
	if !errors.Is(err, trial.ErrBadInput) && !strings.HasPrefix(err.Error(), "search: ") {
		t.Fatalf("error %v is not bad input", err)
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		return
	}
	if len(errs.Errs) < 2 || len(errs.Errs) > MaxErrors {
		t.Fatalf("%d problems listed", len(errs.Errs))
	}
	last := 0
	for _, e := range errs.Errs {
		var ie *trial.InputError
		if !errors.As(e, &ie) {
			t.Fatalf("problem %T %v", e, e)
		}
		if ie.Line < last {
			t.Fatalf("problems out of file order:\n%v", err)
		}
		last = ie.Line
	}
}
