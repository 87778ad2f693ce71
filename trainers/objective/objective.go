package objective

import (
	"context"
	"fmt"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// function is one test function: its declaration and its value. Evaluate
// receives parameters that passed trainers.Resolve.
type function struct {
	info trial.ModelInfo
	eval func(p trial.Params) (float64, error)
}

var _ trainers.Objective = function{}

// Info returns the family's declaration.
func (f function) Info() trial.ModelInfo { return f.info }

// Evaluate returns the function's value at p. It does not block, so ctx is
// checked once, before any work.
func (f function) Evaluate(ctx context.Context, p trial.Params) (float64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return f.eval(p)
}

func init() {
	for _, f := range []function{noop, branin, hartmann6, rosenbrock} {
		f.info.Objective = true
		f.info.DefaultMetric = "value"
		trainers.Register(f)
	}
}

// floatDecl declares a float parameter on [lo, hi].
func floatDecl(name string, lo, hi, def float64) trial.ParamDecl {
	return trial.ParamDecl{
		Name: name, Kind: trial.Float,
		Min: trial.Bound(lo), Max: trial.Bound(hi), Default: def,
	}
}

// coords reads the float parameters names from p, in order.
func coords(p trial.Params, names []string) ([]float64, error) {
	x := make([]float64, len(names))
	for i, n := range names {
		v, ok := p.Float(n)
		if !ok {
			return nil, fmt.Errorf("objective: parameter %s missing or not a number (got %v)", n, p[n])
		}
		x[i] = v
	}
	return x, nil
}
