package main

import (
	"math"
	"runtime"
	"testing"
)

// TestHeapPacerFollowsTheLiveHeap: the pacer sets the soft memory limit
// once every paceEvents events, to the headroom above the live heap (a
// positive figure), puts back the limit there was when it is done, and
// does nothing when GOMEMLIMIT sets a limit or when the read was too
// short to set one.
func TestHeapPacerFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	var set []int64
	newPacer := func() *heapPacer {
		p := newHeapPacer()
		p.old = math.MaxInt64
		p.setLimit = func(l int64) int64 { set = append(set, l); return 0 }
		return p
	}
	runtime.GC() // the live heap is measured by a collection
	p := newPacer()
	for range 3*paceEvents + 1 {
		p.each()
	}
	if len(set) != 3 {
		t.Fatalf("%d limits set over %d events, want 3", len(set), 3*paceEvents+1)
	}
	for _, l := range set {
		if l <= paceHeadroom {
			t.Errorf("limit %d, want the headroom %d above a live heap", l, paceHeadroom)
		}
	}
	p.restore()
	if len(set) != 4 || set[3] != math.MaxInt64 {
		t.Errorf("restore set %v, want the old limit put back", set[3:])
	}

	set = nil
	short := newPacer()
	for range paceEvents - 1 {
		short.each()
	}
	short.restore()
	if len(set) != 0 {
		t.Errorf("a read shorter than %d events set limits %v, want none", paceEvents, set)
	}

	t.Setenv("GOMEMLIMIT", "1GiB")
	if p := newHeapPacer(); p != nil {
		t.Error("newHeapPacer with GOMEMLIMIT set: a pacer, want nil (the user's limit stands)")
	}
	var none *heapPacer
	none.each()
	none.restore()
}
