package hpsearch_test

import (
	"context"
	"fmt"
	"log"

	"github.com/hpsearch/hpsearch"
)

// A study of a Go function: TPE looks for the minimum of a
// quadratic, one trial at a time.
func Example() {
	spec, err := hpsearch.ParseSpec(`
name: quadratic
direction: minimize
search: {method: tpe, max_trials: 60, parallel: 1, seed: 1}
parameters:
  x: {min: -10.0, max: 10.0}
  shape: [bowl, cup]
`)
	if err != nil {
		log.Fatal(err)
	}
	out, err := hpsearch.Run(context.Background(), spec, func(ctx context.Context, t *hpsearch.Trial) (float64, error) {
		x := t.Float("x")
		if t.String("shape") == "cup" {
			return (x-2)*(x-2) + 1, nil
		}
		return (x - 2) * (x - 2), nil
	}, hpsearch.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d trials, best x=%.1f shape=%s\n", out.Complete, out.Best.Params["x"], out.Best.Params["shape"])
	// Output: 60 trials, best x=2.0 shape=bowl
}

// In-trial pruning: the objective reports a value per epoch and stops
// when the median rule says its curve is behind the others'.
func ExampleTrial_ShouldPrune() {
	spec, err := hpsearch.ParseSpec(`
name: curves
direction: maximize
early_stopping: {type: median, budget: step, min: 2}
search: {method: random, max_trials: 20, parallel: 1, seed: 2}
parameters:
  rate: {min: 0.0, max: 1.0}
`)
	if err != nil {
		log.Fatal(err)
	}
	out, err := hpsearch.Run(context.Background(), spec, func(ctx context.Context, t *hpsearch.Trial) (float64, error) {
		accuracy := 0.0
		for epoch := range 10 {
			accuracy += t.Float("rate") / 10 // a learning curve
			if err := t.Report(epoch, accuracy); err != nil {
				return 0, err
			}
			if t.ShouldPrune() {
				return 0, hpsearch.ErrPruned
			}
		}
		return accuracy, nil
	}, hpsearch.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.Complete+out.Pruned == 20, out.Pruned > 0, out.Best.Score > 0.9)
	// Output: true true true
}
