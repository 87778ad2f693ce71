package main

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// runPacer keeps a resumed study's run under a soft memory limit that
// follows its live heap: every runPaceEvery it sets the limit to
// runLimit of what the heap held live at the last collection. Without
// it the run that follows a resume's read goes back to the default GOGC,
// which lets the heap grow to twice what is live before the collector
// runs: a 100,000-trial S3 study resumed with half its trials left holds
// some 60 MB live near its end (the writer's tail and checkpoint, TPE's
// history, the executor's connections), and peaked near 170 MB resident.
// The limit only follows what is live, so the run is never held back by
// it; a nil runPacer does nothing.
//
// start and stop may be called from any goroutine, in any order and any
// number of times: the pacer runs from the first start until the first
// stop, and never after a stop.
type runPacer struct {
	mu       sync.Mutex
	every    time.Duration
	setLimit func(int64) int64
	live     func() (uint64, bool)
	quit     chan struct{} // closed by stop; nil before start
	stopped  bool
	wg       sync.WaitGroup
}

// runPaceEvery is how often runPacer follows the live heap: the runtime
// updates what is live once a collection, which at a run's allocation
// rate is several times a second.
const runPaceEvery = 250 * time.Millisecond

// runLimit is the soft memory limit runPacer sets for a live heap of
// live bytes: paceHeadroom above it (as report's heapPacer), and never
// less than runMemoryFloor.
func runLimit(live uint64) int64 {
	return max(runMemoryFloor, paceHeadroom+int64(live))
}

// runMemoryFloor is the least limit runPacer sets. The limit covers the
// Go runtime's memory, not the process's: the binary's pages add some
// 40 MB resident (the rehearsal's resume: 39 MB of 166), so that a
// limit of 128 MiB, which the heap at twice its live size (GOGC) never
// reached, left it at 160 to 166 MB.
const runMemoryFloor = 96 << 20

// newRunPacer returns a runPacer that sets the process's memory limit.
func newRunPacer() *runPacer {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	return &runPacer{
		every:    runPaceEvery,
		setLimit: debug.SetMemoryLimit,
		live: func() (uint64, bool) {
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return 0, false
			}
			return sample[0].Value.Uint64(), true
		},
	}
}

// start starts following the live heap, unless p is nil, already
// started or stopped.
func (p *runPacer) start() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil || p.stopped {
		return
	}
	p.quit = make(chan struct{})
	p.wg.Add(1)
	go p.follow(p.quit)
}

func (p *runPacer) follow(quit <-chan struct{}) {
	defer p.wg.Done()
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		if live, ok := p.live(); ok {
			p.setLimit(runLimit(live))
		}
	}
}

// stop stops following the live heap and returns once the pacer has set
// its last limit: the caller may then set its own.
func (p *runPacer) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	if !p.stopped {
		p.stopped = true
		if p.quit != nil {
			close(p.quit)
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}
