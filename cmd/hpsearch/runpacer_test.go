package main

import (
	"sync"
	"testing"
	"time"
)

// TestRunLimitFollowsTheLiveHeap: the run's limit is the headroom above
// the live heap, and never below its floor.
func TestRunLimitFollowsTheLiveHeap(t *testing.T) {
	for _, tc := range []struct {
		name string
		live uint64
		want int64
	}{
		{"no live heap: the floor", 0, runMemoryFloor},
		{"a small heap: the floor", 40 << 20, runMemoryFloor},
		{"a heap the floor would hold back: the headroom above it", 200 << 20, 200<<20 + paceHeadroom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runLimit(tc.live); got != tc.want {
				t.Errorf("runLimit(%d) = %d, want %d", tc.live, got, tc.want)
			}
		})
	}
}

// TestRunPacerSetsLimitsFromStartToStop: a started pacer sets the limit
// for the live heap it reads, sets none once stop has returned (nor
// after a start that follows a stop), and a pacer never started, or nil,
// stops at once.
func TestRunPacerSetsLimitsFromStartToStop(t *testing.T) {
	var (
		mu      sync.Mutex
		limits  []int64
		stopped bool
		late    bool
	)
	set := make(chan struct{}, 1)
	p := &runPacer{
		every: time.Millisecond,
		live:  func() (uint64, bool) { return 300 << 20, true },
		setLimit: func(l int64) int64 {
			mu.Lock()
			defer mu.Unlock()
			limits = append(limits, l)
			late = late || stopped
			select {
			case set <- struct{}{}:
			default:
			}
			return 0
		},
	}
	p.start()
	p.start() // a second start changes nothing
	select {
	case <-set:
	case <-time.After(time.Minute): // a hang guard only
		t.Fatal("a started pacer set no limit")
	}
	p.stop()
	mu.Lock()
	stopped = true
	mu.Unlock()
	p.start()
	p.stop()
	mu.Lock()
	defer mu.Unlock()
	if late {
		t.Error("the pacer set a limit after stop returned")
	}
	for _, l := range limits {
		if l != runLimit(300<<20) {
			t.Errorf("limit %d, want runLimit of the live heap, %d", l, runLimit(300<<20))
		}
	}

	never := &runPacer{every: time.Millisecond}
	never.stop()
	never.start() // after stop: nothing starts (live and setLimit are nil)
	never.stop()
	var none *runPacer
	none.start()
	none.stop()
}

// TestRunPacerSetsNoLimitWithoutALiveHeap: a runtime that does not
// report the live heap leaves the limit as it is.
func TestRunPacerSetsNoLimitWithoutALiveHeap(t *testing.T) {
	read := make(chan struct{}, 1)
	calls := 0
	p := &runPacer{
		every: time.Millisecond,
		live: func() (uint64, bool) {
			select {
			case read <- struct{}{}:
			default:
			}
			return 0, false
		},
		setLimit: func(int64) int64 { calls++; return 0 },
	}
	p.start()
	select {
	case <-read:
	case <-time.After(time.Minute): // a hang guard only
		t.Fatal("a started pacer read no live heap")
	}
	p.stop()
	if calls != 0 {
		t.Errorf("%d limits set without a live heap, want none", calls)
	}
}
