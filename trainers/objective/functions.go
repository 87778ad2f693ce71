package objective

import (
	"math"

	"github.com/hpsearch/hpsearch/trial"
)

// Branin is the Branin-Hoo function on x1 in [-5, 10], x2 in [0, 15]. Its
// global minimum, 0.397887..., is reached at (-pi, 12.275), (pi, 2.275) and
// (9.42478, 2.475).
func Branin(x1, x2 float64) float64 {
	const (
		b = 5.1 / (4 * math.Pi * math.Pi)
		c = 5 / math.Pi
		r = 6
		s = 10
		t = 1 / (8 * math.Pi)
	)
	u := x2 - b*x1*x1 + c*x1 - r
	return u*u + s*(1-t)*math.Cos(x1) + s
}

// BraninMin is the global minimum of Branin.
const BraninMin = 0.39788735772973816

var branin = function{
	info: trial.ModelInfo{
		Name: "branin",
		Help: "Branin-Hoo function of x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887",
		Param: []trial.ParamDecl{
			floatDecl("x1", -5, 10, 2.5),
			floatDecl("x2", 0, 15, 7.5),
		},
	},
	eval: func(p trial.Params) (float64, error) {
		x, err := coords(p, []string{"x1", "x2"})
		if err != nil {
			return 0, err
		}
		return Branin(x[0], x[1]), nil
	},
}

var (
	hartmannAlpha = [4]float64{1.0, 1.2, 3.0, 3.2}
	hartmannA     = [4][6]float64{
		{10, 3, 17, 3.5, 1.7, 8},
		{0.05, 10, 17, 0.1, 8, 14},
		{3, 3.5, 1.7, 10, 17, 8},
		{17, 8, 0.05, 10, 0.1, 14},
	}
	hartmannP = [4][6]float64{
		{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
		{0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
		{0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
		{0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381},
	}
)

// Hartmann6 is the six-dimensional Hartmann function on [0, 1]^6. Its
// global minimum, -3.32237, is reached at (0.20169, 0.150011, 0.476874,
// 0.275332, 0.311652, 0.6573).
func Hartmann6(x [6]float64) float64 {
	var f float64
	for i := range hartmannAlpha {
		var e float64
		for j := range x {
			d := x[j] - hartmannP[i][j]
			e += hartmannA[i][j] * d * d
		}
		f -= hartmannAlpha[i] * math.Exp(-e)
	}
	return f
}

// Hartmann6Min is the global minimum of Hartmann6, to six figures.
const Hartmann6Min = -3.32237

var hartmannNames = []string{"x1", "x2", "x3", "x4", "x5", "x6"}

var hartmann6 = function{
	info: trial.ModelInfo{
		Name: "hartmann6",
		Help: "six-dimensional Hartmann function of x1..x6 in [0, 1]; minimum -3.32237",
		Param: func() []trial.ParamDecl {
			ds := make([]trial.ParamDecl, len(hartmannNames))
			for i, n := range hartmannNames {
				ds[i] = floatDecl(n, 0, 1, 0.5)
			}
			return ds
		}(),
	},
	eval: func(p trial.Params) (float64, error) {
		x, err := coords(p, hartmannNames)
		if err != nil {
			return 0, err
		}
		return Hartmann6([6]float64(x)), nil
	},
}
