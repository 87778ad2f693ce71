package studycharts

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// Study is what the charts are computed from: a study read back, and
// what it cost (cost.Breakdown's TotalUSD and WallSeconds, which the
// caller prices).
type Study struct {
	Dir  string
	Spec *search.Spec
	// Trials are the study's trials, gathered from its journal; when nil,
	// they are gathered from Events, the journal read whole.
	Trials      *Trials
	Events      []results.Event
	Warnings    []string
	CostUSD     float64
	WallSeconds float64
}

// trials returns st.Trials, or gathers them from st.Events.
func (st *Study) trials() *Trials {
	if st.Trials != nil {
		return st.Trials
	}
	return TrialsOf(st.Events, st.Spec.Direction)
}

// MaxPoints bounds the points of one chart series: a study with more
// trials is downsampled on the server (every improvement of the best
// score is always kept).
const MaxPoints = 2000

// Counts counts a study's trials by state, with the keys of `hpsearch run
// --json` (plus running).
type Counts struct {
	Complete int `json:"complete"`
	Pruned   int `json:"pruned"`
	Failed   int `json:"failed"`
	Running  int `json:"running"`
}

// Best is a study's best complete trial, with the keys of `hpsearch run
// --json`.
type Best struct {
	Trial  int          `json:"trial"`
	Model  string       `json:"model"`
	Params trial.Params `json:"params"`
	Score  float64      `json:"score"`
}

// StudySummary is one element of GET /api/studies.
type StudySummary struct {
	// ID names the study in the dashboard's URLs.
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Dir       string          `json:"dir"`
	Metric    string          `json:"metric"`
	Direction trial.Direction `json:"direction"`
	Best      *Best           `json:"best"`
	Trials    Counts          `json:"trials"`
	// State is "running" while trials are in flight and the study has
	// not stopped, "stopped" (with StopReason) or "finished" otherwise.
	State       string  `json:"state"`
	StopReason  string  `json:"stop_reason,omitempty"`
	CostUSD     float64 `json:"cost_usd"`
	WallSeconds float64 `json:"wall_seconds"`
	// Error says why the study could not be read, if it could not.
	Error string `json:"error,omitempty"`
}

// Summarize computes the summary of a loaded study; id names it in the
// dashboard's URLs.
func Summarize(id string, st *Study) StudySummary {
	return summarize(id, st, st.trials())
}

func summarize(id string, st *Study, t *Trials) StudySummary {
	s := t.Summary()
	out := StudySummary{ID: id, Name: st.Spec.Name, Dir: st.Dir, Metric: st.Spec.Metric, Direction: st.Spec.Direction,
		Trials: Counts{Complete: s.Complete, Pruned: s.Pruned, Failed: s.Failed, Running: s.Running}, StopReason: s.StopReason}
	if s.Best != nil {
		out.Best = &Best{Trial: s.Best.Number, Model: s.Best.Model, Params: s.Best.Params, Score: jsonFloat(s.Best.Score)}
	}
	switch {
	case s.StopReason != "":
		out.State = "stopped"
	case s.Running > 0 || s.Dispatched == 0:
		out.State = "running"
	default:
		out.State = "finished"
	}
	out.CostUSD, out.WallSeconds = st.CostUSD, st.WallSeconds
	return out
}

// Param describes one parameter axis of the charts.
type Param struct {
	Name string `json:"name"`
	// Kind is "number" or "category".
	Kind string `json:"kind"`
	// Log is set for a positive numeric parameter spanning more than two
	// decades: its axes are logarithmic.
	Log        bool     `json:"log,omitempty"`
	Categories []string `json:"categories,omitempty"`
}

// Point is one trial in the charts' sample.
type Point struct {
	Number int     `json:"n"`
	State  string  `json:"state"`
	Model  string  `json:"model"`
	Score  float64 `json:"score"`
	// T is seconds since the study's first event at which the trial
	// finished.
	T float64 `json:"t"`
	// Values holds the trial's parameters in the order of Charts.Params:
	// numbers as numbers, categories as their index; nil where the trial
	// has no such parameter.
	Values []*float64 `json:"v"`
}

// BestStep is an improvement of the best score.
type BestStep struct {
	Number int     `json:"n"`
	T      float64 `json:"t"`
	Score  float64 `json:"score"`
}

// Curve is one configuration's intermediate values: its rungs under early
// stopping, or the steps a command objective reported.
type Curve struct {
	Number int          `json:"n"`
	Pruned bool         `json:"pruned"`
	Points [][2]float64 `json:"points"`
}

// Box is a five-number summary of one model family's complete scores.
type Box struct {
	Model  string     `json:"model"`
	Count  int        `json:"count"`
	Values [5]float64 `json:"values"` // min, q1, median, q3, max
}

// Importance is one parameter's share of the score's variance.
type Importance struct {
	Param string  `json:"param"`
	Share float64 `json:"share"`
}

// Span is one trial on the timeline: its lane and start and end in
// seconds since the study's first event. A trial whose result names the
// Lambda execution environment that ran it (trial.Result.Worker) is on
// that environment's lane, and Worker says which; the others are packed
// greedily on lanes after those, so that no two trials of one lane
// overlap, which shows the concurrency.
type Span struct {
	Number int     `json:"n"`
	Lane   int     `json:"lane"`
	Worker string  `json:"worker,omitempty"`
	Start  float64 `json:"start"`
	End    float64 `json:"end"`
	State  string  `json:"state"`
	Cold   bool    `json:"cold,omitempty"`
}

// CostPoint is the study's cumulative cost when a trial finished.
type CostPoint struct {
	T   float64 `json:"t"`
	USD float64 `json:"usd"`
}

// Charts is the dashboard's GET /api/studies/{id}: a study's summary and everything its
// charts draw, downsampled to at most MaxPoints points a series.
type Charts struct {
	Summary StudySummary `json:"summary"`
	// Sampled says how many of Total final trials the points show.
	Sampled    int          `json:"sampled"`
	Total      int          `json:"total"`
	Params     []Param      `json:"params"`
	Points     []Point      `json:"points"`
	BestSteps  []BestStep   `json:"best_steps"`
	Curves     []Curve      `json:"curves"`
	BudgetName string       `json:"budget_name,omitempty"`
	Families   []Box        `json:"families"`
	Importance []Importance `json:"importance"`
	// Timeline holds the spans of the drawn lanes: Lanes of the study's
	// LanesTotal (at most MaxLanes; see timeline).
	Timeline   []Span `json:"timeline"`
	Lanes      int    `json:"lanes"`
	LanesTotal int    `json:"lanes_total"`
	// EnvLanes counts the timeline's first lanes that are Lambda
	// execution environments, one each; the lanes after them are packed.
	// EnvLanesTotal counts the study's environments.
	EnvLanes      int `json:"env_lanes"`
	EnvLanesTotal int `json:"env_lanes_total"`
	// Concurrency is how many trials ran over time, all of them counted;
	// ConcurrencyPeak the most at once. TimelineBy says which lanes the
	// timeline shows.
	Concurrency     []ConcurrencyPoint `json:"concurrency"`
	ConcurrencyPeak int                `json:"concurrency_peak"`
	TimelineBy      string             `json:"timeline_by"`
	Cost            []CostPoint        `json:"cost"`
	Warnings        []string           `json:"warnings,omitempty"`
	ImportanceBy    string             `json:"importance_by"`
	// ForestImportance is each parameter's permutation importance under
	// a random forest fitted on the trials; ForestImportanceBy says how.
	ForestImportance   []Importance `json:"forest_importance"`
	ForestImportanceBy string       `json:"forest_importance_by"`
	// Contours are the contour plots of the pairs of the three most
	// important numeric parameters (by the forest), most important pair
	// first; Contour computes any other pair.
	Contours []Contour `json:"contours"`

	// surface is the forest the contours are predicted by.
	surface *surface
}

// jsonFloat maps NaN and infinities, which JSON cannot carry, to zero.
func jsonFloat(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// finals returns the last final result of each trial number of a
// journal read whole, in number order, with its StateOf state.
func finals(events []results.Event) []final {
	return finalsOf(TrialsOf(events, trial.Maximize))
}

// final is a trial's final result as the charts read it: the fields they
// draw, its State its results.StateOf, and its parameters looked up in
// its Trials (param) rather than copied, so that a chart build of a
// 100,000-trial study does not make 100,000 parameter maps.
type final struct {
	Number            int
	State             trial.State
	Model             string
	Score, Seconds    float64
	Started, Finished time.Time
	Worker            string
	Backend           map[string]float64
	t                 *Trials
	row               int
}

// param returns the trial's parameter name, nil when it has none.
func (r *final) param(name string) any {
	v, _ := r.t.Param(r.row, name)
	return v
}

// params yields the trial's parameters, in no order.
func (r *final) params() iter.Seq2[string, any] { return r.t.paramsOf(r.row) }

// finalsOf returns t's finals (Trials.Finals) as the charts read them.
func finalsOf(t *Trials) []final {
	idx := t.finalRows()
	out := make([]final, len(idx))
	for k, i := range idx {
		r := t.RowFields(int(i))
		out[k] = final{Number: r.Number, State: results.StateOf(r), Model: r.Model, Score: r.Score, Seconds: r.Seconds,
			Started: r.Started, Finished: r.Finished, Worker: r.Worker, Backend: r.Backend, t: t, row: int(i)}
	}
	return out
}

// sample returns at most n indexes of xs, evenly spread, in order, plus
// the indexes keep says to keep.
func sample(count, n int, keep func(i int) bool) []int {
	var idx []int
	stride := 1.0
	if count > n {
		stride = float64(count) / float64(n)
	}
	next := 0.0
	for i := 0; i < count; i++ {
		if float64(i) >= next {
			idx = append(idx, i)
			next += stride
		} else if keep != nil && keep(i) {
			idx = append(idx, i)
		}
	}
	return idx
}

// Build computes the charts of a loaded study; id names it in the
// dashboard's URLs.
func Build(id string, st *Study) Charts {
	t := st.trials()
	c := Charts{Summary: summarize(id, st, t), Warnings: st.Warnings}
	start, _ := t.Span()
	rs := finalsOf(t)
	c.Total = len(rs)
	c.Params = paramsOf(rs, st.Spec)
	dir := st.Spec.Direction

	// Improvements of the best complete score, in trial number order.
	improved := map[int]bool{}
	var best *final
	for i := range rs {
		r := &rs[i]
		if r.State != trial.Complete || math.IsNaN(r.Score) {
			continue
		}
		if best == nil || dir.Better(r.Score, best.Score) {
			best = r
			improved[i] = true
			c.BestSteps = append(c.BestSteps, BestStep{Number: r.Number, T: since(start, r.Finished), Score: r.Score})
		}
	}
	for _, i := range sample(len(rs), MaxPoints, func(i int) bool { return improved[i] }) {
		r := rs[i]
		p := Point{Number: r.Number, State: string(r.State), Model: r.Model, Score: jsonFloat(r.Score), T: since(start, r.Finished)}
		p.Values = make([]*float64, len(c.Params))
		for k, prm := range c.Params {
			p.Values[k] = paramValue(prm, r.param(prm.Name))
		}
		c.Points = append(c.Points, p)
	}
	c.Sampled = len(c.Points)
	c.Curves, c.BudgetName = curves(st, t)
	c.Families = families(rs)
	c.Importance, c.ImportanceBy = importance(c.Params, rs)
	var err error
	if c.ForestImportance, c.ForestImportanceBy, c.surface, err = forestImportance(c.Params, rs, dir); err != nil {
		c.Warnings = append(slices.Clip(c.Warnings), err.Error())
	}
	c.Contours = contours(c.surface, c.Params, c.ForestImportance)
	tl := timeline(rs, start)
	c.Timeline, c.Lanes, c.EnvLanes, c.LanesTotal, c.EnvLanesTotal = tl.spans, tl.lanes, tl.envLanes, tl.allLanes, tl.allEnvs
	c.Concurrency, c.ConcurrencyPeak, c.TimelineBy = tl.concurrency, tl.peak, tl.method
	c.Cost = costOverTime(rs, start, c.Summary.CostUSD)
	return c
}

func since(start, t time.Time) float64 {
	if t.IsZero() || start.IsZero() {
		return 0
	}
	return t.Sub(start).Seconds()
}

// paramsOf lists the parameters of any trial, sorted by name. A numeric
// parameter is on a log axis when the spec declares it log (and every
// value is positive); one the spec does not declare (a command
// objective's, say) when it is positive and spans more than two decades.
func paramsOf(rs []final, spec *search.Spec) []Param {
	declared := map[string]bool{}
	logScale := map[string]bool{}
	if spec != nil {
		for _, m := range spec.Models {
			for _, d := range m.Params {
				declared[d.Name] = true
				logScale[d.Name] = logScale[d.Name] || d.Log
			}
		}
	}
	type acc struct {
		numeric  bool
		min, max float64
		cats     map[string]bool
	}
	accs := map[string]*acc{}
	for _, r := range rs {
		for name, v := range r.params() {
			a := accs[name]
			if a == nil {
				a = &acc{numeric: true, min: math.Inf(1), max: math.Inf(-1), cats: map[string]bool{}}
				accs[name] = a
			}
			if f, ok := trial.Number(v); ok && a.numeric {
				a.min, a.max = math.Min(a.min, f), math.Max(a.max, f)
			} else {
				a.numeric = false
			}
		}
	}
	var ps []Param
	for name, a := range accs {
		p := Param{Name: name, Kind: "number"}
		if !a.numeric {
			// A second pass for categories only: formatting every number
			// of a 100,000-trial study cost a tenth of its report.
			for _, r := range rs {
				if v, ok := r.t.Param(r.row, name); ok {
					a.cats[trial.FormatValue(v)] = true
				}
			}
			p.Kind = "category"
			for c := range a.cats {
				p.Categories = append(p.Categories, c)
			}
			slices.Sort(p.Categories)
		} else if a.min > 0 && (logScale[name] || !declared[name] && a.max/a.min > 100) {
			p.Log = true
		}
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b Param) int { return cmp.Compare(a.Name, b.Name) })
	return ps
}

// paramValue is v on p's axis: a category's index, or the number.
func paramValue(p Param, v any) *float64 {
	if v == nil {
		return nil
	}
	var f float64
	if p.Kind == "category" {
		i, ok := slices.BinarySearch(p.Categories, trial.FormatValue(v))
		if !ok {
			return nil
		}
		f = float64(i)
	} else {
		n, ok := trial.Number(v)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil
		}
		f = n
	}
	return &f
}

// curves returns each configuration's intermediate values: rungs (budget
// value, score) under early stopping, otherwise the steps command
// objectives reported; at most 300 curves, the best-scoring and a spread
// of the others.
func curves(st *Study, t *Trials) ([]Curve, string) {
	byConfig := map[int]*Curve{}
	var order []int
	budget := ""
	if st.Spec.EarlyStopping != nil {
		budget = st.Spec.EarlyStopping.Budget
	}
	for r := range t.resultFields() {
		// A result without a budget or steps draws no curve: no map entry
		// for it (a 100,000-trial study without them would make 100,000).
		if !r.State.Final() || r.State == trial.Failed || math.IsNaN(r.Score) || r.Budget.Name == "" && len(r.Steps) == 0 {
			continue
		}
		key := r.Number
		if r.Budget.Name != "" {
			key = r.Budget.Config
		}
		cv := byConfig[key]
		if cv == nil {
			cv = &Curve{Number: key}
			byConfig[key] = cv
			order = append(order, key)
		}
		switch {
		case r.Budget.Name != "":
			cv.Points = append(cv.Points, [2]float64{r.Budget.Value, r.Score})
			cv.Pruned = results.StateOf(r) == trial.Pruned
		case len(r.Steps) > 0:
			cv.Points = cv.Points[:0]
			for _, s := range r.Steps {
				if !math.IsNaN(s.Value) && !math.IsInf(s.Value, 0) {
					cv.Points = append(cv.Points, [2]float64{float64(s.Step), s.Value})
				}
			}
			cv.Pruned = r.State == trial.Pruned
			if budget == "" {
				budget = "step"
			}
		}
	}
	var out []Curve
	for _, k := range order {
		if cv := byConfig[k]; len(cv.Points) > 0 {
			out = append(out, *cv)
		}
	}
	const maxCurves = 300
	if len(out) > maxCurves {
		idx := sample(len(out), maxCurves, nil)
		kept := make([]Curve, 0, len(idx))
		for _, i := range idx {
			kept = append(kept, out[i])
		}
		out = kept
	}
	return out, budget
}

// families summarises each model family's complete scores.
func families(rs []final) []Box {
	by := map[string][]float64{}
	for _, r := range rs {
		if r.State == trial.Complete && !math.IsNaN(r.Score) && !math.IsInf(r.Score, 0) {
			by[r.Model] = append(by[r.Model], r.Score)
		}
	}
	var out []Box
	for m, xs := range by {
		slices.Sort(xs)
		q := func(p float64) float64 {
			pos := p * float64(len(xs)-1)
			lo := int(math.Floor(pos))
			hi := min(lo+1, len(xs)-1)
			return xs[lo] + (xs[hi]-xs[lo])*(pos-float64(lo))
		}
		out = append(out, Box{Model: m, Count: len(xs), Values: [5]float64{xs[0], q(0.25), q(0.5), q(0.75), xs[len(xs)-1]}})
	}
	slices.SortFunc(out, func(a, b Box) int { return cmp.Compare(a.Model, b.Model) })
	return out
}

// costOverTime spreads the study's cost over its trials in proportion to
// each trial's duration (billed where Lambda reported it), cumulated in
// the order they finished.
func costOverTime(rs []final, start time.Time, total float64) []CostPoint {
	type fin struct{ t, w float64 }
	fs := make([]fin, 0, len(rs))
	sum := 0.0
	for _, r := range rs {
		w := r.Seconds
		if ms, ok := r.Backend["billed_ms"]; ok {
			w = ms / 1000
		}
		fs = append(fs, fin{since(start, r.Finished), w})
		sum += w
	}
	if sum == 0 || len(fs) == 0 {
		return nil
	}
	slices.SortFunc(fs, func(a, b fin) int { return cmp.Compare(a.t, b.t) })
	var out []CostPoint
	acc := 0.0
	idx := sample(len(fs), MaxPoints, func(i int) bool { return i == len(fs)-1 })
	j := 0
	for i, f := range fs {
		acc += f.w / sum * total
		if j < len(idx) && idx[j] == i {
			out = append(out, CostPoint{T: f.t, USD: acc})
			j++
		}
	}
	return out
}
