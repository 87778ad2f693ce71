package search

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hpsearch/hpsearch/internal/fastmath"
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
	// blockSize components, consecutive by mean, share a bound on their
	// terms, so that a continuous logPDF skips the blocks far from x
	// without computing their terms.
	blockSize = 16
	// blockMargin covers the rounding of a bound against the terms it
	// bounds, many orders of magnitude over.
	blockMargin = 1.0
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
	cum []float64
	// blocks bound the terms of blockSize components at a time.
	blocks       []termBlock
	terms, exact []float64 // scratch for logPDF
	bounds       []float64 // scratch: each block's bound at x
}

// termBlock bounds the continuous terms cst - ½((x-µ)/σ)² of components
// [first, end): none exceeds cst - ½(d/σ)², d the distance from x to
// [lo, hi], σ and cst the block's largest.
type termBlock struct {
	first, end int32
	lo, hi     float64 // the means of the first and last component
	invs, cst  float64 // 1/σ for the largest σ, and the largest cst
}

// bound is the largest term the block can hold at x.
func (b *termBlock) bound(x float64) float64 {
	z := max(b.lo-x, x-b.hi, 0) * b.invs
	return b.cst - 0.5*z*z
}

// reset empties m for reuse over [low, high] with quantization q.
func (m *mixture) reset(low, high, q float64) {
	m.low, m.high, m.q = low, high, q
	m.mu, m.sigma, m.logw = m.mu[:0], m.sigma[:0], m.logw[:0]
	m.invs, m.cst, m.cum = m.invs[:0], m.cst[:0], m.cum[:0]
	m.blocks = m.blocks[:0]
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
	for first := 0; first < n; first += blockSize {
		end := min(first+blockSize, n)
		b := termBlock{first: int32(first), end: int32(end), lo: mus[first], hi: mus[end-1],
			invs: 1 / slices.Max(m.sigma[first:end]), cst: slices.Max(m.cst[first:end])}
		m.blocks = append(m.blocks, b)
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

// tailCut is where a standard normal's tail beyond it, ½erfc(tailCut/√2)
// < 1.1e-17, no longer changes a mass that holds the other side of zero:
// logGaussMass skips its erfc there, with the same result to the bit
// (TestLogGaussMassTailShortcut). A trial's ask spends much of its time
// in these erfcs (logAccept of every component).
const tailCut = 6 * math.Sqrt2

// logGaussMass is log(Φ(b) - Φ(a)) for a < b, accurate in both tails.
func logGaussMass(a, b float64) float64 {
	var p float64
	switch {
	case b <= 0:
		p = 0.5 * (math.Erfc(-b/math.Sqrt2) - math.Erfc(-a/math.Sqrt2))
	case a >= 0:
		p = 0.5 * (math.Erfc(a/math.Sqrt2) - math.Erfc(b/math.Sqrt2))
	case a < -tailCut:
		// 1 - ½erfc(-a/√2) rounds to 1: ½erfc(6) ≈ 1.1e-17 is under
		// half the spacing of the floats below 1 (5.6e-17).
		p = 1 - 0.5*math.Erfc(b/math.Sqrt2)
	case b > tailCut:
		// v = 1 - ½erfc(-a/√2) lies in [0.5, 1), where the floats are at
		// least 2^-54 apart, so subtracting ½erfc(b/√2) < 1.1e-17 rounds
		// back to v.
		p = 1 - 0.5*math.Erfc(-a/math.Sqrt2)
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
	if m.q == 0 {
		return m.logDensity(x)
	}
	n := len(m.mu)
	m.terms = slices.Grow(m.terms[:0], n)[:n]
	top := m.computeTerms(x, 0, n)
	logq := math.Log(m.q)
	terms := m.terms
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

// computeTerms sets terms[i] to cst - ½((x-µ)/σ)² for the components
// [first, end) and returns the largest, or -Inf if there are none.
func (m *mixture) computeTerms(x float64, first, end int) float64 {
	top := math.Inf(-1)
	mu, invs, cst := m.mu[first:end], m.invs[first:end], m.cst[first:end]
	terms := m.terms[first:end]
	invs, cst, terms = invs[:len(mu)], cst[:len(mu)], terms[:len(mu)]
	for i := range mu {
		z := (x - mu[i]) * invs[i]
		t := cst[i] - 0.5*z*z
		terms[i] = t
		if t > top {
			top = t
		}
	}
	return top
}

// logDensity is the log density of a continuous mixture at x: log Σ
// exp(term), the sum over the terms within farTerms of the largest, in
// component order. Most of a large mixture's components lie far from x
// (their σ is a gap between neighbours), so it computes the terms of the
// block whose bound is highest, then only of the blocks whose bound comes
// within farTerms of the largest term so far: every block skipped holds
// only terms the sum would skip, so it adds the same terms in the same
// order as a sum over every component (parzen_test.go checks it).
func (m *mixture) logDensity(x float64) float64 {
	n := len(m.mu)
	m.terms = slices.Grow(m.terms[:0], n)[:n]
	bounds := slices.Grow(m.bounds[:0], len(m.blocks))[:len(m.blocks)]
	m.bounds = bounds
	first := 0
	for k := range m.blocks {
		bounds[k] = m.blocks[k].bound(x)
		if bounds[k] > bounds[first] {
			first = k
		}
	}
	b := &m.blocks[first]
	top := m.computeTerms(x, int(b.first), int(b.end))
	skip := top - farTerms - blockMargin
	for k := range m.blocks {
		if k == first {
			continue
		}
		if bounds[k] < skip {
			bounds[k] = math.Inf(-1) // marks the block skipped
			continue
		}
		b := &m.blocks[k]
		if t := m.computeTerms(x, int(b.first), int(b.end)); t > top {
			top, skip = t, t-farTerms-blockMargin
		}
	}
	var sum float64
	cut := top - farTerms
	for k := range m.blocks {
		if bounds[k] == math.Inf(-1) {
			continue
		}
		b := &m.blocks[k]
		for _, t := range m.terms[b.first:b.end] {
			if t > cut {
				sum += fastmath.Exp(t - top)
			}
		}
	}
	return top + math.Log(sum)
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
