package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/hpsearch/hpsearch/cost"
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
		Counts: results.Summarize(s.Events, s.Spec.Direction), Cost: s.Cost(), Prices: cost.DefaultPrices}
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
	all := s.Rows()
	shown := all
	if o.Top > 0 && len(all) > o.Top {
		shown = all[:o.Top]
	}
	v.More = len(all) - len(shown)
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
	var buf strings.Builder
	if err := page().Execute(&buf, v); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if _, err := io.WriteString(w, results.PrintableLines(buf.String())); err != nil {
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
