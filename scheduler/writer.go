package scheduler

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hpsearch/hpsearch/results"
)

// flush is a batch of events the writer has finished with: written, or
// failed, or skipped because an earlier batch failed.
type flush struct {
	events  []results.Event
	err     error
	skipped bool
}

// writer appends Run's events to the store in the order it is given them,
// in batches, one Append at a time, each in a goroutine of its own: Run's
// goroutine tells, asks and executes while a batch is made durable. Events
// given while a batch is being written wait in the next batch, so events
// given faster than the store can make them durable share its fsyncs.
// Each batch's Append begins after the one before it has returned, so the
// store holds the events in the order given (see results.Store) and a
// crash leaves a prefix of them. Once a batch fails none after it is
// written, and the trials in flight are cancelled at once.
//
// The outcome of every batch arrives on flushed, in order; Run calls
// received for each.
type writer struct {
	ctx     context.Context // not cancelled: results must be written
	store   results.Store
	cancel  context.CancelFunc // cancels the trials in flight
	flushed chan flush
	failed  atomic.Bool

	mu sync.Mutex
	// batches counts the batches begun whose outcome Run has not
	// received; queued is the one waiting for the batch before it, nil
	// when there is none; last is closed when the latest batch has been
	// written.
	batches int
	queued  *batch
	last    chan struct{}
}

// batch is events on their way to the store.
type batch struct {
	events []results.Event
	done   chan struct{} // closed once its outcome is on flushed
}

// flushedBuffer holds the outcomes Run has not received yet. A batch's
// goroutine that finds it full waits, and the batches after it with it:
// Run receives at least once per trial.
const flushedBuffer = 4

func newWriter(ctx context.Context, store results.Store, cancel context.CancelFunc) *writer {
	return &writer{ctx: ctx, store: store, cancel: cancel, flushed: make(chan flush, flushedBuffer)}
}

// add hands events over: they join the batch waiting for the one being
// written, if there is one, or begin a batch. It may be called from any
// goroutine, but calls must be ordered as the events are to be.
func (w *writer) add(events []results.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.queued != nil {
		w.queued.events = append(w.queued.events, events...)
		return
	}
	b := &batch{events: events, done: make(chan struct{})}
	prev := w.last
	w.queued, w.last = b, b.done
	w.batches++
	go w.write(prev, b)
}

// write appends b once the batch before it is done.
func (w *writer) write(prev chan struct{}, b *batch) {
	defer close(b.done) // after the send: outcomes reach flushed in order
	if prev != nil {
		<-prev
	}
	w.mu.Lock()
	events := b.events
	w.queued = nil // b is the only batch that can be queued now
	w.mu.Unlock()
	w.flushed <- w.append(events)
}

// append writes events in the calling goroutine. Run calls it itself
// only when the writer is idle.
func (w *writer) append(events []results.Event) flush {
	if w.failed.Load() {
		return flush{events: events, skipped: true}
	}
	err := w.store.Append(w.ctx, events...)
	if err != nil {
		w.failed.Store(true)
		w.cancel()
	}
	return flush{events: events, err: err}
}

// received notes that Run took a batch's outcome from flushed.
func (w *writer) received() {
	w.mu.Lock()
	w.batches--
	w.mu.Unlock()
}

// idle reports whether every batch begun has been written and its
// outcome received.
func (w *writer) idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.batches == 0
}
