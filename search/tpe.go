package search

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// tpeSampler is the Tree-structured Parzen Estimator (Bergstra et al.,
// "Algorithms for Hyper-Parameter Optimization", NeurIPS 2011) with the
// defaults of Optuna 3.1's TPESampler: gamma(n) = min(ceil(0.1·n), 25),
// 24 candidates drawn from l(x) and the one maximizing l(x)/g(x) kept,
// prior weight 1, magic clip, endpoints not considered, older
// observations of g down-weighted by Optuna's ramp once there are more
// than 25. By default a family's parameters are modelled jointly, one
// multivariate l and g per family (tpe_multivariate.go); with
// multivariate: false each parameter is modelled on its own, as Optuna's
// default TPESampler, line by line (parzen.go).
//
// The model family is a categorical parameter over every configuration;
// each family's parameters are modelled on that family's configurations
// only (a tree of conditional spaces, as Optuna's define-by-run does).
// Until NStartupTrials configurations of a family (or, for the family
// choice, of the study) have results, values are drawn from the startup
// sampler (random or sobol, as for trial n of that method).
//
// Constant liar: configurations asked but not told are observations of
// g, the "bad" density, so a batch of asks spreads out instead of piling
// on the current best. The below set holds only told results.
//
// Results are ranked by (higher rung first, then score), as Optuna ranks
// pruned trials by their last step: under early stopping a configuration
// is told again at each rung, and its latest rung replaces the earlier.
// Failed configurations are ignored.
//
// Trial n's randomness is a PCG seeded with TrialSeed(seed, n), so the
// same seed and the same sequence of asks and tells give the same trials.
//
// Bounded history: l is built from the below set, the gamma(n) ≤ 25 best
// configurations of all those told, and g from the TPEWindow most recent
// other configurations (pending or told, not failed), weighted by
// Optuna's ramp within the window. Older ones leave g: the ramp has
// already weighted them down to about 1/n. Up to TPEWindow configurations
// of a family (plus its below set and failures) the window holds all of
// them and the trials are Optuna's algorithm exactly; past it an Ask
// costs O(TPEWindow·(24 + log TPEWindow)) per dimension, whatever the
// number of trials, where the whole history made the study's cost grow
// with the square of its trials.
type tpeSampler struct {
	fams     []family
	dir      trial.Direction
	seed     uint64
	nStartup int
	startup  Sampler
	// multivariate models each family's parameters jointly (see
	// tpe_multivariate.go) rather than one by one.
	multivariate bool

	states   []*tpeFamily
	order    []tpeRef       // every configuration, in ask order
	byNumber map[int]tpeRef // configuration number → observation
	byLoss   []tpeRef       // told configurations, best first
	scratch  tpeScratch
}

var _ Sampler = (*tpeSampler)(nil)

// Optuna 3.1's TPE constants.
const (
	tpeCandidates = 24
	tpeMaxBelow   = 25
	tpeStream     = 0x747065 // "tpe"
)

// TPEWindow is how many of a family's most recent configurations, besides
// its best, the tpe sampler's g density is built from (see the package
// doc). It is above the 200 trials of the quality benchmark
// (benchmarks/search), so studies of up to about that size propose
// exactly what they did with the whole history.
const TPEWindow = 1000

type obsState uint8

const (
	obsPending obsState = iota
	obsTold
	obsFailed
)

// tpeRef locates an observation: family and index in its obs.
type tpeRef struct{ fam, i int32 }

// tpeObs is one configuration as TPE sees it.
type tpeObs struct {
	number int
	state  obsState
	rung   int
	loss   float64   // score, negated when maximizing
	x      []float64 // per axis: internal value, or category index
}

// tpeFamily holds one family's observations and their order by loss.
type tpeFamily struct {
	obs    []tpeObs
	byLoss []int32 // told observations, best first
	dims   []tpeDim
}

// tpeDim is how TPE models one axis.
type tpeDim struct {
	kind      dimKindTPE
	k         int     // categories
	low, high float64 // Parzen bounds, internal space
	q         float64 // quantization step in internal space; 0 continuous
	log       bool
}

type dimKindTPE uint8

const (
	dimConst dimKindTPE = iota
	dimCat
	dimNum
)

// tpeScratch holds buffers reused across asks.
type tpeScratch struct {
	// below and above are the observations of l and g (indices into the
	// family's obs, ascending), from split; above[r] has rank r of
	// len(above) in Optuna's ramp.
	below, above []int32
	byX          []tpePoint
	mus, ws      []float64
	cats         []int
	l, g         mixture
	cl, cg       categorical
	jl, jg       jointMixture
}

// tpePoint is one observation's value on an axis, for sorting.
type tpePoint struct {
	x float64
	i int32   // index in the family's obs: ties keep observation order
	w float64 // weight in its estimator
}

func newTPESampler(s *Spec) (*tpeSampler, error) {
	t := &tpeSampler{fams: compile(s), dir: s.Direction, seed: s.Search.Seed,
		nStartup: s.Search.NStartupTrials, byNumber: map[int]tpeRef{},
		multivariate: DefaultMultivariate}
	if s.Search.Multivariate != nil {
		t.multivariate = *s.Search.Multivariate
	}
	if t.nStartup == 0 {
		t.nStartup = DefaultNStartupTrials
	}
	if s.Search.Startup == "sobol" {
		sb, err := newSobolSampler(s)
		if err != nil {
			return nil, err
		}
		t.startup = sb
	} else {
		t.startup = newRandomSampler(s)
	}
	for _, f := range t.fams {
		st := &tpeFamily{dims: make([]tpeDim, len(f.axes))}
		for j, a := range f.axes {
			st.dims[j] = newTPEDim(a)
		}
		t.states = append(t.states, st)
	}
	return t, nil
}

func newTPEDim(a axis) tpeDim {
	d := a.dim
	switch {
	case len(d.Values) == 1 || len(d.Values) == 0 && d.Min == d.Max:
		return tpeDim{kind: dimConst}
	case len(d.Values) > 0:
		return tpeDim{kind: dimCat, k: len(d.Values)}
	case d.Kind == trial.Int && d.Log:
		return tpeDim{kind: dimNum, low: math.Log(d.Min - 0.5), high: math.Log(d.Max + 0.5), log: true}
	case d.Kind == trial.Int:
		q := max(1, d.Step)
		return tpeDim{kind: dimNum, low: d.Min - q/2, high: d.Max + q/2, q: q}
	case d.Log:
		return tpeDim{kind: dimNum, low: math.Log(d.Min), high: math.Log(d.Max), log: true}
	case d.Step > 0:
		return tpeDim{kind: dimNum, low: d.Min - d.Step/2, high: d.Max + d.Step/2, q: d.Step}
	}
	return tpeDim{kind: dimNum, low: d.Min, high: d.Max}
}

// internal maps a parameter value to the axis's internal coordinate.
func (d tpeDim) internal(a axis, v any) (float64, bool) {
	switch d.kind {
	case dimConst:
		return 0, true
	case dimCat:
		for i, c := range a.dim.Values {
			if equalValue(c, v) {
				return float64(i), true
			}
		}
		return 0, false
	}
	f, ok := toFloat(v)
	if !ok || d.log && f <= 0 {
		return 0, false
	}
	if d.log {
		return math.Log(f), true
	}
	return f, true
}

// external maps an internal coordinate to a valid parameter value: the
// category, or the number rounded to the axis's lattice and clamped.
func (d tpeDim) external(a axis, x float64) any {
	dm := a.dim
	switch d.kind {
	case dimConst:
		if len(dm.Values) == 1 {
			return dm.Values[0]
		}
		if dm.Kind == trial.Int {
			return int(dm.Min)
		}
		return dm.Min
	case dimCat:
		return dm.Values[int(x)]
	}
	if d.log {
		x = math.Exp(x)
	}
	switch {
	case dm.Kind == trial.Int:
		step := max(1, dm.Step)
		k := math.Round((x - dm.Min) / step)
		return int(min(max(dm.Min+k*step, dm.Min), dm.Max))
	case dm.Step > 0:
		k := math.Round((x - dm.Min) / dm.Step)
		return clean(dm.Min+k*dm.Step, dm.Min, dm.Max)
	}
	return min(max(x, dm.Min), dm.Max)
}

// better reports whether observation a ranks above b: higher rung, then
// lower loss, then earlier.
func better(a, b *tpeObs) int {
	if c := cmp.Compare(b.rung, a.rung); c != 0 {
		return c
	}
	if c := cmp.Compare(a.loss, b.loss); c != 0 {
		return c
	}
	return cmp.Compare(a.number, b.number)
}

func (t *tpeSampler) obs(r tpeRef) *tpeObs { return &t.states[r.fam].obs[r.i] }

func (t *tpeSampler) Ask(n int) (trial.Trial, bool) {
	if n < 0 || len(t.fams) == 0 {
		return trial.Trial{}, false
	}
	if _, dup := t.byNumber[n]; dup {
		return trial.Trial{}, false
	}
	if len(t.byLoss) < t.nStartup {
		tr, ok := t.startup.Ask(n)
		if ok {
			t.addPending(n, tr.Model, tr.Params)
		}
		return tr, ok
	}
	rng := rand.New(rand.NewPCG(TrialSeed(t.seed, n), tpeStream))
	fi := 0
	if len(t.fams) > 1 {
		fi = t.sampleFamily(rng)
	}
	f, st := t.fams[fi], t.states[fi]
	p := make(trial.Params, len(f.axes))
	if len(st.byLoss) < t.nStartup {
		for _, a := range f.axes {
			p[a.dim.Name] = a.fromUnit(rng.Float64())
		}
	} else {
		t.split(st)
		t.sampleFamilyParams(rng, f, st, p)
	}
	t.addPending(n, f.model, p)
	return trial.Trial{Model: f.model, Params: p}, true
}

// sampleFamilyParams fills p with family f's parameters drawn from l and
// g, jointly or one by one. split must have run.
func (t *tpeSampler) sampleFamilyParams(rng *rand.Rand, f family, st *tpeFamily, p trial.Params) {
	if t.multivariate {
		for j, v := range t.sampleJoint(rng, f, st) {
			p[f.axes[j].dim.Name] = v
		}
		return
	}
	for j, a := range f.axes {
		d := st.dims[j]
		switch d.kind {
		case dimConst:
			p[a.dim.Name] = d.external(a, 0)
		case dimCat:
			p[a.dim.Name] = d.external(a, float64(t.sampleCategory(rng, st, j)))
		default:
			p[a.dim.Name] = t.sampleNumber(rng, st, j, a)
		}
	}
}

// addPending records an asked configuration as pending.
func (t *tpeSampler) addPending(n int, model string, p trial.Params) {
	fi := slices.IndexFunc(t.fams, func(f family) bool { return f.model == model })
	if fi < 0 {
		return
	}
	f, st := t.fams[fi], t.states[fi]
	o := tpeObs{number: n, x: make([]float64, len(f.axes))}
	for j, a := range f.axes {
		x, ok := st.dims[j].internal(a, p[a.dim.Name])
		if !ok {
			return // not a point of this space (a resumed study's old spec)
		}
		o.x[j] = x
	}
	i := int32(len(st.obs))
	st.obs = append(st.obs, o)
	ref := tpeRef{int32(fi), i}
	t.order = append(t.order, ref)
	t.byNumber[n] = ref
}

// Tell records a result. Under early stopping the same configuration is
// told once per rung; its highest rung counts.
func (t *tpeSampler) Tell(r trial.Result) {
	ref, ok := t.byNumber[r.Number]
	if !ok {
		// A result this sampler did not ask for (a resumed study):
		// learn from it all the same.
		t.addPending(r.Number, r.Model, r.Params)
		if ref, ok = t.byNumber[r.Number]; !ok {
			return
		}
	}
	o := t.obs(ref)
	st := t.states[ref.fam]
	if r.State == trial.Failed {
		if o.state == obsPending {
			o.state = obsFailed
		}
		return
	}
	if o.state == obsTold {
		if r.Budget.Rung < o.rung {
			return
		}
		t.byLoss = removeRef(t.byLoss, ref)
		st.byLoss = slices.DeleteFunc(st.byLoss, func(i int32) bool { return i == ref.i })
	}
	o.state, o.rung = obsTold, r.Budget.Rung
	o.loss = r.Score
	if t.dir == trial.Maximize {
		o.loss = -r.Score
	}
	at, _ := slices.BinarySearchFunc(t.byLoss, ref, func(e, target tpeRef) int { return better(t.obs(e), t.obs(target)) })
	t.byLoss = slices.Insert(t.byLoss, at, ref)
	at, _ = slices.BinarySearchFunc(st.byLoss, ref.i, func(e, target int32) int { return better(&st.obs[e], &st.obs[target]) })
	st.byLoss = slices.Insert(st.byLoss, at, ref.i)
}

func removeRef(s []tpeRef, r tpeRef) []tpeRef {
	return slices.DeleteFunc(s, func(e tpeRef) bool { return e == r })
}

// gamma is Optuna's default_gamma: the size of the below set.
func gamma(n int) int { return min((n+9)/10, tpeMaxBelow) }

// rampWeight is Optuna's default_weights for the r-th oldest of m
// observations: 1 for the newest 25, a linear ramp from 1/m for the rest.
func rampWeight(r, m int) float64 {
	if m < tpeMaxBelow || r >= m-tpeMaxBelow {
		return 1
	}
	k := m - tpeMaxBelow
	if k == 1 {
		return 1 / float64(m)
	}
	return 1/float64(m) + float64(r)*(1-1/float64(m))/float64(k-1)
}

// split chooses the family's observations of l and g into scratch: below,
// its gamma best told observations, and above, its TPEWindow most recent
// others that did not fail, both in observation order.
func (t *tpeSampler) split(st *tpeFamily) {
	sc := &t.scratch
	sc.below = append(sc.below[:0], st.byLoss[:gamma(len(st.byLoss))]...)
	slices.Sort(sc.below)
	sc.above = sc.above[:0]
	for i := len(st.obs) - 1; i >= 0 && len(sc.above) < TPEWindow; i-- {
		if st.obs[i].state == obsFailed {
			continue
		}
		if _, in := slices.BinarySearch(sc.below, int32(i)); in {
			continue
		}
		sc.above = append(sc.above, int32(i))
	}
	slices.Reverse(sc.above)
}

func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, 2*n)
	}
	return s[:n]
}

// sampleNumber draws numeric axis j from l, keeping the candidate with
// the best l/g.
func (t *tpeSampler) sampleNumber(rng *rand.Rand, st *tpeFamily, j int, a axis) any {
	sc := &t.scratch
	d := st.dims[j]
	t.estimators(st, j)
	bestScore, bestV := math.Inf(-1), any(nil)
	for range tpeCandidates {
		v := d.external(a, sc.l.sample(rng))
		x, _ := d.internal(a, v)
		if s := sc.l.logPDF(x) - sc.g.logPDF(x); s > bestScore || bestV == nil {
			bestScore, bestV = s, v
		}
	}
	return bestV
}

// estimators builds l and g of numeric axis j in scratch, from the split.
func (t *tpeSampler) estimators(st *tpeFamily, j int) {
	sc := &t.scratch
	d := st.dims[j]
	prior := (d.low + d.high) / 2
	build := func(mx *mixture, members []int32, ramp bool) {
		mx.reset(d.low, d.high, d.q)
		sc.byX = sc.byX[:0]
		for r, i := range members {
			w := 1.0
			if ramp {
				w = rampWeight(r, len(members))
			}
			sc.byX = append(sc.byX, tpePoint{x: st.obs[i].x[j], i: i, w: w})
		}
		slices.SortFunc(sc.byX, func(a, b tpePoint) int {
			if c := cmp.Compare(a.x, b.x); c != 0 {
				return c
			}
			return cmp.Compare(a.i, b.i)
		})
		sc.mus, sc.ws = sc.mus[:0], sc.ws[:0]
		priorAt := -1
		for _, p := range sc.byX {
			// The prior goes after observations equal to it, where
			// Optuna's argsort puts it (it is appended last): on a
			// lattice the order of ties changes their sigmas.
			if priorAt < 0 && p.x > prior {
				priorAt = len(sc.mus)
				sc.mus, sc.ws = append(sc.mus, prior), append(sc.ws, priorWeight)
			}
			sc.mus, sc.ws = append(sc.mus, p.x), append(sc.ws, p.w)
		}
		if priorAt < 0 {
			priorAt = len(sc.mus)
			sc.mus, sc.ws = append(sc.mus, prior), append(sc.ws, priorWeight)
		}
		mx.build(sc.mus, sc.ws, priorAt)
	}
	build(&sc.l, sc.below, false)
	build(&sc.g, sc.above, true)
}

// sampleCategory draws categorical axis j from l, keeping the candidate
// with the best l/g.
func (t *tpeSampler) sampleCategory(rng *rand.Rand, st *tpeFamily, j int) int {
	sc := &t.scratch
	k := st.dims[j].k
	sc.cats, sc.ws = sc.cats[:0], sc.ws[:0]
	for _, i := range sc.below {
		sc.cats, sc.ws = append(sc.cats, int(st.obs[i].x[j])), append(sc.ws, 1)
	}
	sc.cl.build(k, sc.cats, sc.ws)
	sc.cats, sc.ws = sc.cats[:0], sc.ws[:0]
	for r, i := range sc.above {
		sc.cats, sc.ws = append(sc.cats, int(st.obs[i].x[j])), append(sc.ws, rampWeight(r, len(sc.above)))
	}
	sc.cg.build(k, sc.cats, sc.ws)
	return bestCategory(rng, &sc.cl, &sc.cg)
}

func bestCategory(rng *rand.Rand, l, g *categorical) int {
	best, bestScore := -1, math.Inf(-1)
	for range tpeCandidates {
		c := l.sample(rng)
		if s := math.Log(l.p[c]) - math.Log(g.p[c]); best < 0 || s > bestScore {
			best, bestScore = c, s
		}
	}
	return best
}

// sampleFamily picks the model family as a categorical over every
// configuration: the study's gamma best told ones in l, its TPEWindow most
// recent others (not failed) in g.
func (t *tpeSampler) sampleFamily(rng *rand.Rand) int {
	sc := &t.scratch
	k := len(t.fams)
	best := t.byLoss[:gamma(len(t.byLoss))]
	sc.cats, sc.ws = sc.cats[:0], sc.ws[:0]
	for _, r := range best {
		sc.cats, sc.ws = append(sc.cats, int(r.fam)), append(sc.ws, 1)
	}
	sc.cl.build(k, sc.cats, sc.ws)
	sc.cats = sc.cats[:0]
	for i := len(t.order) - 1; i >= 0 && len(sc.cats) < TPEWindow; i-- {
		r := t.order[i]
		if t.obs(r).state == obsFailed || slices.Contains(best, r) {
			continue
		}
		sc.cats = append(sc.cats, int(r.fam))
	}
	slices.Reverse(sc.cats)
	sc.ws = sc.ws[:0]
	for rank := range sc.cats {
		sc.ws = append(sc.ws, rampWeight(rank, len(sc.cats)))
	}
	sc.cg.build(k, sc.cats, sc.ws)
	return bestCategory(rng, &sc.cl, &sc.cg)
}

// Replay records t, trial t.Number as a journal recorded its dispatch, as
// pending, leaving the sampler as Ask(t.Number) would have had it
// proposed t: an Ask's only lasting effect is the configuration it adds
// (its randomness is drawn afresh from the trial's seed, and the startup
// sampler's trial n depends on n alone). A resume replays the journal's
// dispatches this way at the cost of a map insert each, where asking
// again would cost a whole Ask each (scheduler.Replayer).
func (t *tpeSampler) Replay(tr trial.Trial) {
	if _, dup := t.byNumber[tr.Number]; dup || tr.Number < 0 {
		return
	}
	t.addPending(tr.Number, tr.Model, tr.Params)
}
