package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/hpsearch/hpsearch/trial"
)

// exportErr is a failed trial's error with everything CSV must quote.
const exportErr = "fold 2: bad \"value\", then\nline two,\r\nend"

// exportEvents is a study with a complete trial, a retried trial that
// failed, two rungs of early stopping (the lower one pruned), a trial
// still running, and parameters of every kind.
func exportEvents() []Event {
	var evs []Event
	add := func(r trial.Result) {
		t := trial.Trial{Number: r.Number, Model: r.Model, Params: r.Params, Seed: r.Seed, Budget: r.Budget}
		evs = append(evs, DispatchEvent(t, zeroTime), ResultEvent(r, zeroTime))
	}
	evs = append(evs, StudyEvent("s", zeroTime))
	add(trial.Result{Number: 0, State: trial.Complete, Model: "knn", Seed: math.MaxUint64,
		Params: trial.Params{"n_neighbors": 5.0, "weights": "uniform", "max_features": 0.5},
		Score:  0.9, FoldScores: []float64{0.8, 1, 0.9}, Seconds: 1.5,
		Backend: map[string]float64{"cost_usd": 0.00012}})
	add(trial.Result{Number: 1, State: trial.Complete, Model: "knn", Params: trial.Params{"n_neighbors": 3.0}, Score: 0.5})
	add(trial.Result{Number: 1, State: trial.Failed, Model: "knn", Params: trial.Params{"n_neighbors": 3.0},
		Error: exportErr, Seconds: 0.25})
	add(trial.Result{Number: 2, State: trial.Complete, Model: "random_forest",
		Params: trial.Params{"bootstrap": true, "max_features": "sqrt"},
		Budget: trial.Budget{Name: "n_estimators", Value: 10, Rung: 0, Config: 2, Max: 90},
		Score:  0.7, FoldScores: []float64{0.7, 0.7}, Seconds: 2})
	add(trial.Result{Number: 3, State: trial.Complete, Model: "random_forest",
		Params: trial.Params{"bootstrap": false, "max_features": "sqrt"},
		Budget: trial.Budget{Name: "n_estimators", Value: 90, Rung: 2, Config: 2, Max: 90},
		Score:  0.75, FoldScores: []float64{0.7, 0.8}, Seconds: 3})
	evs = append(evs, DispatchEvent(trial.Trial{Number: 4, Model: "knn", Params: trial.Params{"n_neighbors": 7.0}}, zeroTime))
	return evs
}

var zeroTime = trial.Result{}.Started

// wantExport is exportEvents' table, a row per trial as CSV writes it.
var wantExport = map[string][]string{
	"number":              {"0", "1", "2", "3", "4"},
	"state":               {"complete", "failed", "pruned", "complete", "running"},
	"model":               {"knn", "knn", "random_forest", "random_forest", "knn"},
	"seed":                {"18446744073709551615", "0", "0", "0", "0"},
	"params_bootstrap":    {"", "", "true", "false", ""},
	"params_max_features": {"0.5", "", "sqrt", "sqrt", ""},
	"params_n_neighbors":  {"5", "3", "", "", "7"},
	"params_weights":      {"uniform", "", "", "", ""},
	"score":               {"0.9", "", "0.7", "0.75", ""},
	"fold_mean":           {"0.9", "", "0.7", "0.75", ""},
	"fold_std":            {"0.08164965809277258", "", "0", "0.050000000000000044", ""},
	"fold_0":              {"0.8", "", "0.7", "0.7", ""},
	"fold_1":              {"1", "", "0.7", "0.8", ""},
	"fold_2":              {"0.9", "", "", "", ""},
	"seconds":             {"1.5", "0.25", "2", "3", ""},
	"budget_name":         {"", "", "n_estimators", "n_estimators", ""},
	"budget":              {"", "", "10", "90", ""},
	"rung":                {"", "", "0", "2", ""},
	"cost_usd":            {"0.00012", "", "", "", ""},
	"error":               {"", exportErr, "", "", ""},
}

var wantColumns = []string{"number", "state", "model", "seed",
	"params_bootstrap", "params_max_features", "params_n_neighbors", "params_weights",
	"score", "fold_mean", "fold_std", "fold_0", "fold_1", "fold_2",
	"seconds", "budget_name", "budget", "rung", "cost_usd", "error"}

func TestTrialTableColumns(t *testing.T) {
	if got := NewTrialTable(exportEvents()).Columns(); !slices.Equal(got, wantColumns) {
		t.Errorf("columns\n%v\nwant\n%v", got, wantColumns)
	}
}

func TestExportCSVRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := NewTrialTable(exportEvents()).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv cannot read the export back: %v", err)
	}
	if !slices.Equal(recs[0], wantColumns) {
		t.Fatalf("header %v", recs[0])
	}
	if len(recs) != 6 {
		t.Fatalf("%d records, want a header and 5 trials", len(recs))
	}
	for j, col := range recs[0] {
		for i, want := range wantExport[col] {
			// encoding/csv's reader turns \r\n inside a quoted field into \n.
			want = strings.ReplaceAll(want, "\r\n", "\n")
			if got := recs[i+1][j]; got != want {
				t.Errorf("trial %d %s = %q, want %q", i, col, got, want)
			}
		}
	}
}

func TestExportJSONLRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := NewTrialTable(exportEvents()).WriteJSONL(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want 5:\n%s", len(lines), b.String())
	}
	for i, line := range lines {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		if len(obj) != len(wantColumns) {
			t.Errorf("line %d has %d keys, want %d", i+1, len(obj), len(wantColumns))
		}
		for col, want := range wantExport {
			var got string
			switch v := obj[col].(type) {
			case nil:
			case json.Number:
				got = v.String()
			case bool:
				got = map[bool]string{true: "true", false: "false"}[v]
			case string:
				got = v
			default:
				t.Errorf("line %d %s: unexpected %T", i+1, col, v)
			}
			if got != want[i] {
				t.Errorf("trial %d %s = %q, want %q", i, col, got, want[i])
			}
		}
	}
	// Keys come in column order.
	first := lines[0]
	last := -1
	for _, col := range wantColumns {
		k := strings.Index(first, `"`+col+`":`)
		if k < last {
			t.Errorf("key %s out of order in %s", col, first)
		}
		last = k
	}
}

func TestExportParquetRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := NewTrialTable(exportEvents()).WriteParquet(&b); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatalf("parquet-go cannot open the export: %v", err)
	}
	var names []string
	for _, c := range f.Schema().Columns() {
		names = append(names, c[0])
	}
	if !slices.Equal(names, wantColumns) {
		t.Fatalf("columns\n%v\nwant\n%v", names, wantColumns)
	}
	if f.NumRows() != 5 {
		t.Fatalf("%d rows, want 5", f.NumRows())
	}
	r := parquet.NewReader(bytes.NewReader(b.Bytes()))
	rows := make([]parquet.Row, 5)
	n, err := r.ReadRows(rows)
	if n != 5 {
		t.Fatalf("read %d rows: %v", n, err)
	}
	kinds := NewTrialTable(exportEvents()).kinds()
	for i, row := range rows {
		for _, v := range row {
			col := wantColumns[v.Column()]
			got := ""
			if !v.IsNull() {
				got = parquetText(v, kinds[v.Column()])
			}
			if want := wantExport[col][i]; got != want {
				t.Errorf("trial %d %s = %q, want %q", i, col, got, want)
			}
		}
	}
}

// parquetText renders a Parquet value as WriteCSV writes it.
func parquetText(v parquet.Value, k cellKind) string {
	c := cell{}
	switch k {
	case intCell:
		c.i = v.Int64()
	case uintCell:
		c.u = v.Uint64()
	case floatCell:
		c.f = v.Double()
	case boolCell:
		c.b = v.Boolean()
	default:
		c.s = v.String()
	}
	return csvValue(c, k)
}

func TestExportEmptyStudy(t *testing.T) {
	tab := NewTrialTable([]Event{StudyEvent("s", zeroTime)})
	var b bytes.Buffer
	if err := tab.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "number,state,model,seed,score,fold_mean,fold_std,seconds,budget_name,budget,rung,cost_usd,error\n" {
		t.Errorf("empty study's CSV: %q", got)
	}
	b.Reset()
	if err := tab.WriteParquet(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := parquet.OpenFile(bytes.NewReader(b.Bytes()), int64(b.Len())); err != nil {
		t.Errorf("empty study's parquet: %v", err)
	}
}

func TestExportNonFiniteNumbers(t *testing.T) {
	evs := []Event{ResultEvent(trial.Result{Number: 0, State: trial.Complete, Model: "m",
		Score: math.Inf(1), FoldScores: []float64{math.Inf(1), math.NaN()}}, zeroTime)}
	var b bytes.Buffer
	if err := NewTrialTable(evs).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, _ := csv.NewReader(&b).ReadAll()
	if got := recs[1][4]; got != "Inf" {
		t.Errorf("score %q, want Inf", got)
	}
	b.Reset()
	if err := NewTrialTable(evs).WriteJSONL(&b); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b.Bytes(), &obj); err != nil {
		t.Fatalf("%v: %s", err, b.String())
	}
	if obj["score"] != nil || obj["fold_1"] != nil {
		t.Errorf("non-finite numbers in JSON: %s", b.String())
	}
}
