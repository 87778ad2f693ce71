// Package storetest is the conformance suite of results.Store: every
// implementation runs it from its own tests, as restic's backends run
// theirs.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Run checks that stores made by open honour the results.Store contract.
// open returns a new, open store; it may hold events already (a journal
// starts with its study event) and the suite only looks at what follows
// them. The suite closes the stores it opens.
func Run(t *testing.T, open func(t *testing.T) results.Store) {
	t.Run("AppendThenEvents", func(t *testing.T) { testAppendThenEvents(t, open(t)) })
	t.Run("EmptyAppend", func(t *testing.T) { testEmptyAppend(t, open(t)) })
	t.Run("InvalidEventAppendsNothing", func(t *testing.T) { testInvalid(t, open(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, open(t)) })
	t.Run("ConcurrentAppends", func(t *testing.T) { testConcurrent(t, open(t)) })
	t.Run("Close", func(t *testing.T) { testClose(t, open(t)) })
	t.Run("EventsAreCopies", func(t *testing.T) { testCopies(t, open(t)) })
}

// Trial returns a trial to journal, numbered n.
func Trial(n int) trial.Trial {
	return trial.Trial{
		Number: n, Model: "knn", Seed: uint64(1000 + n), Attempt: 1,
		Params: trial.Params{"n_neighbors": float64(n%7 + 1), "weights": "distance", "scale": true},
	}
}

// Result returns a complete result for Trial(n).
func Result(n int) trial.Result {
	t := Trial(n)
	return trial.Result{
		Number: n, State: trial.Complete, Model: t.Model, Params: t.Params, Seed: t.Seed,
		Score: 0.9 + float64(n%10)/100, FoldScores: []float64{0.9, 0.95}, Seconds: 0.25,
		Started:  time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		Finished: time.Date(2025, 1, 2, 3, 4, 6, 0, time.UTC),
	}
}

var at = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func baseline(t *testing.T, s results.Store) int {
	t.Helper()
	evs, err := s.Events(context.Background())
	if err != nil {
		t.Fatalf("Events on a new store: %v", err)
	}
	return len(evs)
}

func mustEvents(t *testing.T, s results.Store, skip int) []results.Event {
	t.Helper()
	evs, err := s.Events(context.Background())
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	if len(evs) < skip {
		t.Fatalf("Events returned %d events, fewer than the %d the store started with", len(evs), skip)
	}
	return evs[skip:]
}

// sameEvents compares through JSON, which is what a store promises to
// preserve.
func sameEvents(t *testing.T, got, want []results.Event) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("events differ\n got: %s\nwant: %s", g, w)
	}
}

func closeStore(t *testing.T, s results.Store) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func testAppendThenEvents(t *testing.T, s results.Store) {
	defer closeStore(t, s)
	ctx := context.Background()
	skip := baseline(t, s)
	want := []results.Event{
		results.DispatchEvent(Trial(0), at),
		results.DispatchEvent(Trial(1), at),
		results.ResultEvent(Result(1), at),
		results.ResultEvent(Result(0), at),
		results.StopEvent("max_trials", at),
	}
	if err := s.Append(ctx, want[:2]...); err != nil {
		t.Fatalf("Append: %v", err)
	}
	for _, e := range want[2:] {
		if err := s.Append(ctx, e); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	got := mustEvents(t, s, skip)
	sameEvents(t, got, want)
	if len(got) == len(want) {
		r := got[2].Result
		if r == nil || r.Number != 1 || r.State != trial.Complete || !r.Finished.Equal(Result(1).Finished) {
			t.Errorf("result event read back as %+v", r)
		}
		if n, ok := got[0].Trial.Params.Int("n_neighbors"); !ok || n != 1 {
			t.Errorf("n_neighbors read back as %v, %v", n, ok)
		}
	}
}

func testEmptyAppend(t *testing.T, s results.Store) {
	defer closeStore(t, s)
	skip := baseline(t, s)
	if err := s.Append(context.Background()); err != nil {
		t.Fatalf("Append of no events: %v", err)
	}
	if got := mustEvents(t, s, skip); len(got) != 0 {
		t.Errorf("Append of no events recorded %d", len(got))
	}
}

func testInvalid(t *testing.T, s results.Store) {
	defer closeStore(t, s)
	skip := baseline(t, s)
	bad := [][]results.Event{
		{results.DispatchEvent(Trial(0), at), {Type: results.EventDispatch}},
		{{Type: "bogus"}},
		{results.ResultEvent(trial.Result{Number: 1, State: trial.Running}, at)},
		{results.DispatchEvent(Trial(2), at), {Type: results.EventStop}},
	}
	for i, events := range bad {
		err := s.Append(context.Background(), events...)
		if !errors.Is(err, results.ErrInvalidEvent) {
			t.Errorf("case %d: Append = %v, want ErrInvalidEvent", i, err)
		}
	}
	if got := mustEvents(t, s, skip); len(got) != 0 {
		t.Errorf("failed Appends recorded %d events", len(got))
	}
}

func testCancelled(t *testing.T, s results.Store) {
	defer closeStore(t, s)
	skip := baseline(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Append(ctx, results.DispatchEvent(Trial(0), at)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context = %v, want context.Canceled", err)
	}
	if got := mustEvents(t, s, skip); len(got) != 0 {
		t.Errorf("Append with a cancelled context recorded %d events", len(got))
	}
}

// testConcurrent appends dispatch+result pairs from many goroutines and
// checks that nothing is lost, each pair stays together and each
// goroutine's pairs stay in order.
func testConcurrent(t *testing.T, s results.Store) {
	defer closeStore(t, s)
	skip := baseline(t, s)
	const writers, perWriter = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				n := w*perWriter + i
				err := s.Append(context.Background(),
					results.DispatchEvent(Trial(n), at), results.ResultEvent(Result(n), at))
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	got := mustEvents(t, s, skip)
	if len(got) != 2*writers*perWriter {
		t.Fatalf("got %d events, want %d", len(got), 2*writers*perWriter)
	}
	next := make([]int, writers) // next expected i per writer
	for k := 0; k < len(got); k += 2 {
		d, r := got[k], got[k+1]
		if d.Type != results.EventDispatch || r.Type != results.EventResult || d.Trial.Number != r.Result.Number {
			t.Fatalf("events %d and %d are not a dispatch and its result: %v %v", k, k+1, d.Type, r.Type)
		}
		n := d.Trial.Number
		w, i := n/perWriter, n%perWriter
		if i != next[w] {
			t.Fatalf("writer %d: got append %d, want %d", w, i, next[w])
		}
		next[w]++
	}
}

func testClose(t *testing.T, s results.Store) {
	skip := baseline(t, s)
	if err := s.Append(context.Background(), results.DispatchEvent(Trial(0), at)); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Append(context.Background(), results.DispatchEvent(Trial(1), at)); !errors.Is(err, results.ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if got := mustEvents(t, s, skip); len(got) != 1 {
		t.Errorf("after Close, Events returned %d events, want 1", len(got))
	}
}

func testCopies(t *testing.T, s results.Store) {
	defer closeStore(t, s)
	skip := baseline(t, s)
	if err := s.Append(context.Background(), results.DispatchEvent(Trial(0), at), results.ResultEvent(Result(0), at)); err != nil {
		t.Fatalf("Append: %v", err)
	}
	first := mustEvents(t, s, skip)
	first[1].Result.Params["n_neighbors"] = "changed"
	first[1].Result.Score = -1
	second := mustEvents(t, s, skip)
	if got := fmt.Sprint(second[1].Result.Params["n_neighbors"]); got == "changed" || second[1].Result.Score == -1 {
		t.Errorf("changing what Events returned changed the store")
	}
}
