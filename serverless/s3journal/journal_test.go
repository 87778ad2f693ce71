package s3journal_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

var at = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func study(t testing.TB) s3journal.Location {
	t.Helper()
	loc, err := s3journal.Parse("s3://bucket/runs/iris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func create(t testing.TB, api s3journal.API) *s3journal.Journal {
	t.Helper()
	j, err := s3journal.Create(context.Background(), api, study(t), []byte("name: iris\n"), []byte(`{"name":"iris"}`))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) results.Store { return create(t, newFakeS3()) })
}

// TestConformanceReopened runs the suite on a reopened journal, whose
// Events must still hold what it read and then wrote.
func TestConformanceReopened(t *testing.T) {
	storetest.Run(t, func(t *testing.T) results.Store {
		s3 := newFakeS3()
		create(t, s3).Close()
		j, _, err := s3journal.Reopen(context.Background(), s3, study(t))
		if err != nil {
			t.Fatal(err)
		}
		return j
	})
}

func pair(n int) []results.Event {
	return []results.Event{results.DispatchEvent(storetest.Trial(n), at), results.ResultEvent(storetest.Result(n), at)}
}

func appendPairs(t testing.TB, j *s3journal.Journal, from, to int) {
	t.Helper()
	for n := from; n < to; n++ {
		if err := j.Append(context.Background(), pair(n)...); err != nil {
			t.Fatalf("Append %d: %v", n, err)
		}
	}
}

func resultNumbers(events []results.Event) []int {
	var ns []int
	for _, e := range events {
		if e.Type == results.EventResult {
			ns = append(ns, e.Result.Number)
		}
	}
	return ns
}

// TestReopenContinues: a study written by one journal, closed (or its
// process gone), is read back page by page by Reopen and Open, and
// Reopen's appends follow it.
func TestReopenContinues(t *testing.T) {
	ctx := context.Background()
	s3 := newFakeS3()
	j := create(t, s3)
	appendPairs(t, j, 0, 10) // 11 segments: more than three pages
	j.Close()

	j2, rp, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Events) != 21 || rp.Events[0].Type != results.EventStudy || rp.Events[0].Study != "iris" || len(rp.Warnings) != 0 {
		t.Fatalf("Reopen: %d events, first %+v, warnings %v", len(rp.Events), rp.Events[0], rp.Warnings)
	}
	appendPairs(t, j2, 10, 12)
	if err := j2.Append(ctx, results.StopEvent("max_trials", at)); err != nil {
		t.Fatal(err)
	}
	j2.Close()

	evs, err := s3journal.Open(s3, study(t)).Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := resultNumbers(evs); len(got) != 12 || got[11] != 11 || evs[len(evs)-1].Type != results.EventStop {
		t.Errorf("Open read results %v, last %v", got, evs[len(evs)-1].Type)
	}
	if keys := s3.keys(); len(keys) != 2+14 || keys[len(keys)-1] != "runs/iris/spec.yaml" ||
		keys[13] != "runs/iris/journal/00000000000000000014.jsonl" {
		t.Errorf("objects: %v", keys)
	}
	if err := s3journal.Open(s3, study(t)).Append(ctx, pair(99)...); !errors.Is(err, results.ErrReadOnly) {
		t.Errorf("Append on Open = %v, want ErrReadOnly", err)
	}
}

func TestCreateRefusesExisting(t *testing.T) {
	s3 := newFakeS3()
	create(t, s3).Close()
	_, err := s3journal.Create(context.Background(), s3, study(t), nil, []byte("{}"))
	if !errors.Is(err, trial.ErrStudyExists) || !strings.Contains(err.Error(), "hpsearch resume s3://bucket/runs/iris") {
		t.Errorf("Create of an existing study = %v", err)
	}
}

// TestCreateRace: of Creates racing for one study, one wins and the
// others are refused without having changed its files.
func TestCreateRace(t *testing.T) {
	s3 := newFakeS3()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, err := s3journal.Create(context.Background(), s3, study(t), []byte("yaml"), []byte{byte('0' + i)})
			if err == nil {
				j.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("Creates %d and %d both succeeded", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, trial.ErrStudyExists):
			t.Errorf("Create %d: %v", i, err)
		}
	}
	spec, err := s3journal.ReadFile(context.Background(), s3, study(t), results.SpecJSONFile)
	if won < 0 || err != nil || string(spec) != string(rune('0'+won)) {
		t.Errorf("winner %d, spec.json %q, %v", won, spec, err)
	}
}

// TestCreateRaceSameSpec: racers with the same spec (the same command
// started twice) write the same spec.json bytes; the losers must not take
// the winner's objects for their own, nor delete them on the way out.
func TestCreateRaceSameSpec(t *testing.T) {
	ctx := context.Background()
	s3 := newFakeS3()
	var wg sync.WaitGroup
	journals := make([]*s3journal.Journal, 8)
	errs := make([]error, len(journals))
	for i := range journals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			journals[i], errs[i] = s3journal.Create(ctx, s3, study(t), []byte("yaml"), []byte("json"))
		}()
	}
	wg.Wait()
	var winner *s3journal.Journal
	for i, err := range errs {
		switch {
		case err == nil && winner != nil:
			t.Fatalf("two Creates succeeded (the second is %d)", i)
		case err == nil:
			winner = journals[i]
		case !errors.Is(err, trial.ErrStudyExists):
			t.Errorf("Create %d: %v", i, err)
		}
	}
	if winner == nil {
		t.Fatal("no Create succeeded")
	}
	appendPairs(t, winner, 0, 2)
	winner.Close()
	for _, name := range []string{results.SpecJSONFile, results.SpecYAMLFile} {
		if _, err := s3journal.ReadFile(ctx, s3, study(t), name); err != nil {
			t.Errorf("after the race, %s: %v", name, err)
		}
	}
	j, rp, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil || len(rp.Events) != 5 {
		t.Errorf("reopen after the race: %d events, %v; want the study event and two trials", len(rp.Events), err)
	}
	if j != nil {
		j.Close()
	}
}

// TestTwoWriters: two schedulers resume the same study; the one that
// writes a segment second is refused with ErrLocked naming the other,
// and writes nothing more, while the first goes on.
func TestTwoWriters(t *testing.T) {
	ctx := context.Background()
	s3 := newFakeS3()
	j := create(t, s3)
	appendPairs(t, j, 0, 2)
	j.Close()
	a, _, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := s3journal.Reopen(ctx, s3, study(t))
	if err != nil {
		t.Fatal(err)
	}
	appendPairs(t, a, 2, 3)
	err = b.Append(ctx, pair(50)...)
	var ce *s3journal.ConflictError
	if !errors.Is(err, results.ErrLocked) || !errors.As(err, &ce) {
		t.Fatalf("second writer's Append = %v, want a ConflictError wrapping ErrLocked", err)
	}
	if ce.Owner.PID == 0 || ce.Segment != "s3://bucket/runs/iris/journal/00000000000000000004.jsonl" ||
		!strings.Contains(err.Error(), "in use by another scheduler (pid ") {
		t.Errorf("conflict: %v (%+v)", err, ce)
	}
	appendPairs(t, a, 3, 5)
	if err := b.Append(ctx, pair(51)...); !errors.Is(err, results.ErrLocked) {
		t.Errorf("the refused writer's next Append = %v, want ErrLocked again", err)
	}
	evs, err := s3journal.Open(s3, study(t)).Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := resultNumbers(evs); len(got) != 5 || got[4] != 4 {
		t.Errorf("results in the journal: %v, want 0..4 (the first writer's only)", got)
	}
}

// TestLandedPutRetried: a PUT whose write landed but whose answer was
// lost is retried by the SDK and refused with 412; the journal sees its
// own bytes there and counts the write as done.
func TestLandedPutRetried(t *testing.T) {
	s3 := newFakeS3()
	j := create(t, s3)
	s3.beforePut = func(key string) (error, bool) {
		if strings.HasSuffix(key, "2.jsonl") {
			return apiError(http.StatusPreconditionFailed, "PreconditionFailed"), true
		}
		return nil, false
	}
	appendPairs(t, j, 0, 3)
	evs, err := s3journal.Open(s3, study(t)).Events(context.Background())
	if err != nil || len(resultNumbers(evs)) != 3 {
		t.Errorf("journal: %v results, %v", resultNumbers(evs), err)
	}
}

// TestConditionalConflictRetried: a 409 (a concurrent conditional write
// of the key in progress) is retried.
func TestConditionalConflictRetried(t *testing.T) {
	s3 := newFakeS3()
	j := create(t, s3)
	conflicts := 2
	s3.beforePut = func(key string) (error, bool) {
		if conflicts > 0 {
			conflicts--
			return apiError(http.StatusConflict, "ConditionalRequestConflict"), false
		}
		return nil, false
	}
	appendPairs(t, j, 0, 1)
	if conflicts != 0 {
		t.Errorf("%d conflicts left", conflicts)
	}
}

// TestFailedPutBreaks: after a PUT fails, whether it landed is unknown,
// so the journal refuses every later Append, naming the segment.
func TestFailedPutBreaks(t *testing.T) {
	s3 := newFakeS3()
	j := create(t, s3)
	s3.beforePut = func(key string) (error, bool) {
		return apiError(http.StatusInternalServerError, "InternalError"), false
	}
	err := j.Append(context.Background(), pair(0)...)
	if err == nil || !strings.Contains(err.Error(), "s3://bucket/runs/iris/journal/00000000000000000002.jsonl") {
		t.Fatalf("Append = %v", err)
	}
	s3.beforePut = nil
	if err2 := j.Append(context.Background(), pair(1)...); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Append after a failed one = %v, want %v", err2, err)
	}
	if n := len(s3.keys()); n != 3 {
		t.Errorf("%d objects, want spec.yaml, spec.json and the study segment", n)
	}
}

// TestGroupCommit: Appends that arrive while a PUT is under way share the
// next one.
func TestGroupCommit(t *testing.T) {
	s3 := newFakeS3()
	j := create(t, s3)
	defer j.Close()
	s3.latency = 20 * time.Millisecond
	before := s3.puts.Load()
	var wg sync.WaitGroup
	for n := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Append(context.Background(), pair(n)...); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if puts := s3.puts.Load() - before; puts > 4 {
		t.Errorf("16 concurrent Appends made %d PUTs, want at most 4", puts)
	}
	evs, _ := j.Events(context.Background())
	if len(resultNumbers(evs)) != 16 {
		t.Errorf("%d results", len(resultNumbers(evs)))
	}
}

// TestDamagedJournal: a gap in the numbering, a segment that is not one
// and a damaged segment are errors naming the object, and Reopen writes
// nothing.
func TestDamagedJournal(t *testing.T) {
	const seg = "runs/iris/journal/0000000000000000000"
	for _, tc := range []struct {
		name   string
		damage func(*fakeS3)
		want   string
		line   int
	}{
		{"gap", func(s *fakeS3) { s.DeleteObject(context.Background(), deleteInput(seg+"3.jsonl")) },
			"segment s3://bucket/" + seg + "3.jsonl is missing", 0},
		{"stray object", func(s *fakeS3) { s.set("runs/iris/journal/notes.txt", []byte("x")) },
			"s3://bucket/runs/iris/journal/notes.txt is not a journal segment", 0},
		{"bad record", func(s *fakeS3) { s.set(seg+"3.jsonl", []byte("{\"type\":\"dispatch\"}\n{}\n")) },
			"s3://bucket/" + seg + "3.jsonl:1: corrupt journal record", 1},
		{"torn last record", func(s *fakeS3) { s.set(seg+"3.jsonl", []byte("{\"type\":\"stop\",\"reason\":\"x\"}\n{\"type\":\"sto")) },
			"s3://bucket/" + seg + "3.jsonl:2: corrupt journal record", 2},
		{"empty segment", func(s *fakeS3) { s.set(seg+"3.jsonl", nil) },
			"s3://bucket/" + seg + "3.jsonl:1: corrupt journal record: an empty segment", 1},
		// Records that read well but that no scheduler writes, judged
		// across segments as in a file (see results.Checker).
		{"forged result", func(s *fakeS3) { s.set(seg+"5.jsonl", encode(t, forgedResult(999999999999))) },
			"s3://bucket/" + seg + "5.jsonl:1: inconsistent journal record: a result for trial 999999999999, beyond any trial dispatched before it (the highest is 2)", 1},
		{"second result in a later segment", func(s *fakeS3) { s.set(seg+"5.jsonl", encode(t, pair(3)[0], pair(1)[1])) },
			"s3://bucket/" + seg + "5.jsonl:2: inconsistent journal record: a second result for trial 1 (attempt 1; the first is on s3://bucket/" + seg + "3.jsonl:2)", 2},
		{"result before its dispatch", func(s *fakeS3) { s.set(seg+"5.jsonl", encode(t, pair(3)[1], pair(3)[0])) },
			"s3://bucket/" + seg + "5.jsonl:1: inconsistent journal record: a result for trial 3, beyond any", 1},
		{"forged dispatch", func(s *fakeS3) { s.set(seg+"5.jsonl", encode(t, pair(999999999999)...)) },
			"s3://bucket/" + seg + "5.jsonl:1: inconsistent journal record: a dispatch of trial 999999999999, more than", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s3 := newFakeS3()
			j := create(t, s3)
			appendPairs(t, j, 0, 3)
			j.Close()
			tc.damage(s3)
			before := s3.puts.Load()
			_, _, err := s3journal.Reopen(context.Background(), s3, study(t))
			if !errors.Is(err, results.ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Reopen = %v, want ErrCorrupt with %q", err, tc.want)
			}
			var ce *results.CorruptError
			if tc.line > 0 && (!errors.As(err, &ce) || ce.Line != tc.line) {
				t.Errorf("Reopen = %#v, want a CorruptError at line %d", err, tc.line)
			}
			if s3.puts.Load() != before {
				t.Error("Reopen wrote")
			}
			if _, err := s3journal.Open(s3, study(t)).Events(context.Background()); !errors.Is(err, results.ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Events = %v, want ErrCorrupt with %q", err, tc.want)
			}
		})
	}
}

// forgedResult is a complete, well-formed result for trial n, journaled
// without a dispatch.
func forgedResult(n int) results.Event {
	return results.ResultEvent(storetest.Result(n), at)
}

func encode(t testing.TB, events ...results.Event) []byte {
	t.Helper()
	b, err := results.EncodeEvents(events)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNotAStudy(t *testing.T) {
	ctx := context.Background()
	s3 := newFakeS3()
	if _, _, err := s3journal.Reopen(ctx, s3, study(t)); !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), "is not a study") {
		t.Errorf("Reopen of nothing = %v", err)
	}
	s3.set("runs/iris/spec.json", []byte("{}"))
	_, _, err := s3journal.Reopen(ctx, s3, study(t))
	if !errors.Is(err, trial.ErrBadInput) || !strings.Contains(err.Error(), "stopped before it was done") {
		t.Errorf("Reopen of a half-created study = %v", err)
	}
	if _, err := s3journal.Open(s3, study(t)).Events(ctx); !errors.Is(err, trial.ErrBadInput) {
		t.Errorf("Events of a half-created study = %v", err)
	}
}

// TestCreateCleansUp: a Create that fails after writing spec.json
// removes what it wrote, so the name is free again.
func TestCreateCleansUp(t *testing.T) {
	s3 := newFakeS3()
	s3.beforePut = func(key string) (error, bool) {
		if strings.HasSuffix(key, ".jsonl") {
			return apiError(http.StatusForbidden, "AccessDenied"), false
		}
		return nil, false
	}
	if _, err := s3journal.Create(context.Background(), s3, study(t), nil, []byte("{}")); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("Create = %v", err)
	}
	if keys := s3.keys(); len(keys) != 0 {
		t.Errorf("left %v", keys)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ url, bucket, key, joined string }{
		{"s3://bkt", "bkt", "", "s3://bkt/n"},
		{"s3://bkt/", "bkt", "", "s3://bkt/n"},
		{"s3://bkt/runs/x/", "bkt", "runs/x", "s3://bkt/runs/x/n"},
	} {
		l, err := s3journal.Parse(tc.url)
		if err != nil || l.Bucket != tc.bucket || l.Key != tc.key || l.Join("n").String() != tc.joined {
			t.Errorf("Parse(%q) = %+v, %v", tc.url, l, err)
		}
		if p, name := l.Join("n").Split(); p != l || name != "n" {
			t.Errorf("Split(%v) = %v, %q", l.Join("n"), p, name)
		}
	}
	for _, bad := range []string{"/tmp/x", "s3://", "s3:///k", "s3://bkt/a//c", "s3://bkt/../c",
		"s3://b/runs", "s3://Bad_Bucket/../x", "s3://my..bucket/x", "s3://192.168.0.1/x"} {
		if _, err := s3journal.Parse(bad); !errors.Is(err, trial.ErrBadInput) {
			t.Errorf("Parse(%q) = %v, want ErrBadInput", bad, err)
		}
	}
}
