package results_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/trial"
)

// oldJournal was written before results were recorded compactly: each
// result repeats its dispatch's model, parameters, seed and budget, and
// zero budgets are written as {}. (Lines from a real study, 2026-12-06.)
const oldJournal = `{"type":"study","time":"2026-12-06T20:57:24.824667275Z","study":"b100k"}
{"type":"dispatch","time":"2026-12-06T20:57:24.858473051Z","trial":{"number":0,"model":"noop","params":{"kind":"b","lr":0.01401513674518191,"x":2.667189003568179},"seed":16294208416658607535,"budget":{},"attempt":1}}
{"type":"dispatch","time":"2026-12-06T20:57:24.858473051Z","trial":{"number":1,"model":"noop","params":{"kind":"c","lr":0.0000384082607625348,"x":2.17279273253226},"seed":7960286522194355700,"budget":{},"attempt":1}}
{"type":"result","time":"2026-12-06T20:57:24.858633474Z","result":{"number":1,"state":"complete","model":"noop","params":{"kind":"c","lr":0.0000384082607625348,"x":2.17279273253226},"seed":7960286522194355700,"budget":{},"score":2.857948760958358,"fit_seconds":0.000004719,"seconds":0.000014807,"started":"2026-12-06T20:57:24.85855683Z","finished":"2026-12-06T20:57:24.858628184Z"}}
{"type":"result","time":"2026-12-06T20:57:24.858658862Z","result":{"number":0,"state":"complete","model":"noop","params":{"kind":"b","lr":0.01401513674518191,"x":2.667189003568179},"seed":16294208416658607535,"budget":{},"score":3.366321820083342,"fit_seconds":0.000005541,"seconds":0.000024746,"started":"2026-12-06T20:57:24.858600663Z","finished":"2026-12-06T20:57:24.858633334Z"}}
`

// TestOldJournalsReadAsNewOnes: a journal written with whole results
// reads as before, and the same events written today, compactly, read
// back equal to it.
func TestOldJournalsReadAsNewOnes(t *testing.T) {
	old, err := results.ReadJournal(strings.NewReader(oldJournal), "old.jsonl")
	if err != nil || len(old.Events) != 5 || len(old.Warnings) > 0 {
		t.Fatalf("old journal: %d events, %v, %v", len(old.Events), old.Warnings, err)
	}
	r := old.Events[3].Result
	if r.Model != "noop" || r.Seed != 7960286522194355700 || r.Params["kind"] != "c" || r.Score != 2.857948760958358 {
		t.Errorf("old result read as %+v", r)
	}
	data, err := results.EncodeEvents(old.Events)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) >= len(oldJournal)*4/5 {
		t.Errorf("rewritten, the journal takes %d bytes of the old %d: want under four fifths", len(data), len(oldJournal))
	}
	again, err := results.ReadJournal(bytes.NewReader(data), "new.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Events, old.Events) {
		t.Errorf("rewritten journal reads\n%+v\nwant\n%+v", again.Events, old.Events)
	}
}

// TestResultsRecordedWithoutTheirDispatch: a result line holds neither
// the model, nor the parameters, seed or budget, which its dispatch
// holds; every reader (ReadJournal, Memory) gives them back, from the
// trial's latest dispatch, budget and all.
func TestResultsRecordedWithoutTheirDispatch(t *testing.T) {
	tr := storetest.Trial(4)
	tr.Budget = trial.Budget{Name: "max_iter", Value: 9, Rung: 1, Config: 2, Max: 81}
	r := storetest.Result(4)
	r.Budget = tr.Budget
	events := []results.Event{results.DispatchEvent(storetest.Trial(0), at), results.DispatchEvent(tr, at),
		results.ResultEvent(r, at), results.ResultEvent(storetest.Result(0), at)}
	data, err := results.EncodeEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for _, line := range lines[2:] {
		for _, field := range []string{`"model"`, `"params"`, `"seed"`, `"budget"`, "n_neighbors"} {
			if strings.Contains(line, field) {
				t.Errorf("result line holds %s: %s", field, line)
			}
		}
	}
	if strings.Contains(lines[0], `"budget"`) || !strings.Contains(lines[1], `"budget":{"name":"max_iter"`) {
		t.Errorf("dispatch lines: a zero budget is left out, another kept:\n%s\n%s", lines[0], lines[1])
	}
	rp, err := results.ReadJournal(bytes.NewReader(data), "journal.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	m := results.NewMemory()
	if err := m.Append(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
	fromMemory, err := m.Events(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, got := range [][]results.Event{rp.Events, fromMemory} {
		want := []trial.Result{r, storetest.Result(0)}
		for i, res := range results.Results(got) {
			if !reflect.DeepEqual(res, want[i]) {
				t.Errorf("result %d read back as\n%+v\nwant\n%+v", i, res, want[i])
			}
		}
	}
}
