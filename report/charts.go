package report

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/hpsearch/hpsearch/internal/studycharts"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// TopTrials is how many of the best trials the parallel-coordinates
// chart draws.
const TopTrials = 20

// Chart is one plot of a report. Name is its file stem for PNG output.
type Chart struct {
	Name  string
	Title string
	Plot  *plot.Plot
	// Width and Height are its size when rendered.
	Width, Height vg.Length
}

// chartSet is a report's charts, by section; a nil or empty entry means
// the study has nothing to show there.
type chartSet struct {
	progress []Chart // best over trial number, over time
	params   []Chart // score against each varied parameter
	parallel *Chart
	rungs    *Chart
}

func (c chartSet) all() []Chart {
	out := slices.Clone(c.progress)
	if c.parallel != nil {
		out = append(out, *c.parallel)
	}
	if c.rungs != nil {
		out = append(out, *c.rungs)
	}
	return append(out, c.params...)
}

var (
	colorTrial = color.RGBA{R: 150, G: 150, B: 150, A: 255}
	colorBest  = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colorAxis  = color.RGBA{R: 190, G: 190, B: 190, A: 255}
)

// buildCharts draws every chart the study has data for.
func buildCharts(s *Study) (chartSet, error) {
	var cs chartSet
	t := s.Trials()
	// Every final result is looked at without its parameters, and only
	// those drawn (about MaxDrawn) are built whole: a parameter map each
	// of a 100,000-trial study's results weighs about 60 MB.
	rows := t.FinalRows()
	allComplete := make([]final, 0, len(rows))
	for _, i := range rows {
		// Intermediate rungs of early stopping count as pruned.
		if r := t.RowFields(i); results.StateOf(r) == trial.Complete && finite(r.Score) {
			allComplete = append(allComplete, finalOf(i, r))
		}
	}
	if len(allComplete) == 0 {
		return cs, nil
	}
	metric := cmp.Or(s.Spec.Metric, "score")
	complete := drawn(t, allComplete, s.Spec.Direction)
	allComplete = nil
	if len(rows) > MaxDrawn {
		rows = spread(rows, MaxDrawn)
	}
	byTrial, err := bestOverTrials(complete, s.Spec.Direction, metric)
	if err != nil {
		return cs, err
	}
	byTime, err := bestOverTime(s, complete, metric)
	if err != nil {
		return cs, err
	}
	cs.progress = []Chart{byTrial, byTime}
	if c, err := familyChart(complete, metric); err != nil {
		return cs, err
	} else if c != nil {
		cs.progress = append(cs.progress, *c)
	}
	// Scores against each parameter show every scored trial: under early
	// stopping most end pruned below the full budget (they were 5 of 150
	// in an ASHA example when only complete ones were drawn).
	rs := make([]trial.Result, len(rows)) // without their parameters
	scoredAll := make([]final, 0, len(rows))
	for k, i := range rows {
		rs[k] = t.RowFields(i)
		if r := rs[k]; r.State != trial.Failed && finite(r.Score) {
			scoredAll = append(scoredAll, finalOf(i, r))
		}
	}
	scored := drawn(t, scoredAll, s.Spec.Direction)
	axes := paramAxes(s.Spec, complete)
	for _, a := range axes {
		c, err := scoreAgainst(a, scored, metric)
		if err != nil {
			return cs, err
		}
		cs.params = append(cs.params, c)
	}
	if c, err := parallelCoordinates(s, axes, complete, metric); err != nil {
		return cs, err
	} else if c != nil {
		cs.parallel = c
	}
	if c, err := rungs(rs, metric); err != nil {
		return cs, err
	} else if c != nil {
		cs.rungs = c
	}
	return cs, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// final is what the charts look at of each final result to choose
// those they draw: its row in the study's Trials (which gives the drawn
// ones whole, parameters and all), its number, score and finish time.
type final struct {
	row      int
	number   int
	score    float64
	finished time.Time
}

func finalOf(row int, r trial.Result) final {
	return final{row: row, number: r.Number, score: r.Score, finished: r.Finished}
}

// MaxDrawn bounds the trials a chart draws (the SVGs of a 100,000-trial
// study would weigh 40 MB): past it, charts draw an even spread of the
// trials plus every trial that improved the best score, by number or by
// time, and the TopTrials best.
const MaxDrawn = 2000

// drawn returns the results, built whole from t, of the trials the
// charts draw of fs (complete ones, or every scored one), in number
// order.
func drawn(t *studycharts.Trials, fs []final, dir trial.Direction) []trial.Result {
	whole := func(fs []final) []trial.Result {
		out := make([]trial.Result, len(fs))
		for k, f := range fs {
			out[k] = t.Row(f.row)
		}
		return out
	}
	if len(fs) <= MaxDrawn {
		return whole(fs)
	}
	keep := map[int]bool{}
	improvements := func(fs []final) {
		for i, best := 0, -1; i < len(fs); i++ {
			if best < 0 || dir.Better(fs[i].score, fs[best].score) {
				best = i
				keep[fs[i].number] = true
			}
		}
	}
	improvements(fs)
	byTime := slices.Clone(fs)
	slices.SortStableFunc(byTime, func(a, b final) int { return a.finished.Compare(b.finished) })
	improvements(byTime)
	slices.SortStableFunc(byTime, func(a, b final) int {
		switch {
		case dir.Better(a.score, b.score):
			return -1
		case dir.Better(b.score, a.score):
			return 1
		}
		return a.number - b.number
	})
	for _, f := range byTime[:TopTrials] {
		keep[f.number] = true
	}
	for _, f := range spread(fs, MaxDrawn) {
		keep[f.number] = true
	}
	var kept []final
	for _, f := range fs {
		if keep[f.number] {
			kept = append(kept, f)
		}
	}
	return whole(kept)
}

// spread returns n of rs, evenly spaced, in order.
func spread[T any](rs []T, n int) []T {
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, rs[i*len(rs)/n])
	}
	return out
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	// Sans-serif, as the page around the charts.
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Variant = "Sans"
	}
	return p
}

// progressPlot draws every trial's score at x, with the best so far as a
// step line.
func progressPlot(name, title, xLabel, metric string, xs []float64, scores []float64, dir trial.Direction) (Chart, error) {
	p := newPlot(title, xLabel, metric)
	pts := make(plotter.XYs, len(xs))
	best := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: scores[i]}
		b := scores[i]
		if i > 0 && !dir.Better(b, best[i-1].Y) {
			b = best[i-1].Y
		}
		best[i] = plotter.XY{X: xs[i], Y: b}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return Chart{}, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: colorTrial, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	line, err := plotter.NewLine(best)
	if err != nil {
		return Chart{}, err
	}
	line.StepStyle = plotter.PostStep
	line.LineStyle.Color = colorBest
	line.LineStyle.Width = vg.Points(1.5)
	p.Add(sc, line)
	p.Legend.Add("trial", sc)
	p.Legend.Add("best so far", line)
	// The legend sits in a band above the data, never on it.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range scores {
		lo, hi = min(lo, y), max(hi, y)
	}
	if span := hi - lo; span > 0 {
		p.Y.Min, p.Y.Max = lo-0.05*span, hi+0.3*span
	}
	p.Legend.Top = true
	if name == "best-over-trials" {
		p.X.Tick.Marker = intTicks{}
	}
	return Chart{Name: name, Title: title, Plot: p, Width: 6 * vg.Inch, Height: 3.5 * vg.Inch}, nil
}

func bestOverTrials(complete []trial.Result, dir trial.Direction, metric string) (Chart, error) {
	xs := make([]float64, len(complete))
	ys := make([]float64, len(complete))
	for i, r := range complete {
		xs[i], ys[i] = float64(r.Number), r.Score
	}
	return progressPlot("best-over-trials", "Best "+metric+" by trial number", "trial", metric, xs, ys, dir)
}

func bestOverTime(s *Study, complete []trial.Result, metric string) (Chart, error) {
	start, _ := s.span()
	rs := slices.Clone(complete)
	slices.SortStableFunc(rs, func(a, b trial.Result) int { return a.Finished.Compare(b.Finished) })
	xs := make([]float64, len(rs))
	ys := make([]float64, len(rs))
	for i, r := range rs {
		if !r.Finished.IsZero() && !start.IsZero() {
			xs[i] = r.Finished.Sub(start).Seconds()
		}
		ys[i] = r.Score
	}
	return progressPlot("best-over-time", "Best "+metric+" over time", "seconds since the study started", metric, xs, ys, s.Spec.Direction)
}

// axis is one parameter as the charts show it: numeric (on a log scale
// when the spec says so and every value is positive) or categorical.
type axis struct {
	name       string
	log        bool
	categories []string // sorted; nil for a numeric axis
	min, max   float64  // of the numeric values
}

// value returns r's value on the axis, and false when r lacks the
// parameter or it does not fit the axis.
func (a axis) value(r trial.Result) (float64, bool) {
	if a.name == "model" && a.categories != nil {
		return float64(slices.Index(a.categories, r.Model)), true
	}
	v, ok := r.Params[a.name]
	if !ok {
		return 0, false
	}
	if a.categories != nil {
		i := slices.Index(a.categories, trial.FormatValue(v))
		return float64(i), i >= 0
	}
	f, ok := number(v)
	return f, ok
}

// normalized maps r's value to [0, 1] along the axis.
func (a axis) normalized(r trial.Result) (float64, bool) {
	v, ok := a.value(r)
	if !ok {
		return 0, false
	}
	if a.categories != nil {
		if len(a.categories) == 1 {
			return 0.5, true
		}
		return v / float64(len(a.categories)-1), true
	}
	lo, hi := a.min, a.max
	if a.log {
		v, lo, hi = math.Log(v), math.Log(lo), math.Log(hi)
	}
	if hi == lo {
		return 0.5, true
	}
	return (v - lo) / (hi - lo), true
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// paramAxes returns an axis for every parameter that takes more than one
// value among the complete trials, in name order, with "model" first
// when the study searched several models.
func paramAxes(spec *search.Spec, complete []trial.Result) []axis {
	logs := map[string]bool{}
	for _, m := range spec.Models {
		for _, d := range m.Params {
			logs[d.Name] = logs[d.Name] || d.Log
		}
	}
	values := map[string][]any{}
	models := map[string]bool{}
	for _, r := range complete {
		models[r.Model] = true
		for k, v := range r.Params {
			values[k] = append(values[k], v)
		}
	}
	var axes []axis
	if len(models) > 1 {
		names := make([]string, 0, len(models))
		for m := range models {
			names = append(names, m)
		}
		slices.Sort(names)
		axes = append(axes, axis{name: "model", categories: names})
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		a := axis{name: name, min: math.Inf(1), max: math.Inf(-1)}
		distinct := map[string]bool{}
		numeric := true
		for _, v := range values[name] {
			distinct[trial.FormatValue(v)] = true
			if f, ok := number(v); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
				a.min, a.max = min(a.min, f), max(a.max, f)
			} else {
				numeric = false
			}
		}
		if len(distinct) < 2 {
			continue // a constant: nothing to see
		}
		if !numeric {
			for v := range distinct {
				a.categories = append(a.categories, v)
			}
			slices.Sort(a.categories)
		}
		a.log = numeric && logs[name] && a.min > 0
		axes = append(axes, a)
	}
	return axes
}

// scoreAgainst plots the score of every complete trial against one
// parameter.
func scoreAgainst(a axis, complete []trial.Result, metric string) (Chart, error) {
	title := metric + " against " + a.name
	p := newPlot(title, a.name, metric)
	var pts plotter.XYs
	for _, r := range complete {
		if x, ok := a.value(r); ok {
			pts = append(pts, plotter.XY{X: x, Y: r.Score})
		}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return Chart{}, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: colorBest, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
	p.Add(sc)
	switch {
	case a.categories != nil:
		ticks := make([]plot.Tick, len(a.categories))
		for i, c := range a.categories {
			ticks[i] = plot.Tick{Value: float64(i), Label: c}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.5, float64(len(a.categories))-0.5
	case a.log:
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		p.X.Label.Text = a.name + " (log scale)"
	}
	return Chart{Name: "param-" + fileSafe(a.name), Title: title, Plot: p, Width: 4.5 * vg.Inch, Height: 3 * vg.Inch}, nil
}

// parallelCoordinates draws the top trials as lines across one vertical
// axis per parameter and a last one for the score, each normalized to
// [0, 1] over all complete trials, the score oriented so that better is
// higher. The best trial is drawn last, darkest and thickest.
func parallelCoordinates(s *Study, axes []axis, complete []trial.Result, metric string) (*Chart, error) {
	if len(axes) == 0 {
		return nil, nil
	}
	top := slices.Clone(complete)
	slices.SortStableFunc(top, func(a, b trial.Result) int {
		switch {
		case s.Spec.Direction.Better(a.Score, b.Score):
			return -1
		case s.Spec.Direction.Better(b.Score, a.Score):
			return 1
		}
		return a.Number - b.Number
	})
	top = top[:min(len(top), TopTrials)]
	// Keep the axes every top trial has (several models have different
	// parameters).
	var shown []axis
	for _, a := range axes {
		all := true
		for _, r := range top {
			if _, ok := a.value(r); !ok {
				all = false
				break
			}
		}
		if all {
			shown = append(shown, a)
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range complete {
		lo, hi = min(lo, r.Score), max(hi, r.Score)
	}
	scoreNorm := func(v float64) float64 {
		if hi == lo {
			return 0.5
		}
		t := (v - lo) / (hi - lo)
		if s.Spec.Direction == trial.Minimize {
			t = 1 - t
		}
		return t
	}

	title := fmt.Sprintf("Top %d trials (best: trial %d, thick line)", len(top), top[0].Number)
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "normalized (better " + metric + " is higher)"
	p.Y.Tick.Marker = plot.ConstantTicks(nil)
	p.Y.Min, p.Y.Max = -0.12, 1.12
	n := len(shown) + 1
	p.X.Min, p.X.Max = -0.3, float64(n-1)+0.3
	ticks := make([]plot.Tick, n)
	var labels plotter.XYLabels
	for i, a := range shown {
		ticks[i] = plot.Tick{Value: float64(i), Label: a.name}
		addAxisLabels(&labels, float64(i), a)
	}
	ticks[n-1] = plot.Tick{Value: float64(n - 1), Label: metric}
	best, worst := lo, hi
	if s.Spec.Direction == trial.Maximize {
		best, worst = hi, lo
	}
	labels.XYs = append(labels.XYs, plotter.XY{X: float64(n - 1), Y: 1.04}, plotter.XY{X: float64(n - 1), Y: -0.08})
	labels.Labels = append(labels.Labels, fmt.Sprintf("%.4g", best), fmt.Sprintf("%.4g", worst))
	p.X.Tick.Marker = plot.ConstantTicks(ticks)

	for i := range n {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(i), Y: 0}, {X: float64(i), Y: 1}})
		if err != nil {
			return nil, err
		}
		l.LineStyle.Color = colorAxis
		l.LineStyle.Width = vg.Points(1)
		p.Add(l)
	}
	for rank := len(top) - 1; rank >= 0; rank-- { // worst first, best on top
		r := top[rank]
		pts := make(plotter.XYs, 0, n)
		for i, a := range shown {
			y, _ := a.normalized(r)
			pts = append(pts, plotter.XY{X: float64(i), Y: y})
		}
		pts = append(pts, plotter.XY{X: float64(n - 1), Y: scoreNorm(r.Score)})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		l.LineStyle.Color = rankColor(rank, len(top))
		l.LineStyle.Width = vg.Points(1)
		if rank == 0 {
			l.LineStyle.Width = vg.Points(2.5)
		}
		p.Add(l)
	}
	lb, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].XAlign = draw.XCenter
		lb.TextStyle[i].Font.Size = vg.Points(7)
	}
	p.Add(lb)
	width := max(6*vg.Inch, vg.Length(n)*1.1*vg.Inch)
	return &Chart{Name: "parallel-coordinates", Title: title, Plot: p, Width: width, Height: 4 * vg.Inch}, nil
}

// addAxisLabels labels axis a at x: its categories where they sit, or
// its range at the ends.
func addAxisLabels(l *plotter.XYLabels, x float64, a axis) {
	if a.categories != nil {
		if len(a.categories) > 8 {
			l.XYs = append(l.XYs, plotter.XY{X: x, Y: -0.08}, plotter.XY{X: x, Y: 1.04})
			l.Labels = append(l.Labels, a.categories[0], a.categories[len(a.categories)-1])
			return
		}
		for i, c := range a.categories {
			y := 0.5
			if len(a.categories) > 1 {
				y = float64(i) / float64(len(a.categories)-1)
			}
			l.XYs = append(l.XYs, plotter.XY{X: x + 0.12, Y: y + 0.02})
			l.Labels = append(l.Labels, c)
		}
		return
	}
	l.XYs = append(l.XYs, plotter.XY{X: x, Y: -0.08}, plotter.XY{X: x, Y: 1.04})
	l.Labels = append(l.Labels, trial.FormatValue(a.min), trial.FormatValue(a.max))
}

// rankColor shades from dark blue (rank 0, the best) to light grey.
func rankColor(rank, n int) color.Color {
	t := 0.0
	if n > 1 {
		t = float64(rank) / float64(n-1)
	}
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + t*(float64(b)-float64(a))) }
	return color.RGBA{R: mix(8, 200), G: mix(48, 205), B: mix(107, 215), A: 255}
}

// rungs plots, for a study with early stopping, each trial's score at
// the budget it ran with, one colour per rung. nil when no trial has a
// budget.
func rungs(rs []trial.Result, metric string) (*Chart, error) {
	byRung := map[int]plotter.XYs{}
	budgetName := ""
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rs {
		if r.Budget.Value <= 0 || r.State == trial.Failed || math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			continue
		}
		budgetName = cmp.Or(budgetName, r.Budget.Name)
		byRung[r.Budget.Rung] = append(byRung[r.Budget.Rung], plotter.XY{X: r.Budget.Value, Y: r.Score})
		lo, hi = min(lo, r.Budget.Value), max(hi, r.Budget.Value)
	}
	if len(byRung) == 0 {
		return nil, nil
	}
	title := metric + " at each rung's budget"
	p := newPlot(title, cmp.Or(budgetName, "budget"), metric)
	ids := make([]int, 0, len(byRung))
	for k := range byRung {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	for _, k := range ids {
		sc, err := plotter.NewScatter(byRung[k])
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: plotutil.Color(k), Radius: vg.Points(2.5), Shape: plotutil.Shape(k)}
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("rung %d (%d trials)", k, len(byRung[k])), sc)
	}
	// Every budget labelled, and room around the first and last so that
	// their markers are not cut; the legend above the data.
	budgets := map[float64]bool{}
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, pts := range byRung {
		for _, pt := range pts {
			budgets[pt.X] = true
			ylo, yhi = min(ylo, pt.Y), max(yhi, pt.Y)
		}
	}
	var bs []float64
	for b := range budgets {
		bs = append(bs, b)
	}
	slices.Sort(bs)
	p.X.Tick.Marker = budgetTicks(bs)
	if hi/lo >= 10 {
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = lo/1.3, hi*1.3
	} else {
		pad := math.Max(0.05*(hi-lo), 0.5)
		p.X.Min, p.X.Max = lo-pad, hi+pad
	}
	if span := yhi - ylo; span > 0 {
		p.Y.Min, p.Y.Max = ylo-0.05*span, yhi+0.35*span
	}
	p.Legend.Top = true
	return &Chart{Name: "rungs", Title: title, Plot: p, Width: 6 * vg.Inch, Height: 3.5 * vg.Inch}, nil
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
