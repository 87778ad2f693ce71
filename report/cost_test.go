package report_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/report"
)

// TestHTMLCostNotation: the report prints every dollar amount, prices
// included, in cost.FormatUSD's notation (never "$1.33334e-05"), and a
// projection with no measured cold start says so instead of showing a
// measured-looking 0.000 s.
func TestHTMLCostNotation(t *testing.T) {
	st, err := report.Load(context.Background(), makeStudy(t, true))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, st, report.Options{}); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		"$0.0000133334 per GB-second (arm64) / $0.0000166667 (x86_64) and $0.20 per million requests",
		"cold start not measured",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`\$[0-9.]*e[-+]?[0-9]+`).FindString(html); m != "" {
		t.Errorf("a dollar amount in exponent notation: %q", m)
	}
	if strings.Contains(html, "init 0.000 s") {
		t.Error("the projection shows an unmeasured cold start as 0.000 s")
	}
}
