package results_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// Journal events for the checker's tests: dispatch n at attempt a, and
// the result of trial n as the scheduler writes it.
func dispatch(n, attempt int) results.Event {
	t := storetest.Trial(n)
	t.Attempt = attempt
	return results.DispatchEvent(t, at)
}

func result(n int) results.Event { return results.ResultEvent(storetest.Result(n), at) }

func withResult(n int, change func(*trial.Result)) results.Event {
	r := storetest.Result(n)
	change(&r)
	return results.ResultEvent(r, at)
}

func journalText(tb testing.TB, events ...results.Event) string {
	tb.Helper()
	b, err := results.EncodeEvents(append([]results.Event{results.StudyEvent("s", at)}, events...))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// wholeJournalText is journalText with every result written whole, model,
// parameters, seed and budget included, as journals were before results
// were recorded compactly (and as a foreign writer might).
func wholeJournalText(tb testing.TB, events ...results.Event) string {
	tb.Helper()
	var b strings.Builder
	for _, e := range append([]results.Event{results.StudyEvent("s", at)}, events...) {
		line, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCheckerRefuses: records that no scheduler writes are refused by
// ReadJournal with a *CorruptError wrapping ErrInconsistent, naming the
// line (the study event is line 1), even as the last record.
func TestCheckerRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		events []results.Event
		line   int
		want   string
	}{
		{"forged result beyond any dispatched",
			[]results.Event{dispatch(0, 1), result(0), dispatch(1, 1), withResult(999999999999, func(r *trial.Result) {})},
			5, "beyond any trial dispatched before it (the highest is 1)"},
		{"result before any dispatch", []results.Event{result(0)}, 2, "no trial was dispatched before it"},
		{"result never dispatched", []results.Event{dispatch(0, 1), dispatch(2, 1), result(1), result(0)},
			4, "trial 1, which was never dispatched"},
		{"result before its dispatch", []results.Event{dispatch(0, 1), result(1), dispatch(1, 1)}, 3, "beyond any trial dispatched"},
		{"second result for one attempt", []results.Event{dispatch(0, 1), result(0), dispatch(1, 1), result(1), result(0)},
			6, "second result for trial 0 (attempt 1; the first is on line 3)"},
		{"second result, attempt 0 as 1", []results.Event{dispatch(0, 0), result(0), dispatch(0, 1), result(0)},
			4, "trial 0, attempt 1, which has its result already (line 3)"},
		{"another attempt after a result", []results.Event{dispatch(0, 1), result(0), dispatch(0, 2), result(0)},
			4, "a dispatch of trial 0, attempt 2, which has its result already (line 3)"},
		{"redispatch of an attempt with a result", []results.Event{dispatch(0, 1), dispatch(0, 2), result(0), dispatch(0, 2), result(0)},
			5, "attempt 2, which has its result already (line 4)"},
		{"second result with a different state", []results.Event{dispatch(0, 1),
			withResult(0, func(r *trial.Result) { r.State, r.Error = trial.Failed, "boom" }), result(0)},
			4, "second result for trial 0"},
		{"forged dispatch far beyond", []results.Event{dispatch(0, 1), result(0), dispatch(999999999999, 1)},
			4, "more than 100000 beyond the highest trial dispatched before it (0)"},
		{"a chain of jumps", []results.Event{dispatch(0, 1), dispatch(results.MaxTrialNumberGap/2, 1), dispatch(results.MaxTrialNumberGap, 1), dispatch(results.MaxTrialNumberGap+3, 1)},
			5, "leaves 100000 trial numbers below it never dispatched"},
		{"first dispatch far beyond", []results.Event{dispatch(results.MaxTrialNumberGap, 1)}, 2, "no trial was dispatched before it"},
		{"negative trial", []results.Event{dispatch(-5, 1)}, 2, "trial numbers start at 0"},
		{"negative attempt", []results.Event{dispatch(0, -1)}, 2, "attempts start at 1"},
		{"other seed", []results.Event{dispatch(0, 1), withResult(0, func(r *trial.Result) { r.Seed++ })},
			3, "seed differs from its dispatch's (line 2)"},
		{"other params", []results.Event{dispatch(0, 1), withResult(0, func(r *trial.Result) { r.Params = trial.Params{"n_neighbors": 99.0} })},
			3, "parameters differ"},
		{"other param value", []results.Event{dispatch(0, 1), withResult(0, func(r *trial.Result) {
			r.Params = r.Params.Clone()
			r.Params["weights"] = "uniform"
		})}, 3, "parameters differ"},
		{"other model", []results.Event{dispatch(0, 1), withResult(0, func(r *trial.Result) { r.Model = "tree" })}, 3, "model differs"},
		{"other budget", []results.Event{dispatch(0, 1), withResult(0, func(r *trial.Result) { r.Budget.Value = 3 })}, 3, "budget differs"},
		{"second study event", []results.Event{results.StudyEvent("t", at)}, 2, "study event after the journal's first record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A result that differs from its dispatch can only be written
			// whole: EncodeEvents records a result without the fields its
			// dispatch holds, so a reader gives it the dispatch's.
			whole := strings.HasPrefix(tc.name, "other ")
			text := journalText(t, tc.events...)
			if whole {
				text = wholeJournalText(t, tc.events...)
			}
			_, err := results.ReadJournal(strings.NewReader(text), "journal.jsonl")
			var ce *results.CorruptError
			if !errors.As(err, &ce) || ce.Line != tc.line || !errors.Is(err, results.ErrCorrupt) || !errors.Is(err, results.ErrInconsistent) {
				t.Fatalf("ReadJournal = %v, want an inconsistent record at line %d", err, tc.line)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "journal.jsonl:") {
				t.Errorf("error %q does not name the file and line and say %q", err, tc.want)
			}
			if tc.events[0].Type == results.EventStudy || whole {
				return // the first record in a Memory store, which has no study event
			}
			// The same events through the Memory store are refused too.
			m := results.NewMemory()
			if err := m.Append(context.Background(), tc.events...); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Events(context.Background()); !errors.Is(err, results.ErrInconsistent) || !errors.As(err, &ce) || ce.Line != tc.line-1 {
				t.Errorf("Memory.Events = %v, want an inconsistent record at line %d", err, tc.line-1)
			}
		})
	}
}

// TestCheckerAccepts: what schedulers do write — reruns after a resume,
// trials recovered out of order, a dispatch written twice, early
// stopping's rungs, a study resumed after it stopped — reads back whole.
func TestCheckerAccepts(t *testing.T) {
	rung := func(n, config, r int, value float64) (results.Event, results.Event) {
		tr := storetest.Trial(n)
		tr.Budget = trial.Budget{Name: "n_estimators", Value: value, Rung: r, Config: config, Max: 100}
		res := storetest.Result(n)
		res.Budget = tr.Budget
		return results.DispatchEvent(tr, at), results.ResultEvent(res, at)
	}
	d0, r0 := rung(0, 0, 0, 10)
	d1, r1 := rung(1, 1, 0, 10)
	d2, r2 := rung(2, 0, 1, 100)
	failed := withResult(2, func(r *trial.Result) {
		r.State, r.Error, r.Score, r.FoldScores = trial.Failed, "boom", 0, nil
	})
	inflight := storetest.Trial(3)
	inflight.Attempt = 2
	for _, tc := range []struct {
		name   string
		events []results.Event
	}{
		{"plain", []results.Event{dispatch(0, 1), dispatch(1, 1), result(1), result(0), results.StopEvent("max_trials", at)}},
		{"in flight at the end", []results.Event{dispatch(0, 1), dispatch(1, 1), result(0)}},
		{"rerun after a resume", []results.Event{dispatch(0, 1), dispatch(1, 1), result(0), dispatch(1, 2), result(1)}},
		{"rerun twice", []results.Event{dispatch(0, 1), dispatch(0, 2), dispatch(0, 3), result(0)}},
		{"attempt left out", []results.Event{dispatch(0, 0), dispatch(0, 2), result(0)}},
		{"dispatch written twice", []results.Event{dispatch(0, 1), dispatch(0, 1), result(0)}},
		{"recovered after higher numbers", []results.Event{dispatch(0, 1), dispatch(3, 1), result(3), dispatch(1, 0), result(1), dispatch(2, 1)}},
		{"recovered beyond the highest", []results.Event{dispatch(0, 1), result(0), dispatch(results.MaxTrialNumberGap, 1), result(results.MaxTrialNumberGap)}},
		{"resumed after a stop", []results.Event{dispatch(0, 1), result(0), results.StopEvent("max_trials", at), dispatch(1, 1), result(1)}},
		{"early stopping", []results.Event{d0, d1, r0, r1, d2, r2}},
		{"failed, and reruns of another", []results.Event{dispatch(2, 1), dispatch(3, 1), failed, dispatch(3, 3), results.DispatchEvent(inflight, at), result(3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := journalText(t, tc.events...)
			rp, err := results.ReadJournal(strings.NewReader(text), "journal.jsonl")
			if err != nil || len(rp.Events) != len(tc.events)+1 || len(rp.Warnings) > 0 {
				t.Fatalf("ReadJournal = %d events, warnings %q, %v; want %d", len(rp.Events), rp.Warnings, err, len(tc.events)+1)
			}
		})
	}
}

// TestCheckerAcrossParts: a Checker reading a journal in parts (an S3
// study's segments) judges each part after the ones before it, and names
// the earlier part in its error.
func TestCheckerAcrossParts(t *testing.T) {
	var c results.Checker
	parts := []string{
		journalText(t, dispatch(0, 1)),
		journalText(t, result(0))[len(journalText(t)):],
		journalText(t, result(0))[len(journalText(t)):],
	}
	for i, p := range parts[:2] {
		if _, err := c.Read(strings.NewReader(p), "part"+string(rune('1'+i))); err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
	}
	_, err := c.Read(strings.NewReader(parts[2]), "part3")
	var ce *results.CorruptError
	if !errors.As(err, &ce) || ce.File != "part3" || ce.Line != 1 || !strings.Contains(err.Error(), "the first is on part2:1") {
		t.Errorf("third part = %v, want a second result at part3:1 naming part2:1", err)
	}
}

// TestReopenRefusesForgedResult: the case. A study of 40 trials
// whose journal gained a result for trial 999999999999 is refused by
// Reopen (so resume does not stop at 21) and by Open's Replay (so the
// leaderboard does not rank it), naming the line; Reopen changes nothing.
func TestReopenRefusesForgedResult(t *testing.T) {
	dir, b := study(t, 21)
	forged, err := results.EncodeEvents([]results.Event{withResult(999999999999, func(r *trial.Result) { r.Score = 1 })})
	if err != nil {
		t.Fatal(err)
	}
	damaged := append(bytes.Clone(b), forged...)
	path := filepath.Join(dir, results.JournalFile)
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = results.Reopen(context.Background(), dir)
	var ce *results.CorruptError
	if !errors.As(err, &ce) || ce.Line != 44 || !errors.Is(err, results.ErrInconsistent) || !strings.Contains(err.Error(), "trial 999999999999") {
		t.Fatalf("Reopen = %v, want the forged result refused at line 44", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
		t.Error("Reopen changed the journal")
	}
	j, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Replay(context.Background()); !errors.As(err, &ce) || ce.Line != 44 {
		t.Errorf("Replay = %v, want the forged result refused at line 44", err)
	}
}

// TestGapCoversParallelism: a journal skips numbers only for trials that
// were in flight at a crash, at most search.MaxParallel of them, so the
// Checker's bound must not refuse such a journal.
func TestGapCoversParallelism(t *testing.T) {
	if results.MaxTrialNumberGap <= search.MaxParallel {
		t.Errorf("MaxTrialNumberGap %d does not exceed search.MaxParallel %d", results.MaxTrialNumberGap, search.MaxParallel)
	}
}
