package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// TestParzenMatchesOptuna31 tells a history to TPE and compares log l(x)
// and log g(x) with the values Optuna 3.1's TPESampler computes for the
// same history (_split_observation_pairs with default_gamma, then
// _ParzenEstimator with default_weights, prior, magic clip, no
// endpoints). It covers the split (with tied scores), the prior, the
// sigmas, the ramp of weights on g, log space, quantized masses and the
// unnormalized continuous density of Optuna 3.1.
func TestParzenMatchesOptuna31(t *testing.T) {
	cases := []struct {
		name, param string
		xs, ys      []float64
		at, l, g    []float64
	}{
		{
			name:  "float, 31 trials",
			param: "{min: -5.0, max: 10.0}",
			xs:    []float64{-0.70919267509226547, 9.3715834977850001, 6.554693983283169, 9.803050046386943, -1.8775180714291824, -2.9462442673425775, 8.6256070343485032, -3.9704222303431957, -3.8700091649051425, 3.1530203423096914, -3.6590042522289803, 0.73589901289469939, 5.0284065952167794, 1.4375353384276499, -4.3406553877039498, -2.0857101687646913, 1.6998922595915618, -4.061400828469842, -0.53649076977247123, 9.1544634987627251, -0.75783386358353866, -0.98459680170734565, 1.108285062015824, 7.3898560442944632, 2.6005099478819238, -0.95786928431128615, 0.10282431128790215, 9.6170777723510916, -2.2354313131945762, -1.3659174106172163, 5.3568897055004125},
			ys:    []float64{-0.74821484493863932, -2.252252948728469, -0.59914075235989706, 0.25342067636768956, 0.13331225151378728, -1.5788339587693196, -0.24844189049696108, -0.5832964687243859, -0.2020376624598883, 1.6433138843089585, -0.4045464570745787, 0.67327426003086943, -1.9328796183781973, -0.051524813217917402, 1.6453423059822827, 0.59887137485808439, -1.1536679874280773, -0.31743557284434165, 0.66831619635069628, -0.74428912178851936, -1.2517792911530026, -1.5760924371698384, 0.55273691722641494, 0.38197867385967438, -0.59687740974898795, 1.4527042066571707, 1.4296486657176226, -2.1326363395387333, 1.1255793120784705, -0.1074528844321179, -0.78482756097412409},
			at:    []float64{-5, -2.5, 0, 2.5, 5, 7.5, 10},
			l:     []float64{-1.1797808210891614, -1.0622002952435152, -0.98130475844627196, -0.90227198892402893, -0.79145557033986669, -0.64340982067802499, -0.65079059709855192},
			g:     []float64{-2.789328780852272, -2.4605452133170131, -2.3459492497289975, -2.4623662266592747, -2.6291658309063282, -2.4578010192833646, -2.5703722777291986},
		},
		{
			name:  "log, 23 trials, tied scores",
			param: "{min: 0.001, max: 10.0, log: true}",
			xs:    []float64{6.9194123653955675, 0.6281280671964854, 9.9877846657613336, 0.0075904792806286972, 0.027811564223775113, 0.91067614579637901, 9.6788308563633532, 0.018424169106917587, 0.0035170481924844217, 0.034349470013224033, 0.019145959427624558, 0.029218573715743497, 0.68961428699938987, 3.9862976361870839, 0.13691838151611396, 0.0097538272523392359, 0.48666067069185209, 0.17656980169180633, 0.14799243190387651, 3.7479208850458958, 2.3502723875919891, 0.016751371098468765, 0.33471803233093572},
			ys:    []float64{1.3, 1.6, -0.1, -1.6, 0.4, 0.4, 1.6, 0.2, 1.2, 0, 1, 0.3, -0.5, -1.4, -1, 0.3, -0.2, -1, 0.7, 0.1, 1.5, -0.6, 0.3},
			at:    []float64{0.0010000000000000002, 0.0046415888336127807, 0.021544346900318829, 0.099999999999999881, 0.46415888336127742, 2.1544346900318816, 9.9999999999999982},
			l:     []float64{-0.98548992513738842, -0.76154187062746481, -0.63792286457089897, -0.59887537438243643, -0.61401685307039433, -0.67781831590898745, -0.80700118312955027},
			g:     []float64{-2.8928085147663825, -2.4440235574707252, -1.7820108965983263, -2.377412409995852, -1.9778704886976064, -2.3169602286011624, -1.8846380108349245},
		},
		{
			name:  "step 0.1, 23 trials, prior on the lattice",
			param: "{min: 0.0, max: 1.0, step: 0.1}",
			xs:    []float64{0.3, 0.6, 0.8, 0.9, 0.6, 0.8, 0.7, 1, 0.9, 0.3, 0.6, 0.1, 0.2, 0.5, 0.5, 0, 0.5, 0, 0.9, 1, 0.9, 0.3, 0.1},
			ys:    []float64{-0.16834478806547845, -0.35671283084068212, 0.85026465332801426, -0.55916487139440518, -0.85045192950143322, 0.27549799314912932, -0.2376493504245156, -1.0866497093591427, 0.87068848674641486, -0.36145286193614179, 1.2303058389881198, -0.26719759862715031, -0.62787631713865644, 0.35922688848727513, -1.0013442004366113, 0.2606762296250888, -1.2358615738300527, -0.13022507469761507, 2.2259965176693104, 1.2068920298155377, 0.67310692633900027, 1.1817535242784085, -1.2833547782090211},
			at:    []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1},
			l:     []float64{-2.5494103018756924, -2.4422402656349411, -2.365437884997764, -2.3173558199763447, -2.2956383705370511, -2.2975326415998212, -2.3201703450625937, -2.3608395754381082, -2.4172544064368688, -2.4878019805242144, -2.5717127473490073},
			g:     []float64{-2.4270507946746114, -2.6425472865214035, -2.657676725397716, -2.4475749194854677, -2.8579793454511817, -2.4110547247096816, -2.1998232095414778, -2.4043047291166029, -2.2458649259554182, -1.8764858719543331, -2.567984930358775},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parse(t, fmt.Sprintf("name: p\nmodel: noop\nsearch: {method: tpe, seed: 0}\nparameters:\n  x: %s\n", c.param))
			smp, err := newTPESampler(s)
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range c.xs {
				smp.Tell(trial.Result{Number: i, State: trial.Complete, Model: "noop", Params: trial.Params{"x": x}, Score: c.ys[i]})
			}
			st, a := smp.states[0], smp.fams[0].axes[0]
			smp.split(st)
			smp.estimators(st, 0)
			for k, v := range c.at {
				x, ok := st.dims[0].internal(a, v)
				if !ok {
					t.Fatalf("internal(%v) not ok", v)
				}
				if got := smp.scratch.l.logPDF(x); math.Abs(got-c.l[k]) > 1e-9 {
					t.Errorf("log l(%v) = %.12f, Optuna 3.1 %.12f", v, got, c.l[k])
				}
				if got := smp.scratch.g.logPDF(x); math.Abs(got-c.g[k]) > 1e-9 {
					t.Errorf("log g(%v) = %.12f, Optuna 3.1 %.12f", v, got, c.g[k])
				}
			}
		})
	}
}

// TestCategoricalMatchesOptuna31 compares the categorical estimator's
// probabilities with Optuna 3.1's for the same observations and weights.
func TestCategoricalMatchesOptuna31(t *testing.T) {
	cases := []struct {
		cats []int
		ws   []float64
		p    []float64
	}{
		{nil, nil, []float64{0.25, 0.25, 0.25, 0.25}},
		{[]int{2}, []float64{1}, []float64{0.20833333333333334, 0.20833333333333334, 0.37500000000000006, 0.20833333333333334}},
		{[]int{0, 1, 3, 0, 0}, []float64{1, 1, 1, 1, 1}, []float64{0.425, 0.225, 0.125, 0.225}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.cats), func(t *testing.T) {
			var e categorical
			e.build(4, c.cats, c.ws)
			for i, want := range c.p {
				if math.Abs(e.p[i]-want) > 1e-12 {
					t.Errorf("p[%d] = %.15f, Optuna 3.1 %.15f", i, e.p[i], want)
				}
			}
		})
	}
}

// TestLogDensitySkipsOnlyFarTerms compares the log density, which skips
// blocks of components far from x, with the sum over every component.
func TestLogDensitySkipsOnlyFarTerms(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 15, 16, 17, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			low, high := -5.0, 10.0
			mus := make([]float64, n)
			ws := make([]float64, n)
			for i := range mus {
				// Clustered, as TPE's observations are: half near 3.
				mus[i] = low + (high-low)*rng.Float64()
				if i%2 == 0 {
					mus[i] = min(max(3+0.2*rng.NormFloat64(), low), high)
				}
				ws[i] = 0.05 + rng.Float64()
			}
			prior := (low + high) / 2
			mus = append(mus, prior)
			ws = append(ws, priorWeight)
			slices.Sort(mus)
			var m mixture
			m.reset(low, high, 0)
			m.build(mus, ws, slices.Index(mus, prior))
			for range 200 {
				x := low + (high-low)*rng.Float64()
				got, want := m.logPDF(x), fullLogDensity(&m, x)
				if math.Abs(got-want) > 1e-14*max(1, math.Abs(want)) {
					t.Fatalf("logPDF(%v) = %.17g, over every component %.17g", x, got, want)
				}
			}
		})
	}
}

// fullLogDensity is log Σ exp(term) over every component of m within
// farTerms of the largest, as logDensity was before it skipped blocks.
func fullLogDensity(m *mixture, x float64) float64 {
	terms := make([]float64, len(m.mu))
	top := math.Inf(-1)
	for i, mu := range m.mu {
		z := (x - mu) / m.sigma[i]
		terms[i] = m.cst[i] - 0.5*z*z
		top = max(top, terms[i])
	}
	var sum float64
	for _, t := range terms {
		if t > top-farTerms {
			sum += math.Exp(t - top)
		}
	}
	return top + math.Log(sum)
}

// TestLogGaussMassTailShortcut: skipping the erfc of a tail beyond
// tailCut gives the mass of the full formula to the bit, so trials stay
// what they were.
func TestLogGaussMassTailShortcut(t *testing.T) {
	full := func(a, b float64) float64 {
		return math.Log(1 - 0.5*math.Erfc(-a/math.Sqrt2) - 0.5*math.Erfc(b/math.Sqrt2))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	edges := []float64{tailCut, math.Nextafter(tailCut, 100), 8.5, 9, 12, 30, 40}
	for range 200_000 {
		a, b := -40*rng.Float64(), 40*rng.Float64()
		switch rng.IntN(3) {
		case 0:
			a = -edges[rng.IntN(len(edges))]
		case 1:
			b = edges[rng.IntN(len(edges))]
		}
		if a == 0 || b == 0 {
			continue
		}
		if got, want := logGaussMass(a, b), full(a, b); got != want {
			t.Fatalf("logGaussMass(%v, %v) = %v, the full formula %v", a, b, got, want)
		}
	}
}
