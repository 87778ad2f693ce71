package worker_test

import (
	"context"
	"math"

	// Refit requests (the end of a study of models) need package refit.
	_ "github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/trainers"
	// Every model family of hpsearch, besides your own.
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// sphere is an objective of your own: the squared distance of (x, y) from
// (1, 2), minimised.
type sphere struct{}

var _ trainers.Objective = sphere{}

func (sphere) Info() trial.ModelInfo {
	return trial.ModelInfo{
		Name:          "sphere",
		Help:          "(x-1)² + (y-2)², minimum 0 at (1, 2)",
		Objective:     true,
		DefaultMetric: "value",
		Param: []trial.ParamDecl{
			{Name: "x", Kind: trial.Float, Min: trial.Bound(-5), Max: trial.Bound(5), Default: 0.0},
			{Name: "y", Kind: trial.Float, Min: trial.Bound(-5), Max: trial.Bound(5), Default: 0.0},
		},
	}
}

func (sphere) Evaluate(ctx context.Context, p trial.Params) (float64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	x, _ := p.Float("x")
	y, _ := p.Float("y")
	return math.Pow(x-1, 2) + math.Pow(y-2, 2), nil
}

// A Lambda worker of your own: register your families, then hand the
// process to worker.Main. This is the whole main package of such a
// worker; build it as bootstrap (see Main) and deploy it with hpsearch
// deploy --worker bootstrap. (Not run here: Main serves a Lambda runtime.)
func ExampleMain() {
	trainers.Register(sphere{}) // usually in an init function
	worker.Main()
}
