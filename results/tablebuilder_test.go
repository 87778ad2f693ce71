package results

import (
	"bytes"
	"cmp"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/trial"
)

// tableOfEvents is the specification of a TrialTable's rows: the table
// of a journal read whole, a map of trial numbers to their last dispatch
// (while they have no final result) or their last final result, sorted.
func tableOfEvents(events []Event) []trial.Result {
	byNumber := map[int]trial.Result{}
	final := map[int]bool{}
	for _, e := range events {
		switch e.Type {
		case EventDispatch:
			if t := e.Trial; !final[t.Number] {
				byNumber[t.Number] = trial.Result{Number: t.Number, State: trial.Running, Model: t.Model,
					Params: t.Params, Seed: t.Seed, Budget: t.Budget, Score: math.NaN()}
			}
		case EventResult:
			if r := *e.Result; r.State.Final() {
				r.State = StateOf(r)
				byNumber[r.Number] = r
				final[r.Number] = true
			}
		}
	}
	var rows []trial.Result
	for _, r := range byNumber {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b trial.Result) int { return cmp.Compare(a.Number, b.Number) })
	return rows
}

// TestTableBuilderGivesTheRowsOfTheWholeJournal: events added one at a
// time make the rows the whole journal's map makes, whatever order the
// trial numbers come in: numbers not from 0, dispatched out of order, a
// second dispatch of a trial without a result, a dispatch after a final
// result, a result that is not final, a result without its dispatch.
func TestTableBuilderGivesTheRowsOfTheWholeJournal(t *testing.T) {
	d := func(n int, model string) Event {
		return DispatchEvent(trial.Trial{Number: n, Model: model, Params: trial.Params{"k": float64(n)}, Seed: uint64(n)}, zeroTime)
	}
	r := func(n int, s trial.State) Event {
		return ResultEvent(trial.Result{Number: n, State: s, Model: "knn", Params: trial.Params{"k": float64(n)}, Score: float64(n) / 10}, zeroTime)
	}
	for _, tc := range []struct {
		name   string
		events []Event
	}{
		{"empty", nil},
		{"in order from 0", []Event{StudyEvent("s", zeroTime), d(0, "knn"), d(1, "knn"), r(1, trial.Complete), r(0, trial.Failed)}},
		{"from 5, out of order", []Event{d(5, "knn"), d(7, "knn"), d(6, "knn"), r(7, trial.Complete), r(5, trial.Pruned), d(3, "knn"), r(3, trial.Complete)}},
		{"dispatched again", []Event{d(0, "knn"), d(1, "knn"), d(0, "svm"), r(1, trial.Complete)}},
		{"dispatch after the final result", []Event{d(0, "knn"), r(0, trial.Complete), d(0, "svm")}},
		{"result not final", []Event{d(0, "knn"), r(0, trial.Running), d(1, "knn"), r(1, trial.Running), r(1, trial.Complete)}},
		{"result without dispatch", []Event{r(4, trial.Complete), d(0, "knn"), r(9, trial.Failed)}},
		{"retried: the last final result", []Event{d(0, "knn"), r(0, trial.Failed), d(0, "knn"), r(0, trial.Complete)}},
		{"the export study", exportEvents()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b TableBuilder
			for _, e := range tc.events {
				b.Add(e)
			}
			got, want := b.Table(), tableOfEvents(tc.events)
			same := func(a tableRow, b trial.Result) bool {
				k, _ := a.param("k")
				return a.number == b.Number && a.state == b.State && a.model == b.Model && a.seed == b.Seed &&
					len(a.params) == len(b.Params) && k == b.Params["k"] &&
					(a.score == b.Score || math.IsNaN(a.score) && math.IsNaN(b.Score))
			}
			if !slices.EqualFunc(got.rows, want, same) {
				t.Errorf("rows\n%+v\nwant\n%+v", got.rows, want)
			}
			var csv, whole bytes.Buffer
			if err := got.WriteCSV(&csv); err != nil {
				t.Fatal(err)
			}
			if err := NewTrialTable(tc.events).WriteCSV(&whole); err != nil {
				t.Fatal(err)
			}
			if csv.String() != whole.String() {
				t.Errorf("CSV\n%s\nwant NewTrialTable's\n%s", csv.String(), whole.String())
			}
		})
	}
}

// TestReadTrialTable: a study directory's table, streamed, is the table
// of its events read whole; a torn last record is a warning.
func TestReadTrialTable(t *testing.T) {
	j, err := Create(t.TempDir(), "s", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The export study without its retried trial (a journal has one
	// final result a trial); Create wrote the study event.
	all := exportEvents()
	evs := append(all[1:3:3], all[7:]...)
	if err := j.Append(context.Background(), evs...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	f, err := os.OpenFile(filepath.Join(j.Dir(), JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"type":"dispa`)
	f.Close()
	tab, warnings, err := ReadTrialTable(context.Background(), j.Dir())
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "torn last record") {
		t.Fatalf("ReadTrialTable: %v, warnings %q, want the torn last record", err, warnings)
	}
	var got, want bytes.Buffer
	if err := tab.WriteJSONL(&got); err != nil {
		t.Fatal(err)
	}
	if err := NewTrialTable(append(all[:1:1], evs...)).WriteJSONL(&want); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() || tab.Len() != 4 {
		t.Errorf("ReadTrialTable's rows\n%s\nwant\n%s", got.String(), want.String())
	}
	if _, _, err := ReadTrialTable(context.Background(), t.TempDir()); err == nil {
		t.Error("ReadTrialTable of a directory without a journal: no error")
	}
}
