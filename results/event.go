package results

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// EventType says what an Event records.
type EventType string

// Event types, in the order they appear in a journal: one study event,
// then dispatch and result events interleaved, then a stop event when the
// study ended (an unfinished study has none).
const (
	EventStudy    EventType = "study"
	EventDispatch EventType = "dispatch"
	EventResult   EventType = "result"
	EventStop     EventType = "stop"
)

// Event is one line of the journal. Type selects which payload field is
// set: Study for EventStudy, Trial for EventDispatch, Result for
// EventResult, Reason for EventStop.
//
// A dispatch event means the trial was handed to an executor; the result
// event with the same trial number means it reached a final state. A
// dispatch without a result is a trial that was in flight when the journal
// was last written.
type Event struct {
	Type EventType `json:"type"`
	// Time is when the event happened, by the writer's clock. The zero
	// time is omitted.
	Time   time.Time     `json:"time,omitzero"`
	Study  string        `json:"study,omitempty"`
	Trial  *trial.Trial  `json:"trial,omitempty"`
	Result *trial.Result `json:"result,omitempty"`
	Reason string        `json:"reason,omitempty"`
}

// StudyEvent returns the event that opens the journal of study name.
func StudyEvent(name string, at time.Time) Event {
	return Event{Type: EventStudy, Time: at, Study: name}
}

// DispatchEvent returns the event recording that t was handed to an
// executor.
func DispatchEvent(t trial.Trial, at time.Time) Event {
	return Event{Type: EventDispatch, Time: at, Trial: &t}
}

// ResultEvent returns the event recording r, a final result.
func ResultEvent(r trial.Result, at time.Time) Event {
	return Event{Type: EventResult, Time: at, Result: &r}
}

// StopEvent returns the event recording why the study stopped.
func StopEvent(reason string, at time.Time) Event {
	return Event{Type: EventStop, Time: at, Reason: reason}
}

// Validate reports whether e is well formed: a known type with its
// payload set. Stores refuse events that are not; readers treat them as
// corrupt.
func (e Event) Validate() error {
	var problem string
	switch e.Type {
	case EventStudy:
		if e.Study == "" {
			problem = "study event without a study name"
		}
	case EventDispatch:
		if e.Trial == nil {
			problem = "dispatch event without a trial"
		}
	case EventResult:
		switch {
		case e.Result == nil:
			problem = "result event without a result"
		case !e.Result.State.Final():
			problem = fmt.Sprintf("result event with non-final state %q", e.Result.State)
		}
	case EventStop:
		if e.Reason == "" {
			problem = "stop event without a reason"
		}
	default:
		problem = fmt.Sprintf("unknown event type %q", e.Type)
	}
	if problem != "" {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, problem)
	}
	return nil
}

// EncodeEvents validates events and renders them as journal lines, as
// every Store records them. It either encodes all of them or none, so an
// Append is all or nothing.
func EncodeEvents(events []Event) ([]byte, error) {
	var buf []byte
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		line, err := json.Marshal(e)
		if err != nil {
			// NaN scores and the like: the caller's bug, not the disk's.
			return nil, fmt.Errorf("event %d: %w: %v", i, ErrInvalidEvent, err)
		}
		buf = append(buf, line...)
		buf = append(buf, '\n')
	}
	return buf, nil
}

// decodeEvent parses and validates one journal line.
func decodeEvent(line []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(line, &e); err != nil {
		return Event{}, err
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Results returns the result of every result event, in journal order.
// Pass them to Leaderboard to rank the trials.
func Results(events []Event) []trial.Result {
	var rs []trial.Result
	for _, e := range events {
		if e.Type == EventResult {
			rs = append(rs, *e.Result)
		}
	}
	return rs
}
