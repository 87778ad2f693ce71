package search

import (
	"strings"
	"testing"
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
	f.Fuzz(func(t *testing.T, yaml string) {
		s, err := parseErr(yaml)
		if err != nil {
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
