package report_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// appendJournal appends raw bytes to the study's journal, as a
// scheduler in another process does.
func appendJournal(tb testing.TB, dir string, b []byte) {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(dir, results.JournalFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		tb.Fatal(err)
	}
}

// moreTrials encodes the result of the mixed study's running trial (its
// last, 30) and two trials more, 31 and 32.
func moreTrials(tb testing.TB) []byte {
	tb.Helper()
	t0 := time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	var events []results.Event
	for n := 30; n <= 32; n++ {
		p := trial.Params{"c": 1.0, "kernel": "rbf"}
		if n == 30 {
			p = trial.Params{"c": 0.1, "kernel": "rbf"} // its dispatch's: 10^(30%7-3)
		} else {
			events = append(events, results.DispatchEvent(trial.Trial{Number: n, Model: "svc", Params: p, Seed: uint64(n), Attempt: 1}, t0))
		}
		events = append(events, results.ResultEvent(trial.Result{Number: n, State: trial.Complete, Model: "svc", Params: p, Seed: uint64(n),
			Score: 0.99 - 0.01*float64(n-30), Seconds: 1, Started: t0, Finished: t0.Add(time.Second)}, t0.Add(time.Second)))
	}
	b, err := results.EncodeEvents(events)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func html(tb testing.TB, st *report.Study) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := report.WriteHTML(&b, st, report.Options{Top: 10}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestReloadAddsWhatTheJournalGrewBy: a study reloaded after its journal
// grew is brought up to date in place (one copy of its trials), and
// reports as the study read afresh.
func TestReloadAddsWhatTheJournalGrewBy(t *testing.T) {
	ctx := context.Background()
	dir := writeMixedStudy(t)
	old, err := report.LoadTrials(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	appendJournal(t, dir, moreTrials(t))
	st, err := old.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := report.LoadTrials(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Trials().Kept(), 33; got != want {
		t.Errorf("reloaded: %d results, want %d", got, want)
	}
	if !bytes.Equal(html(t, st), html(t, fresh)) {
		t.Errorf("the reloaded study reports differently from the study read afresh")
	}
	if st != old {
		t.Errorf("Reload of a grown journal returned a new study, want the study brought up to date in place")
	}
	again, err := st.Reload(ctx)
	if err != nil || again.Trials().Kept() != 33 {
		t.Errorf("Reload of an unchanged journal: %v, %d results; want the same 33", err, again.Trials().Kept())
	}
}

// TestReloadReadsOnlyTheNewBytes: a record already read is not read
// again, so damage to it (which a fresh read reports) does not stop a
// reload; the records after it are read and checked.
func TestReloadReadsOnlyTheNewBytes(t *testing.T) {
	ctx := context.Background()
	dir := writeMixedStudy(t)
	old, err := report.LoadTrials(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, results.JournalFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The same length, so the journal only grows afterwards.
	damaged := bytes.Replace(b, []byte(`"type":"study"`), []byte(`"type":"stXdy"`), 1)
	if bytes.Equal(damaged, b) {
		t.Fatal("the journal has no study record")
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(damaged, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	appendJournal(t, dir, moreTrials(t))
	st, err := old.Reload(ctx)
	if err != nil {
		t.Fatalf("Reload read the damaged record it had read before: %v", err)
	}
	if st.Trials().Kept() != 33 {
		t.Errorf("reloaded: %d results, want 33", st.Trials().Kept())
	}
	if _, err := report.LoadTrials(ctx, dir); !errors.Is(err, results.ErrCorrupt) {
		t.Errorf("a fresh read of the damaged journal: %v, want results.ErrCorrupt", err)
	}
}

// TestReloadOfATornRecordReadsItOnceWhole: a record cut short is left
// out with a warning, and read when its end arrives.
func TestReloadOfATornRecordReadsItOnceWhole(t *testing.T) {
	ctx := context.Background()
	dir := writeMixedStudy(t)
	st, err := report.LoadTrials(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	more := moreTrials(t)
	cut := bytes.LastIndexByte(more[:len(more)-1], '\n') + 10
	appendJournal(t, dir, more[:cut])
	torn, err := st.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if torn.Trials().Kept() != 32 || len(torn.Warnings) != 1 || !strings.Contains(torn.Warnings[0], "torn") {
		t.Errorf("torn: %d results, warnings %q; want 32 and one about the torn record", torn.Trials().Kept(), torn.Warnings)
	}
	appendJournal(t, dir, more[cut:])
	whole, err := torn.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Trials().Kept() != 33 || len(whole.Warnings) != 0 {
		t.Errorf("completed: %d results, warnings %q; want 33 and none", whole.Trials().Kept(), whole.Warnings)
	}
}
