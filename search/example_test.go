package search_test

import (
	"fmt"
	"strings"

	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// catalog is a one-model stand-in for trainers.Catalog.
type catalog struct{}

var knn = trial.ModelInfo{Name: "knn", Tasks: []trial.Task{trial.Classification, trial.Regression}, Param: []trial.ParamDecl{
	{Name: "n_neighbors", Kind: trial.Int, Min: trial.Bound(1), Default: 5},
	{Name: "weights", Kind: trial.Categorical, Choices: []any{"uniform", "distance"}, Default: "uniform"},
}}

func (catalog) Model(name string) (trial.ModelInfo, bool) { return knn, name == "knn" }
func (catalog) Models() []trial.ModelInfo                 { return []trial.ModelInfo{knn} }

func Example() {
	spec := `name: digits-knn
dataset: digits
task: classification
model: knn
search: {method: grid}
parameters:
  n_neighbors: {min: 1, max: 5, step: 2}
  weights: [uniform, distance]
`
	s, err := search.Parse(strings.NewReader(spec), "digits.yaml", catalog{})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _ := s.Size()
	fmt.Println(s.Metric, s.Direction, n, "trials")
	smp, _ := search.NewSampler(s)
	for i := 0; ; i++ {
		t, ok := smp.Ask(i)
		if !ok {
			break
		}
		fmt.Println(i, t.Model, t.Params.Format())
	}
	// Output:
	// accuracy maximize 6 trials
	// 0 knn n_neighbors=1 weights=uniform
	// 1 knn n_neighbors=1 weights=distance
	// 2 knn n_neighbors=3 weights=uniform
	// 3 knn n_neighbors=3 weights=distance
	// 4 knn n_neighbors=5 weights=uniform
	// 5 knn n_neighbors=5 weights=distance
}

func ExampleParse_error() {
	_, err := search.Parse(strings.NewReader("name: s\ndataset: iris\nmodel: knn\nparameters:\n  n_neighbours: [3, 5]\n"), "s.yaml", catalog{})
	fmt.Println(err)
	// Output:
	// s.yaml:5: parameters.n_neighbours: unknown parameter "n_neighbours" for model knn; did you mean "n_neighbors"? (parameters: n_neighbors, weights)
}
