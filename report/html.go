package report

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/dashboard/web"
	"github.com/hpsearch/hpsearch/internal/studycharts"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

//go:embed report.html.tmpl
var pageTemplate string

// page parses the template on first use: every hpsearch command links
// this package, and only report renders a page.
var page = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"usd":       cost.FormatUSD,
		"price":     cost.FormatPrice,
		"num":       func(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) },
		"fixed":     func(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) },
		"ratio":     func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) + "×" },
		"params":    func(p trial.Params) string { return p.Format() },
		"best":      bestString,
		"speedup":   func(a, b float64) string { return strconv.FormatFloat(cost.Ratio(a, b), 'f', 1, 64) + "×" },
		"costratio": func(a, b float64) string { return strconv.FormatFloat(cost.Ratio(a, b), 'f', 2, 64) + "×" },
	}).Parse(pageTemplate))
})

// Options tunes WriteHTML. The zero value is the defaults.
type Options struct {
	// Top is how many leaderboard rows to show; 0 means all.
	Top int
}

// view is what the template renders.
type view struct {
	S        *Study
	Metric   string
	Models   string
	Counts   results.Summary
	Rows     []row
	More     int
	Progress []template.HTML
	Parallel template.HTML
	Rungs    template.HTML
	Params   []template.HTML
	Cost     cost.Breakdown
	Prices   cost.Prices
	Wall     float64
	Cmp      *cost.Comparison
	// Interactive lists the charts drawn by the inlined scripts (the
	// dashboard's), and EChartsVersion names the library.
	Interactive    []interactiveChart
	EChartsVersion string
}

// interactiveChart is one chart element the inlined charts.js draws: ID
// is its key in HPCharts.all. Note asks for the paragraph that says how
// the chart was computed (HPCharts.notes), Pairs for the contour's
// choice of pairs.
type interactiveChart struct {
	ID, Title   string
	Note, Pairs bool
}

// scriptsMark is where the page's scripts go, the template's last
// occurrence of it (a study's text could hold it too, earlier): they go
// in after the rest of the page went through results.PrintableLines,
// which must not touch them.
const scriptsMark = "@@hpsearch-scripts@@"

// scripts returns the page's script elements: the study's chart data as
// JSON (json.Marshal escapes <, > and &, so no "</script" can occur in
// it), then the dashboard's ECharts, charts.js, and a call drawing every
// chart.
func scripts(c studycharts.Charts) (string, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	var b strings.Builder
	b.WriteString(`<script type="application/json" id="hpsearch-charts">`)
	// ASCII only: bidirectional overrides and other invisible characters
	// of a study's text go in as \u escapes, which only occur inside JSON
	// strings.
	for _, r := range string(data) {
		switch {
		case r < 0x7f:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteString("</script>\n")
	for _, name := range []string{"echarts.min.js", "charts.js"} {
		js, err := web.Files.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		if strings.Contains(strings.ToLower(string(js)), "</script") {
			return "", fmt.Errorf("report: %s cannot be inlined: it contains </script", name)
		}
		b.WriteString("<script>\n")
		b.Write(js)
		b.WriteString("\n</script>\n")
	}
	b.WriteString(`<script>HPCharts.draw(JSON.parse(document.getElementById("hpsearch-charts").textContent));</script>`)
	return b.String(), nil
}

// interactive lists the charts of c that have something to draw.
func interactive(c studycharts.Charts) []interactiveChart {
	out := []interactiveChart{{ID: "history-trials", Title: "Best value over trials"}, {ID: "history-time", Title: "Best value over time"}}
	if len(c.Params) > 0 {
		out = append(out, interactiveChart{ID: "parallel", Title: "Parallel coordinates (complete trials)"})
	}
	if len(c.Contours) > 0 {
		out = append(out, interactiveChart{ID: "contour", Title: "Contour: predicted score over a pair", Note: true, Pairs: len(c.Contours) > 1})
	}
	if len(c.Curves) > 0 {
		out = append(out, interactiveChart{ID: "intermediate", Title: "Intermediate values and rungs (pruned dashed)"})
	}
	out = append(out, interactiveChart{ID: "families", Title: "Scores per model family"})
	if len(c.Importance) > 0 {
		out = append(out, interactiveChart{ID: "importance", Title: "Parameter importance (binned fANOVA)", Note: true})
	}
	if len(c.ForestImportance) > 0 {
		out = append(out, interactiveChart{ID: "forest-importance", Title: "Parameter importance (random forest, permutation)", Note: true})
	}
	out = append(out, interactiveChart{ID: "timeline", Title: "Timeline per worker or Lambda environment (black edge: cold start)", Note: true},
		interactiveChart{ID: "concurrency", Title: "Concurrency over time (every trial)"}, interactiveChart{ID: "cost", Title: "Cost over time"})
	for i, p := range c.Params {
		out = append(out, interactiveChart{ID: fmt.Sprintf("slice-%d", i), Title: "Slice: " + p.Name})
	}
	return out
}

type row struct {
	Rank, Score string
	R           trial.Result
}

// WriteHTML writes the study's report as one self-contained HTML page:
// no scripts, styles or images are fetched from anywhere. Text from the
// spec and the journal is escaped: markup shows as text, control
// characters as escapes (see results.PrintableLines).
func WriteHTML(w io.Writer, s *Study, o Options) error {
	cs, err := buildCharts(s)
	if err != nil {
		return err
	}
	v := view{S: s, Metric: cmp.Or(s.Spec.Metric, "score"), Cmp: s.Comparison,
		Counts: s.Trials().Summary(), Cost: s.Cost(), Prices: cost.DefaultPrices}
	if s.Prices != nil {
		v.Prices = *s.Prices
	}
	_, wall := s.span()
	v.Wall = wall.Seconds()
	var models []string
	for _, m := range s.Spec.Models {
		models = append(models, m.Model)
	}
	v.Models = strings.Join(models, ", ")
	shown, total := s.Top(o.Top)
	v.More = total - len(shown)
	for _, r := range shown {
		rw := row{Rank: "–", Score: "–", R: r.Result}
		if r.Rank > 0 {
			rw.Rank = strconv.Itoa(r.Rank)
		}
		if r.Result.State != trial.Failed {
			rw.Score = strconv.FormatFloat(r.Result.Score, 'g', 6, 64)
		}
		v.Rows = append(v.Rows, rw)
	}
	render := func(c Chart) (template.HTML, error) {
		s, err := svg(c)
		// The SVG comes from gonum/plot, which escapes the text it draws.
		return template.HTML(s), err
	}
	for _, c := range cs.progress {
		h, err := render(c)
		if err != nil {
			return err
		}
		v.Progress = append(v.Progress, h)
	}
	for _, c := range cs.params {
		h, err := render(c)
		if err != nil {
			return err
		}
		v.Params = append(v.Params, h)
	}
	if cs.parallel != nil {
		if v.Parallel, err = render(*cs.parallel); err != nil {
			return err
		}
	}
	if cs.rungs != nil {
		if v.Rungs, err = render(*cs.rungs); err != nil {
			return err
		}
	}
	// html/template escapes markup; control characters, bytes that are
	// not UTF-8 and bidirectional overrides from the spec or the journal
	// pass through it, so they are shown as escapes as on a terminal (the
	// page itself has none but newlines).
	bd := s.Cost()
	charts := studycharts.Build("", &studycharts.Study{Dir: s.Dir, Spec: s.Spec, Trials: s.Trials(), Warnings: s.Warnings,
		CostUSD: bd.TotalUSD, WallSeconds: bd.WallSeconds})
	v.Interactive, v.EChartsVersion = interactive(charts), web.EChartsVersion
	js, err := scripts(charts)
	if err != nil {
		return err
	}
	var buf strings.Builder
	if err := page().Execute(&buf, v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	out := results.PrintableLines(buf.String())
	i := strings.LastIndex(out, scriptsMark)
	if i < 0 {
		return fmt.Errorf("report: the page template lost its scripts mark")
	}
	out = out[:i] + js + out[i+len(scriptsMark):]
	if _, err := io.WriteString(w, out); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func bestString(b *cost.BestTrial) string {
	if b == nil {
		return "–"
	}
	return fmt.Sprintf("%.6g (trial %d)", b.Score, b.Trial)
}
