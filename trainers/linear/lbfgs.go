package linear

import (
	"context"
	"math"

	"gonum.org/v1/gonum/floats"
)

// objective evaluates a smooth function at x, writes its gradient into
// grad and returns its value.
type objective func(x, grad []float64) float64

// lbfgs holds the settings of minimizeLBFGS.
type lbfgs struct {
	// MaxIter caps the iterations (sklearn's max_iter).
	MaxIter int
	// GTol stops when the largest absolute gradient component is at most
	// GTol (scipy's pgtol, sklearn's tol).
	GTol float64
	// FTol stops when the objective's relative decrease in an iteration,
	// (f_k - f_k+1)/max(|f_k|, |f_k+1|, 1), is at most FTol; 0 means
	// 64 machine epsilons.
	FTol float64
	// Memory is the number of correction pairs kept; 10 like scipy.
	Memory int
}

// minimize runs L-BFGS from x (updated in place) with a backtracking
// Armijo line search, which is enough for the smooth convex objectives of
// this package (sᵀy > 0 always holds). It checks ctx once per iteration
// and returns the number of iterations done.
func (o lbfgs) minimize(ctx context.Context, f objective, x []float64) (int, error) {
	n := len(x)
	m := max(o.Memory, 1)
	g := make([]float64, n)
	gNew := make([]float64, n)
	xNew := make([]float64, n)
	d := make([]float64, n)
	s := make([][]float64, m)
	y := make([][]float64, m)
	rho := make([]float64, m)
	alpha := make([]float64, m)
	for i := range s {
		s[i], y[i] = make([]float64, n), make([]float64, n)
	}
	fx := f(x, g)
	stored, head := 0, 0 // pairs in memory; index of the next slot
	const c1 = 1e-4
	ftol := o.FTol
	if ftol == 0 {
		ftol = 64 * 2.220446049250313e-16
	}
	for it := 0; it < o.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			return it, err
		}
		if infNorm(g) <= o.GTol {
			return it, nil
		}
		// Two-loop recursion: d = -H·g.
		for i := range d {
			d[i] = -g[i]
		}
		for k := 0; k < stored; k++ {
			j := (head - 1 - k + m) % m
			alpha[j] = rho[j] * dot(s[j], d)
			axpy(-alpha[j], y[j], d)
		}
		step := 1.0
		if stored > 0 {
			j := (head - 1 + m) % m
			scale(dot(s[j], y[j])/dot(y[j], y[j]), d)
		} else {
			step = 1 / math.Max(1, math.Sqrt(dot(g, g)))
		}
		for k := stored - 1; k >= 0; k-- {
			j := (head - 1 - k + m) % m
			b := rho[j] * dot(y[j], d)
			axpy(alpha[j]-b, s[j], d)
		}
		slope := dot(g, d)
		if slope >= 0 { // not a descent direction: restart from steepest descent
			stored = 0
			for i := range d {
				d[i] = -g[i]
			}
			slope = -dot(g, g)
			step = 1 / math.Max(1, math.Sqrt(-slope))
		}
		var fNew float64
		for ls := 0; ; ls++ {
			for i := range x {
				xNew[i] = x[i] + step*d[i]
			}
			fNew = f(xNew, gNew)
			if fNew <= fx+c1*step*slope || ls == 50 {
				break
			}
			step *= 0.5
		}
		if !(fNew <= fx) { // line search failed to decrease: give up at x
			return it + 1, nil
		}
		j := head
		var sy float64
		for i := range x {
			s[j][i] = xNew[i] - x[i]
			y[j][i] = gNew[i] - g[i]
			sy += s[j][i] * y[j][i]
		}
		if sy > 1e-12*dot(y[j], y[j]) {
			rho[j] = 1 / sy
			head = (head + 1) % m
			stored = min(stored+1, m)
		}
		done := (fx-fNew)/math.Max(math.Max(math.Abs(fx), math.Abs(fNew)), 1) <= ftol
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
		if done {
			return it + 1, nil
		}
	}
	return o.MaxIter, nil
}

// dot and axpy use gonum's assembly kernels.
func dot(a, b []float64) float64 { return floats.Dot(a, b) }

// axpy adds alpha·x to y.
func axpy(alpha float64, x, y []float64) { floats.AddScaled(y, alpha, x) }

func scale(alpha float64, x []float64) {
	for i := range x {
		x[i] *= alpha
	}
}

func infNorm(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
