package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, one, lines string }{
		{"distance", "distance", "distance"},
		{"", "", ""},
		{"héllo 名前 ✓ a\\b", "héllo 名前 ✓ a\\b", "héllo 名前 ✓ a\\b"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, `\x1b[31mred\x1b[0m`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"a\nb\tc\r", `a\x0ab\x09c\x0d`, "a\nb\tc\\x0d"},
		{"nul\x00del\x7f", `nul\x00del\x7f`, `nul\x00del\x7f`},
		{"csi\u009b31m c1\u0085", `csi\u009b31m c1\u0085`, `csi\u009b31m c1\u0085`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, `bad \xff\xfe utf8`},
		{"evil\u202etxt.exe \u2066x\u2069 \u2028", `evil\u202etxt.exe \u2066x\u2069 \u2028`, `evil\u202etxt.exe \u2066x\u2069 \u2028`},
	} {
		if got := Printable(tc.in); got != tc.one {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.one)
		}
		if got := PrintableLines(tc.in); got != tc.lines {
			t.Errorf("PrintableLines(%q) = %q, want %q", tc.in, got, tc.lines)
		}
	}
}

// hostileRows is a leaderboard whose text came from a hostile journal:
// terminal escapes and formulas in a categorical value, the model name,
// a parameter name and the error.
func hostileRows() []Row {
	ok := res(0, trial.Complete, -0.5)
	ok.Model = "@knn"
	ok.Params = trial.Params{"weights": "\x1b]0;owned\x07\x1b[2J=HYPERLINK(\"http://evil\",\"x\")", "alpha": -0.25,
		"label": "-0.5", "sum": "+1+2", "\x1b[31mname": "x"}
	bad := res(1, trial.Failed, 0)
	bad.Error = "-2+3 \x1b[8mhidden"
	bad.Params = trial.Params{"weights": "=1+1", "alpha": 1.0}
	return Leaderboard([]trial.Result{ok, bad}, trial.Maximize)
}

func TestWriteTableEscapesControls(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, hostileRows(), 0, "neg\x1b[5m"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Fatalf("table holds raw control characters:\n%q", out)
	}
	for _, want := range []string{`NEG\x1b[5M`, `weights=\x1b]0;owned\x07\x1b[2J=HYPERLINK`, `\x1b[31mname=x`, "@knn"} {
		if !strings.Contains(out, want) {
			t.Errorf("table does not show %q:\n%s", want, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines != 3 {
		t.Errorf("table has %d lines, want 3:\n%s", lines, out)
	}
}

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"distance", "distance"},
		{"", ""},
		{`=HYPERLINK("http://evil","x")`, `'=HYPERLINK("http://evil","x")`},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", `\x0d=1`},
		{"＝1+1", "'＝1+1"},
		{"-0.5", "-0.5"},
		{"+3", "+3"},
		{"-1e-3", "-1e-3"},
		{"-", "'-"},
		{"-Inf", "'-Inf"},
		{"a=1", "a=1"},
		{"x\x1b[2Jy", `x\x1b[2Jy`},
		{"line1\nline2", "line1\nline2"},
		{"\n=1+1", "'\n=1+1"},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestWriteCSVInjection: text cells that a spreadsheet would run as a
// formula are quoted; numbers, negative ones too, stay numbers.
func TestWriteCSVInjection(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, hostileRows()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cell := map[string]string{}
	for i, name := range recs[0] {
		cell[name] = recs[1][i]
		cell["failed "+name] = recs[2][i]
	}
	for name, want := range map[string]string{
		"model":                 "'@knn",
		"score":                 "-0.5",
		"params_alpha":          "-0.25",
		"params_label":          "-0.5",
		"params_sum":            "'+1+2",
		"params_weights":        `\x1b]0;owned\x07\x1b[2J=HYPERLINK("http://evil","x")`,
		"failed error":          `'-2+3 \x1b[8mhidden`,
		"failed params_weights": "'=1+1",
		`params_\x1b[31mname`:   "x",
	} {
		if got, ok := cell[name]; !ok || got != want {
			t.Errorf("%s = %q, want %q (header %q)", name, got, want, recs[0])
		}
	}
	if bytes.ContainsAny(b.Bytes(), "\x1b\x07") {
		t.Error("CSV holds raw control characters")
	}
}

// TestWriteJSONKeepsValues: JSON is for programs; it escapes control
// characters itself and keeps values as they are.
func TestWriteJSONKeepsValues(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, hostileRows()); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(b.Bytes(), "\x1b\x07") {
		t.Error("JSON holds raw control characters")
	}
	var got []struct {
		Model  string         `json:"model"`
		Params map[string]any `json:"params"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got[0].Model != "@knn" || got[1].Params["weights"] != "=1+1" {
		t.Errorf("JSON changed values: %+v", got)
	}
}
