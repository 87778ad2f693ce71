package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// randomJournal encodes a journal as a scheduler writes one, drawn from
// rng: trials dispatched in number order, results landing out of order
// (complete, failed with an error, pruned with steps, complete rungs
// below the full budget that StateOf calls pruned), trials lost in
// flight and dispatched again with the next attempt (an outage, or a
// resume after a crash), and stops after which the study is resumed.
func randomJournal(tb testing.TB, rng *rand.Rand) []byte {
	tb.Helper()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0
	tick := func() time.Time {
		now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		return now
	}
	events := []results.Event{results.StudyEvent("prop", t0)}
	type flight struct {
		t       trial.Trial
		started time.Time
	}
	var inFlight []flight
	next := 0
	for range 20 + rng.IntN(120) {
		switch k := rng.IntN(10); {
		case k < 4 || len(inFlight) == 0:
			tr := trial.Trial{Number: next, Model: []string{"svc", "knn"}[rng.IntN(2)], Seed: rng.Uint64(), Attempt: 1,
				Params: trial.Params{"c": rng.Float64() * 100, "kernel": []string{"rbf", "linear", "poly"}[rng.IntN(3)]}}
			if rng.IntN(4) == 0 {
				v := float64(1 + rng.IntN(9))
				tr.Budget = trial.Budget{Name: "epochs", Value: v, Rung: int(v) / 3, Config: next, Max: 9}
			}
			next++
			at := tick()
			events = append(events, results.DispatchEvent(tr, at))
			inFlight = append(inFlight, flight{tr, at})
		case k < 8:
			i := rng.IntN(len(inFlight))
			f := inFlight[i]
			inFlight = slices.Delete(inFlight, i, i+1)
			r := trial.Result{Number: f.t.Number, Model: f.t.Model, Params: f.t.Params, Seed: f.t.Seed, Budget: f.t.Budget,
				State: trial.Complete, Score: rng.NormFloat64(), Seconds: rng.Float64(), Started: f.started, Finished: tick()}
			switch rng.IntN(6) {
			case 0:
				r.State, r.Score, r.Error = trial.Failed, 0, fmt.Sprintf("trial %d: boom\nat line %d", r.Number, rng.IntN(99))
			case 1:
				r.State = trial.Pruned
				for s := range 1 + rng.IntN(4) {
					r.Steps = append(r.Steps, trial.Step{Step: int64(s), Value: rng.Float64()})
				}
			}
			events = append(events, results.ResultEvent(r, r.Finished))
		case k < 9:
			// Lost in flight, then run again with the next attempt.
			i := rng.IntN(len(inFlight))
			inFlight[i].t.Attempt++
			inFlight[i].started = tick()
			events = append(events, results.DispatchEvent(inFlight[i].t, inFlight[i].started))
		default:
			events = append(events, results.StopEvent([]string{"max_trials", "interrupted", "budget"}[rng.IntN(3)], tick()))
		}
	}
	b, err := results.EncodeEvents(events)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// writeSpec writes the spec.json of a study of randomJournal's trials
// into a new directory, and returns the directory.
func writeSpec(tb testing.TB, dir trial.Direction) string {
	tb.Helper()
	spec := search.Spec{Name: "prop", Metric: "score", Direction: dir,
		Search: search.SearchSettings{Method: "random", MaxTrials: 1000, Seed: 1},
		Models: []search.ModelSpace{{Model: "svc", Params: []search.Dimension{
			{Name: "c", Kind: trial.Float, Min: 0, Max: 100},
			{Name: "kernel", Kind: trial.Categorical, Values: []any{"rbf", "linear", "poly"}}}}}}
	b, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	d := tb.TempDir()
	if err := os.WriteFile(filepath.Join(d, results.SpecJSONFile), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return d
}

// cuts returns where a journal of b is cut between reads: at the ends of
// records, in the middle of records (a torn record) and just before a
// record's newline (a record without it), sorted, ending at len(b).
func cuts(rng *rand.Rand, b []byte) []int {
	var ends []int
	for i, c := range b {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	var out []int
	for range 1 + rng.IntN(8) {
		e := ends[rng.IntN(len(ends))]
		switch rng.IntN(3) {
		case 0:
			out = append(out, e)
		case 1:
			out = append(out, e-1) // the record without its newline
		default:
			out = append(out, e-1-rng.IntN(20)) // a torn record
		}
	}
	out = append(out, len(b))
	slices.Sort(out)
	return slices.Compact(out)
}

// trialsString is everything a study's Trials gives, as text (a NaN
// score compares equal to a NaN score, which == does not).
func trialsString(st *report.Study) string {
	t := st.Trials()
	var b strings.Builder
	start, last := t.Span()
	fmt.Fprintf(&b, "summary %s\nkept %d span %v %v\nfinals %+v\ntable %+v\n", summaryText(t.Summary()), t.Kept(), start, last, t.Finals(), t.Table())
	for r := range t.Results() {
		fmt.Fprintf(&b, "result %+v\n", *r)
	}
	for n := -1; n <= len(t.Table())+1; n++ {
		r, dispatched, hasResult := t.Trial(n)
		fmt.Fprintf(&b, "trial %d: %v %v %+v\n", n, dispatched, hasResult, r)
	}
	return b.String()
}

func summaryText(s results.Summary) string {
	best := "none"
	if s.Best != nil {
		best = fmt.Sprintf("%+v", *s.Best)
	}
	return fmt.Sprintf("%d dispatched, %d running, %d complete, %d pruned, %d failed, stop %q, best %s",
		s.Dispatched, s.Running, s.Complete, s.Pruned, s.Failed, s.StopReason, best)
}

// warningKinds is what the warnings say, without the lines they name
// (a reload counts lines from where it started).
func warningKinds(ws []string) []string {
	var out []string
	for _, w := range ws {
		switch {
		case strings.Contains(w, "torn"):
			out = append(out, "torn")
		case strings.Contains(w, "no trailing newline"):
			out = append(out, "no newline")
		default:
			out = append(out, w)
		}
	}
	return out
}

// TestReloadInPlaceIsAFreshRead is the property a dashboard following a
// running study rests on: whatever the journal (failures, pruned trials
// and rungs, retries, stops and resumes) and wherever its growth is cut
// between reads (between records, in the middle of one, before a
// record's newline), a study brought up to date in place by Reload holds
// what a fresh read (LoadTrials) of the journal as it stands gives: the
// same trials, summary, order of results and warnings, and, once the
// whole journal is read, the same report, byte for byte.
func TestReloadInPlaceIsAFreshRead(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 15))
		dir := trial.Maximize
		if seed%2 == 1 {
			dir = trial.Minimize
		}
		d := writeSpec(t, dir)
		journal := randomJournal(t, rng)
		path := filepath.Join(d, results.JournalFile)
		cs := cuts(rng, journal)
		if err := os.WriteFile(path, journal[:cs[0]], 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := report.LoadTrials(ctx, d)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		from := cs[0]
		for _, c := range cs[1:] {
			appendJournal(t, d, journal[from:c])
			from = c
			got, err := st.Reload(ctx)
			if err != nil {
				t.Fatalf("seed %d, reload at byte %d: %v", seed, c, err)
			}
			if got != st {
				t.Fatalf("seed %d, reload at byte %d: a new study, want st brought up to date in place", seed, c)
			}
			fresh, err := report.LoadTrials(ctx, d)
			if err != nil {
				t.Fatalf("seed %d, fresh read at byte %d: %v", seed, c, err)
			}
			if g, w := trialsString(st), trialsString(fresh); g != w {
				t.Fatalf("seed %d, at byte %d of %d: reloaded\n%s\nread afresh\n%s", seed, c, len(journal), g, w)
			}
			if g, w := warningKinds(st.Warnings), warningKinds(fresh.Warnings); !slices.Equal(g, w) {
				t.Errorf("seed %d, at byte %d: warnings %q, read afresh %q", seed, c, st.Warnings, fresh.Warnings)
			}
			if c == len(journal) && !bytes.Equal(html(t, st), html(t, fresh)) {
				t.Errorf("seed %d, at byte %d: the reloaded study reports differently from the study read afresh", seed, c)
			}
		}
	}
}
