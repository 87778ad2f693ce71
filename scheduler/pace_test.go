package scheduler

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
)

// TestPacer: results are due once the gap has passed since the last
// hand-over (at once before the first, and at once without a gap);
// dispatches alone also wait dispatchDelay from when they began to wait,
// which a later look does not postpone.
func TestPacer(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	type look struct {
		now     time.Time
		results bool
		want    time.Time
	}
	for _, c := range []struct {
		name  string
		gap   time.Duration
		last  time.Time // zero: nothing handed over yet
		looks []look
	}{
		{"first results at once", 10 * time.Millisecond, time.Time{}, []look{{ms(0), true, ms(0)}}},
		{"first dispatches wait", 10 * time.Millisecond, time.Time{}, []look{{ms(0), false, ms(5)}, {ms(3), false, ms(5)}}},
		{"results within the gap", 10 * time.Millisecond, ms(0), []look{{ms(4), true, ms(10)}, {ms(10), true, ms(10)}}},
		{"results after the gap", 10 * time.Millisecond, ms(0), []look{{ms(30), true, ms(10)}}},
		{"dispatches within the gap", 10 * time.Millisecond, ms(0), []look{{ms(1), false, ms(10)}, {ms(8), false, ms(10)}}},
		{"dispatches after the gap", 10 * time.Millisecond, ms(0), []look{{ms(20), false, ms(25)}, {ms(24), false, ms(25)}, {ms(24), true, ms(10)}}},
		{"no gap: results", 0, ms(0), []look{{ms(1), true, ms(0)}}},
		{"no gap: dispatches", 0, ms(0), []look{{ms(1), false, ms(6)}, {ms(6), false, ms(6)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := pacer{gap: c.gap, last: c.last}
			for i, l := range c.looks {
				if got := p.due(l.now, l.results); !got.Equal(l.want) {
					t.Errorf("look %d at %v (results %v): due %v, want %v", i, l.now.Sub(t0), l.results, got.Sub(t0), l.want.Sub(t0))
				}
			}
		})
	}
	t.Run("hand-over resets", func(t *testing.T) {
		p := pacer{gap: 10 * time.Millisecond}
		p.due(ms(0), false)
		p.handedOver(ms(7))
		if got := p.due(ms(20), false); !got.Equal(ms(25)) {
			t.Errorf("dispatches seen at 20 ms after a hand-over at 7 ms: due %v, want 25ms", got.Sub(t0))
		}
	})
}

// countingStore counts Appends.
type countingStore struct {
	results.Store
	appends atomic.Int64
}

func (s *countingStore) Append(ctx context.Context, events ...results.Event) error {
	s.appends.Add(1)
	return s.Store.Append(ctx, events...)
}

// TestRunPacesWrites: above Parallel 1 a study of fast trials hands its
// events to the store at most once per commitGap, plus the writes of its
// end (what is left once nothing executes, and the stop event), however
// fast the trials finish. The bound is on the count of writes in the time Run
// took, so a slow machine only loosens it.
func TestRunPacesWrites(t *testing.T) {
	const trials = 3000
	for _, parallel := range []int{4, 64} {
		store := &countingStore{Store: results.NewMemory()}
		cfg := testConfig(&fakeSampler{}, &fakeExecutor{})
		cfg.Store, cfg.Parallel, cfg.MaxTrials = store, parallel, trials
		start := time.Now()
		out, err := Run(context.Background(), cfg)
		elapsed := time.Since(start)
		if err != nil || out.Complete != trials {
			t.Fatalf("parallel %d: Run = %v after %d trials", parallel, err, out.Complete)
		}
		if n, most := store.appends.Load(), int64(elapsed/commitGap)+3; n > most {
			t.Errorf("parallel %d: %d writes in %v, want at most %d (one per %v and the end's)", parallel, n, elapsed, most, commitGap)
		}
		checkJournal(t, journalEvents(t, store))
	}
}
