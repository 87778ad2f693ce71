package search

import (
	"math"
	"math/rand/v2"
)

// This file holds the Parzen estimators of TPE, following Optuna 3.1's
// univariate _ParzenEstimator: a mixture of truncated normals on [low,
// high] (in log space for log parameters), one per observation plus a
// prior component N((low+high)/2, high-low), with each observation's sigma
// the larger gap to its sorted neighbours (endpoints not considered), and
// the "magic clip" that keeps sigmas within [(high-low)/min(100, 1+m),
// high-low]. A quantized dimension (q > 0) scores a value by the mass of
// [x-q/2, x+q/2] rather than the density. Categorical dimensions are
// built as Optuna 3.1 builds them (see categorical).
//
// A continuous component's "density" is Optuna 3.1's: its _truncnorm.logpdf
// standardizes x but never subtracts log σ, so each component is weighted
// by σ times its true density, favouring wide components in both l and g
// (optuna/optuna#5109, fixed upstream in #5110 after 3.1). We keep that
// on purpose: l/g then matches Optuna 3.1 to rounding (parzen_test.go),
// and on the quality benchmark (benchmarks/RESULTS.md; 100 seeds) it
// found better optima than the normalized mixture at 50 and 100 trials on
// hartmann6 and at 50 on rosenbrock, and the same elsewhere. Quantized
// dimensions score exact masses, which have no σ to lose.

const (
	priorWeight = 1.0
	logSqrt2Pi  = 0.9189385332046727 // log(sqrt(2π))
	// farTerms: mixture terms this far (in log) below the largest add
	// less than e^-30 and are skipped.
	farTerms = 30.0
)

// mixture is a truncated-normal Parzen estimator ready to evaluate.
type mixture struct {
	low, high, q float64
	mu, sigma    []float64
	logw         []float64 // normalized log weights
	// invs and cst are precomputed: 1/σ and log w - log P(accept) - log
	// √(2π), so a continuous term is cst - ½((x-µ)/σ)² (see the file
	// comment for the missing log σ); quantized, cst also has -log σ.
	invs, cst []float64
	// cum are the cumulative normalized weights, for sampling.
	cum          []float64
	terms, exact []float64 // scratch for logPDF
}

// reset empties m for reuse over [low, high] with quantization q.
func (m *mixture) reset(low, high, q float64) {
	m.low, m.high, m.q = low, high, q
	m.mu, m.sigma, m.logw = m.mu[:0], m.sigma[:0], m.logw[:0]
	m.invs, m.cst, m.cum = m.invs[:0], m.cst[:0], m.cum[:0]
}

// build computes the components from mus sorted ascending (the prior's
// mean among them, at index prior) and their unnormalized weights.
func (m *mixture) build(mus, ws []float64, prior int) {
	n := len(mus)
	m.mu = append(m.mu, mus...)
	width := m.high - m.low
	minSigma := width / min(100, 1+float64(n))
	var total float64
	for _, w := range ws {
		total += w
	}
	for i := range n {
		var s float64
		switch {
		case i == prior:
			s = width
		case n >= 2 && i == 0:
			s = mus[1] - mus[0]
		case n >= 2 && i == n-1:
			s = mus[n-1] - mus[n-2]
		default:
			lo, hi := m.low, m.high
			if i > 0 {
				lo = mus[i-1]
			}
			if i < n-1 {
				hi = mus[i+1]
			}
			s = max(mus[i]-lo, hi-mus[i])
		}
		if i != prior {
			s = min(max(s, minSigma), width)
		}
		m.sigma = append(m.sigma, s)
		lw := math.Log(ws[i] / total)
		m.logw = append(m.logw, lw)
		m.invs = append(m.invs, 1/s)
		c := lw - logAccept(m.low, m.high, mus[i], s) - logSqrt2Pi
		if m.q > 0 {
			c -= math.Log(s) // a density, for estimating masses
		}
		m.cst = append(m.cst, c)
	}
	var c float64
	for _, w := range ws {
		c += w / total
		m.cum = append(m.cum, c)
	}
}

// logAccept is log P(low <= X <= high) for X ~ N(mu, s²).
func logAccept(low, high, mu, s float64) float64 {
	a, b := (low-mu)/s, (high-mu)/s
	if a < -8 && b > 8 {
		return 0
	}
	return logGaussMass(a, b)
}

// logGaussMass is log(Φ(b) - Φ(a)) for a < b, accurate in both tails.
func logGaussMass(a, b float64) float64 {
	var p float64
	switch {
	case b <= 0:
		p = 0.5 * (math.Erfc(-b/math.Sqrt2) - math.Erfc(-a/math.Sqrt2))
	case a >= 0:
		p = 0.5 * (math.Erfc(a/math.Sqrt2) - math.Erfc(b/math.Sqrt2))
	default:
		p = 1 - 0.5*math.Erfc(-a/math.Sqrt2) - 0.5*math.Erfc(b/math.Sqrt2)
	}
	if p <= 0 {
		return -math.MaxFloat64
	}
	return math.Log(p)
}

// sample draws from the mixture: a component by weight, then its normal
// truncated to [low, high] (by rejection, which accepts at least ~38% of
// draws since every mean lies in the interval and σ <= high-low).
func (m *mixture) sample(rng *rand.Rand) float64 {
	u := rng.Float64()
	i := 0
	for i < len(m.cum)-1 && m.cum[i] <= u {
		i++
	}
	for range 64 {
		x := m.mu[i] + m.sigma[i]*rng.NormFloat64()
		if x >= m.low && x <= m.high {
			return x
		}
	}
	return min(max(m.mu[i], m.low), m.high)
}

// logPDF is the log density of the mixture at x, or for a quantized
// mixture the log mass of [x-q/2, x+q/2]. Terms far below the largest are
// skipped; quantized terms are first estimated by density × q and only the
// ones that matter get the exact (erfc) mass.
func (m *mixture) logPDF(x float64) float64 {
	top := math.Inf(-1)
	logq := 0.0
	if m.q > 0 {
		logq = math.Log(m.q)
	}
	terms := m.terms[:0]
	for i, mu := range m.mu {
		z := (x - mu) * m.invs[i]
		t := m.cst[i] - 0.5*z*z
		terms = append(terms, t)
		top = max(top, t)
	}
	m.terms = terms
	if m.q == 0 {
		var sum float64
		for _, t := range terms {
			if t > top-farTerms {
				sum += math.Exp(t - top)
			}
		}
		return top + math.Log(sum)
	}
	// Quantized: density × q is within a few percent of the mass when
	// σ >> q, and within a factor e^10 of it in the tails that matter, so
	// it picks the terms worth an exact (erfc) mass.
	lo, hi := max(x-m.q/2, m.low), min(x+m.q/2, m.high)
	ref := top + logq
	best := math.Inf(-1)
	exact := m.exact[:0]
	for i, mu := range m.mu {
		t := terms[i] + logq
		if t <= ref-farTerms-10 && m.sigma[i] > 2*m.q {
			continue
		}
		if m.sigma[i] <= 20*m.q {
			t = m.logw[i] + logGaussMass((lo-mu)*m.invs[i], (hi-mu)*m.invs[i]) - logAccept(m.low, m.high, mu, m.sigma[i])
		}
		exact = append(exact, t)
		best = max(best, t)
	}
	m.exact = exact
	var sum float64
	for _, t := range exact {
		if t > best-farTerms {
			sum += math.Exp(t - best)
		}
	}
	return best + math.Log(sum)
}

// categorical is a Parzen estimator over k categories, as Optuna 3.1
// builds it: each of the n observations is the distribution (one-hot +
// f)/(1 + k·f) with f = prior_weight/(n+1), the prior is uniform, and
// they are mixed with the weights of the numeric estimators.
type categorical struct {
	p   []float64 // probability of each category
	cum []float64
}

// build sets the probabilities from the observations' categories and
// their unnormalized weights, plus a prior of weight priorWeight.
func (c *categorical) build(k int, cats []int, ws []float64) {
	c.p, c.cum = c.p[:0], c.cum[:0]
	for range k {
		c.p = append(c.p, 0)
	}
	total := priorWeight
	for _, w := range ws {
		total += w
	}
	fill := priorWeight / float64(len(cats)+1)
	row := 1 + float64(k)*fill
	even := priorWeight / total / float64(k)
	for i, cat := range cats {
		w := ws[i] / total / row
		c.p[cat] += w
		even += w * fill
	}
	var sum float64
	for i := range c.p {
		c.p[i] += even
		sum += c.p[i]
		c.cum = append(c.cum, sum)
	}
}

func (c *categorical) sample(rng *rand.Rand) int {
	u := rng.Float64() * c.cum[len(c.cum)-1]
	for i, x := range c.cum {
		if u < x {
			return i
		}
	}
	return len(c.cum) - 1
}
