package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// Payloads an adversary puts in every string a report shows.
const (
	xss    = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'><svg/onload=alert(3)>`
	escape = "\x1b]0;owned\x07\x1b[2J\u202eexe.txt"
)

// tag matches an HTML start tag, its attributes with their quoted values.
var tag = regexp.MustCompile(`<([a-zA-Z][^\s/>]*)((?:[\s/]+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)[\s/]*>`)

// attrName matches the names of a tag's attributes.
var attrName = regexp.MustCompile(`[\s/]([^\s=/>]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?`)

// markup returns what the payloads would have become had a string
// reached the page unescaped: an element that runs or fetches something,
// or an event handler attribute on any element.
func markup(page string) string {
	for _, m := range tag.FindAllStringSubmatch(page, -1) {
		switch strings.ToLower(m[1]) {
		case "script", "img", "iframe", "object", "embed", "link", "a", "form", "foreignobject":
			return m[0]
		}
		for _, a := range attrName.FindAllStringSubmatch(m[2], -1) {
			if strings.HasPrefix(strings.ToLower(a[1]), "on") {
				return m[0]
			}
		}
	}
	return ""
}

// TestWriteHTMLEscapesHostileText: markup and control characters in the
// study name, metric, dataset, model, parameter names and values, errors
// and warnings are shown as text, in the tables and in the charts.
func TestWriteHTMLEscapesHostileText(t *testing.T) {
	hostile := xss + escape
	spec := search.Spec{
		Name: hostile, Metric: hostile, Dataset: hostile, Direction: trial.Maximize,
		Search: search.SearchSettings{Method: "random", MaxTrials: 4, Seed: 3},
		Models: []search.ModelSpace{{Model: hostile, Params: []search.Dimension{
			{Name: hostile, Kind: trial.Float, Min: 0, Max: 1},
			{Name: "cat" + hostile, Kind: trial.Categorical, Values: []any{hostile, "b"}},
		}}},
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	j, err := results.Create(dir, "s", nil, specJSON)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var events []results.Event
	for n := range 4 {
		r := trial.Result{Number: n, State: trial.Complete, Model: hostile,
			Params: trial.Params{hostile: float64(n) / 4, "cat" + hostile: []string{hostile, "b"}[n%2]},
			Score:  float64(n) / 10, Seconds: 1, Started: t0, Finished: t0.Add(time.Second)}
		if n == 3 {
			r.State, r.Error = trial.Failed, hostile
		}
		events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: r.Model, Params: r.Params}, t0), results.ResultEvent(r, t0))
	}
	if err := j.Append(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	st, err := report.Load(context.Background(), dir+"/s")
	if err != nil {
		t.Fatal(err)
	}
	st.Warnings = append(st.Warnings, hostile)
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, st, report.Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	// The page's own scripts (the charts' JSON, ECharts, charts.js) are
	// its last elements; the study's text must not be markup before them,
	// and in the JSON it is escaped (checked below, with the rest).
	scripts := strings.Index(page, `<script type="application/json" id="hpsearch-charts">`)
	if scripts < 0 {
		t.Fatal("the page has no chart data")
	}
	data := page[scripts:]
	data = data[:strings.Index(data, "</script>")]
	if body := data[strings.Index(data, ">")+1:]; strings.ContainsAny(body, "<>&") {
		t.Errorf("the chart data holds raw markup characters: %.200q", body)
	}
	if i := strings.IndexAny(data, "\x1b\x07\u202e"); i >= 0 {
		t.Errorf("the chart data holds a raw control character at %d", i)
	}
	page = page[:scripts]
	for _, raw := range []string{xss[:9], xss[27:], xss[57:], `<p title="x" onclick=y>`} {
		if markup(raw) == "" {
			t.Fatalf("the check misses %q", raw)
		}
	}
	if m := markup(page); m != "" {
		t.Errorf("the page holds markup from the study: %q", m)
	}
	if i := strings.IndexAny(page, "\x1b\x07\u202e"); i >= 0 {
		t.Errorf("the page holds a raw control character: %q", page[max(0, i-40):min(len(page), i+40)])
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", `\x1b]0;owned\x07\x1b[2J\u202eexe.txt`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
}
