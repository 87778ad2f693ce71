package results

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
)

// Errors returned by stores. Test for them with errors.Is.
var (
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("store closed")
	// ErrReadOnly is returned by Append on a journal opened with Open.
	ErrReadOnly = errors.New("journal opened read-only")
	// ErrInvalidEvent is returned by Append for an event that fails
	// Event.Validate or cannot be encoded (a NaN score, say).
	ErrInvalidEvent = errors.New("invalid event")
	// ErrCorrupt marks a journal record that cannot be read; the error is
	// a *CorruptError naming the line.
	ErrCorrupt = errors.New("corrupt journal")
	// ErrInconsistent marks a journal record that reads well but
	// contradicts the records before it, as no scheduler writes it (see
	// Checker): a result for a trial never dispatched, say. It comes
	// wrapped in a *CorruptError, so errors.Is finds ErrCorrupt too.
	ErrInconsistent = errors.New("inconsistent journal record")
)

// Store records the events of one study.
//
// Contract, which package results/storetest checks:
//   - Append records events in order, after every event of each Append
//     that returned before it was called. All events of one call are
//     recorded contiguously, or none of them are: an invalid event
//     (ErrInvalidEvent) fails the whole call.
//   - When Append returns nil the events are durable: for a Journal they
//     are on disk (fsync'd) and survive a crash of the process or machine.
//   - If ctx is already done, Append records nothing and returns ctx.Err()
//     wrapped. If ctx ends while Append waits for another appender's
//     commit, it returns ctx.Err() wrapped and the events may or may not be
//     recorded; callers that must know pass a context that is not
//     cancelled (see context.WithoutCancel). An Append already writing its
//     events itself finishes the write and fsync and reports how they went.
//   - Events returns every recorded event in order. It may be called
//     after Close.
//   - Append after Close returns ErrClosed. Close is idempotent.
//   - All methods are safe for concurrent use. Concurrent Appends share
//     the cost of making them durable.
type Store interface {
	Append(ctx context.Context, events ...Event) error
	Events(ctx context.Context) ([]Event, error)
	Close() error
}

var (
	_ Store = (*Journal)(nil)
	_ Store = (*Memory)(nil)
)

// Memory is a Store that keeps events in memory, for tests and benchmarks.
// It stores each event as its journal line, so what Events returns has
// been through the same JSON round trip as a journal's (numbers in Params
// come back as float64).
type Memory struct {
	mu     sync.Mutex
	lines  [][]byte
	closed bool
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{} }

// Append records events; see Store.
func (m *Memory) Append(ctx context.Context, events ...Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("results: append: %w", err)
	}
	data, err := EncodeEvents(events)
	if err != nil {
		return fmt.Errorf("results: append: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("results: append: %w", ErrClosed)
	}
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n') // JSON escapes newlines in strings
		m.lines = append(m.lines, data[:end])
		data = data[end+1:]
	}
	return nil
}

// Events returns a copy of every recorded event; see Store.
func (m *Memory) Events(ctx context.Context) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("results: events: %w", err)
	}
	m.mu.Lock()
	lines := m.lines[:len(m.lines):len(m.lines)]
	m.mu.Unlock()
	events := make([]Event, len(lines))
	var c Checker
	for i, line := range lines {
		e, err := decodeEvent(line)
		if err == nil {
			err = c.Check(e, "memory", i+1)
		}
		if err != nil {
			return nil, &CorruptError{File: "memory", Line: i + 1, Err: err}
		}
		events[i] = e
	}
	return events, nil
}

// Close makes further Appends fail with ErrClosed.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}
