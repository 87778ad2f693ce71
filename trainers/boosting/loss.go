package boosting

import (
	"math"

	"github.com/hpsearch/hpsearch/internal/fastmath"
)

// probEps keeps baseline probabilities away from 0 and 1.
const probEps = 1e-15

// baseline returns the constant raw prediction trees start from: the mean
// for regression, the log-odds of class 1 for two classes, and centred
// log class priors for more (K raw values).
func baseline(y []float64, k int, regression bool) []float64 {
	if regression {
		s := 0.0
		for _, v := range y {
			s += v
		}
		return []float64{s / float64(len(y))}
	}
	prior := make([]float64, max(k, 2))
	for _, v := range y {
		prior[int(v)]++
	}
	for c := range prior {
		prior[c] = min(max(prior[c]/float64(len(y)), probEps), 1-probEps)
	}
	if k == 1 {
		return []float64{math.Log(prior[1] / (1 - prior[1]))}
	}
	out := make([]float64, k)
	mean := 0.0
	for c := range out {
		out[c] = math.Log(prior[c])
		mean += out[c] / float64(k)
	}
	for c := range out {
		out[c] -= mean
	}
	return out
}

// gradients sets grad and hess, each K×n (tree k's gradients at
// [k*n, (k+1)*n)), from the raw predictions (n×K, row-major).
func gradients(grad, hess, raw, y []float64, k int, regression bool) {
	n := len(y)
	switch {
	case regression:
		for i, v := range y {
			grad[i] = raw[i] - v
			hess[i] = 1
		}
	case k == 1:
		for i, v := range y {
			p := sigmoid(raw[i])
			grad[i] = p - v
			hess[i] = p * (1 - p)
		}
	default:
		prob := make([]float64, k)
		for i, v := range y {
			softmax(prob, raw[i*k:(i+1)*k])
			for c, p := range prob {
				g := p
				if int(v) == c {
					g = p - 1
				}
				grad[c*n+i] = g
				hess[c*n+i] = p * (1 - p)
			}
		}
	}
}

// sigmoid and softmax use fastmath.Exp (within 2 ulps of math.Exp, about
// twice as fast): they run once per row and class every iteration.
func sigmoid(x float64) float64 { return 1 / (1 + fastmath.Exp(-x)) }

// softmax writes the softmax of raw into p.
func softmax(p, raw []float64) {
	m := raw[0]
	for _, v := range raw {
		m = max(m, v)
	}
	s := 0.0
	for c, v := range raw {
		p[c] = fastmath.Exp(v - m)
		s += p[c]
	}
	for c := range p {
		p[c] /= s
	}
}
