package scheduler

import "time"

// dispatchDelay bounds how long dispatch events wait for a result to
// share their journal write.
const dispatchDelay = 5 * time.Millisecond

// commitGap is the least time between the hand-overs of two batches to
// the writer while trials execute at Parallel above 1: events queued
// meanwhile wait to share the next write and fsync. Results are told to
// the sampler and the stop rules when they are queued, not when they are
// durable (see Run), so the gap delays nothing Run decides; it delays
// only when a result counts (Progress, OnResult), by at most the gap,
// and a crash loses at most the results of the gap and the fsync, whose
// trials resume runs again.
//
// Without it, at 1,000 concurrent Lambda trials, whose results arrive a
// few hundred a second nearly all the time, each write took what had
// arrived during the fsync before it, ~8 results: ~2,400 fsyncs for the
// 20,000-trial rehearsal, each 0.1-0.2 ms of the scheduler's CPU besides
// the write, the writer's goroutine and its hand-offs. Measured there
// (fsyncs, then context switches of the process): 10 ms 2,110 and 84,000;
// 25 ms 873 and 58,000; 50 ms 654 and 58,000. At Parallel 1 the next
// trial waits for nothing but the sampler, and a result goes to the
// writer at once (see Run), so there is no gap.
const commitGap = 25 * time.Millisecond

// pacer decides when Run hands the events it has queued to the writer,
// given that the writer is idle: results once gap has passed since the
// last hand-over, dispatches alone once they have also waited
// dispatchDelay for a result to share their write. Times are the
// machine's clock (time.Now), not Config.Now, because Run waits for them
// with a timer.
type pacer struct {
	gap time.Duration // commitGap above Parallel 1, else 0
	// last is when the last batch was handed over (zero before the
	// first); alone, when dispatches began to wait alone, zero when they
	// do not.
	last, alone time.Time
}

// due returns when the queued events are to be handed over, results
// saying whether a result is among them; a time not after now means at
// once. It notes now as the moment dispatches began to wait alone, when
// results is false and they were not waiting yet.
func (p *pacer) due(now time.Time, results bool) time.Time {
	at := p.last.Add(p.gap)
	if p.last.IsZero() {
		at = now
	}
	if results {
		return at
	}
	if p.alone.IsZero() {
		p.alone = now
	}
	if d := p.alone.Add(dispatchDelay); d.After(at) {
		at = d
	}
	return at
}

// handedOver notes that the queued events went to the writer at now.
func (p *pacer) handedOver(now time.Time) {
	p.last, p.alone = now, time.Time{}
}
