package search

import (
	"cmp"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// halving runs configurations at increasing budgets (rungs) and decides
// which continue, for early_stopping types asha, hyperband and median. It
// wraps the base sampler (random, sobol or tpe), which proposes new
// configurations: every trial is either a new configuration at its first
// rung or a promotion of an earlier one to the next rung, with the same
// Model and Params and trial.Budget saying which rung and configuration.
//
// asha (Li et al., "A System for Massively Parallel Hyperparameter
// Tuning", MLSys 2020) promotes a configuration from rung k once it is in
// the top floor(n/eta) of the n results completed at rung k; when asked
// for a trial it promotes the best such configuration of the highest rung
// that has one, and otherwise starts a new configuration at rung 0. No
// rung ever waits for results still running.
//
// hyperband runs one such ASHA per bracket; bracket b starts its
// configurations at rung b, and new configurations go to the brackets in
// turn (round robin). Promotions are looked for in every bracket, highest
// target rung first, then lowest bracket.
//
// median continues a configuration to rung k+1 when its rung-k score is at
// least as good as the median of the rung-k scores told so far (itself
// included). The decision is made when the result is told; continuations
// are started first-come first-served before any new configuration.
//
// Every decision is a function of the order results are told in, so the
// same seed and the same tell order give the same trials. The base sampler
// sees configurations numbered 0, 1, 2, ... (not trial numbers), and is
// told every result with Number set to its configuration's number, so a
// learning sampler sees a promotion as a better-informed observation of
// the same configuration (TPE ranks it by rung first).
type halving struct {
	base     Sampler
	kind     string
	name     string
	budgets  []float64 // per rung
	eta      int
	dir      trial.Direction
	brackets int

	configs []config    // by configuration number
	byTrial map[int]int // trial number → configuration number
	// rungs[b][k] holds the results at rung k of bracket b, best first.
	rungs [][][]rungResult
	queue []int // median: configurations to continue, in tell order
	asked int   // new configurations started, for round robin
}

var _ Sampler = (*halving)(nil)

// config is one configuration under early stopping.
type config struct {
	trial   int // number of its first trial
	model   string
	params  trial.Params
	bracket int
	rung    int // highest rung dispatched
}

// rungResult is a configuration's score at one rung.
type rungResult struct {
	config   int
	score    float64
	promoted bool
}

func newHalving(s *Spec, base Sampler) *halving {
	es := s.EarlyStopping
	h := &halving{base: base, kind: es.Type, name: es.Budget, budgets: es.Rungs, eta: max(es.Eta, 2),
		dir: s.Direction, brackets: 1, byTrial: map[int]int{}}
	if h.kind == "hyperband" {
		h.brackets = len(h.budgets)
		if es.Brackets > 0 {
			h.brackets = es.Brackets
		}
	}
	h.rungs = make([][][]rungResult, h.brackets)
	for b := range h.rungs {
		h.rungs[b] = make([][]rungResult, len(h.budgets))
	}
	return h
}

func (h *halving) Ask(n int) (trial.Trial, bool) {
	if n < 0 {
		return trial.Trial{}, false
	}
	if c, ok := h.promotion(); ok {
		cf := &h.configs[c]
		cf.rung++
		h.byTrial[n] = c
		return trial.Trial{Model: cf.model, Params: cf.params.Clone(), Budget: h.budget(cf.rung, cf.trial)}, true
	}
	c := len(h.configs)
	t, ok := h.base.Ask(c)
	if !ok {
		return trial.Trial{}, false
	}
	b := h.asked % h.brackets
	h.asked++
	h.configs = append(h.configs, config{trial: n, model: t.Model, params: t.Params.Clone(), bracket: b, rung: b})
	h.byTrial[n] = c
	t.Budget = h.budget(b, n)
	return t, true
}

func (h *halving) budget(rung, first int) trial.Budget {
	return trial.Budget{Name: h.name, Value: h.budgets[rung], Rung: rung, Config: first, Max: h.budgets[len(h.budgets)-1]}
}

// promotion picks the configuration to run at its next rung, if any.
func (h *halving) promotion() (int, bool) {
	if h.kind == "median" {
		if len(h.queue) == 0 {
			return 0, false
		}
		c := h.queue[0]
		h.queue = h.queue[1:]
		return c, true
	}
	top := len(h.budgets) - 1
	for k := top - 1; k >= 0; k-- { // highest target rung first
		for b := range h.brackets {
			rs := h.rungs[b][k]
			for i := range len(rs) / h.eta {
				if !rs[i].promoted {
					rs[i].promoted = true
					return rs[i].config, true
				}
			}
		}
	}
	return 0, false
}

func (h *halving) Tell(r trial.Result) {
	c, ok := h.byTrial[r.Number]
	if !ok {
		return // not asked of this sampler
	}
	delete(h.byTrial, r.Number)
	cf := &h.configs[c]
	told := r
	told.Number = c
	h.base.Tell(told)
	if r.State == trial.Failed || r.Budget.Rung != cf.rung || cf.rung >= len(h.budgets)-1 {
		return // a failed configuration stops; the top rung promotes no further
	}
	k := cf.rung
	rs := h.rungs[cf.bracket][k]
	i, _ := slices.BinarySearchFunc(rs, rungResult{config: c, score: r.Score}, h.compare)
	rs = slices.Insert(rs, i, rungResult{config: c, score: r.Score})
	h.rungs[cf.bracket][k] = rs
	if h.kind == "median" && h.atLeastMedian(r.Score, rs) {
		rs[i].promoted = true
		h.queue = append(h.queue, c)
	}
}

// compare orders rung results best first, ties by configuration number.
func (h *halving) compare(a, b rungResult) int {
	switch {
	case h.dir.Better(a.score, b.score):
		return -1
	case h.dir.Better(b.score, a.score):
		return 1
	}
	return cmp.Compare(a.config, b.config)
}

// atLeastMedian reports whether score is at least as good as the median
// of rs (sorted best first).
func (h *halving) atLeastMedian(score float64, rs []rungResult) bool {
	n := len(rs)
	med := rs[n/2].score
	if n%2 == 0 {
		med = (rs[n/2-1].score + rs[n/2].score) / 2
	}
	return !h.dir.Better(med, score)
}
