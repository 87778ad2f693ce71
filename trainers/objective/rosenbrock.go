package objective

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// Rosenbrock is the N-dimensional Rosenbrock function, the sum over i of
// 100(x[i+1]-x[i]^2)^2 + (1-x[i])^2. Its minimum, 0, is at all ones.
func Rosenbrock(x []float64) float64 {
	var f float64
	for i := 0; i+1 < len(x); i++ {
		a := x[i+1] - x[i]*x[i]
		b := 1 - x[i]
		f += 100*a*a + b*b
	}
	return f
}

// rosenbrockDim declares the coordinates beyond x2, which a spec may add.
var rosenbrockDim = floatDecl("", -5, 10, 0)

// rosenbrock declares x1 and x2 and is free-form so that a spec can add
// x3, x4, ... to search more dimensions, declared by rosenbrockDim (so a
// spec's {min: -2, max: 2} is a float range). Resolve does not check the
// names of free-form parameters, so eval checks them: every name must be
// x<k>, the indices must run 1..N without a gap, and every value must be
// a number in [-5, 10]. The dimension N is the number of coordinates
// given.
var rosenbrock = function{
	info: trial.ModelInfo{
		Name: "rosenbrock",
		Help: "Rosenbrock function of x1..xN (N >= 2; add x3, x4, ... for more dimensions) in [-5, 10]; minimum 0 at all ones",
		Param: []trial.ParamDecl{
			floatDecl("x1", -5, 10, 0),
			floatDecl("x2", -5, 10, 0),
		},
		FreeForm: true,
		Extra:    &rosenbrockDim,
	},
	eval: func(p trial.Params) (float64, error) {
		x := make([]float64, len(p))
		for name, v := range p {
			k, err := strconv.Atoi(strings.TrimPrefix(name, "x"))
			if !strings.HasPrefix(name, "x") || err != nil || k < 1 || k > len(p) {
				return 0, fmt.Errorf("%w %q for model rosenbrock: coordinates are x1..x%d", trial.ErrUnknownParam, name, len(p))
			}
			d := rosenbrockDim
			d.Name = name
			cv, err := trainers.CheckValue(d, v)
			if err != nil {
				return 0, fmt.Errorf("rosenbrock: %s: %w", name, err)
			}
			x[k-1] = cv.(float64)
		}
		// Names are distinct and each index is in 1..len(p), so every
		// coordinate was set exactly once.
		if len(x) < 2 {
			return 0, fmt.Errorf("rosenbrock: need at least x1 and x2, got %d coordinates", len(x))
		}
		return Rosenbrock(x), nil
	},
}
