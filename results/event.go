package results

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"

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

// record is an Event as a journal line holds it. A result is recorded
// without the model, parameters, seed and budget, which the dispatch of
// its trial holds already (a result that differs from its dispatch is
// inconsistent; see Checker), and a zero budget is left out: a trial
// takes about 60% of the bytes it took with the whole result repeated.
// Readers complete a result from its dispatch (Checker.Check), and
// journals written before, with whole results, read as they always did.
type record struct {
	Type   EventType     `json:"type"`
	Time   time.Time     `json:"time,omitzero"`
	Study  string        `json:"study,omitempty"`
	Trial  *trialRecord  `json:"trial,omitempty"`
	Result *resultRecord `json:"result,omitempty"`
	Reason string        `json:"reason,omitempty"`
}

// trialRecord is a dispatched trial as recorded: Budget, at a shallower
// depth than the embedded Trial's, hides it, and is nil when zero.
type trialRecord struct {
	*trial.Trial
	Budget *trial.Budget `json:"budget,omitempty"`
}

// resultRecord is a result as recorded: the fields its dispatch holds are
// hidden, as trialRecord hides Budget, and left empty.
type resultRecord struct {
	*trial.Result
	Model  string        `json:"model,omitempty"`
	Params trial.Params  `json:"params,omitempty"`
	Seed   uint64        `json:"seed,omitempty"`
	Budget *trial.Budget `json:"budget,omitempty"`
}

// recordOf returns e as a journal records it.
func recordOf(e Event) record {
	r := record{Type: e.Type, Time: e.Time, Study: e.Study, Reason: e.Reason}
	if e.Trial != nil {
		r.Trial = &trialRecord{Trial: e.Trial}
		if e.Trial.Budget != (trial.Budget{}) {
			r.Trial.Budget = &e.Trial.Budget
		}
	}
	if e.Result != nil {
		r.Result = &resultRecord{Result: e.Result}
	}
	return r
}

// compactResult reports whether r was read from a compact record, which
// leaves out its model (every result has one): Checker.Check completes
// it from its trial's dispatch.
func compactResult(r *trial.Result) bool { return r.Model == "" }

// EncodeEvents validates events and renders them as journal lines, as
// every Store records them (see record: a result without what its
// dispatch holds). It either encodes all of them or none, so an Append
// is all or nothing.
func EncodeEvents(events []Event) ([]byte, error) {
	buf, err := appendEvents(make([]byte, 0, len(events)*recordSize), events)
	if err != nil {
		return nil, err
	}
	return buf, nil
}

// decodeEvent parses and validates one journal line. It parses with
// goccy/go-json, four times as fast as encoding/json on journal lines
// (a 100,000-trial journal is 200,000 of them); a line it refuses, or
// that is not valid UTF-8 (which encoding/json turns into U+FFFD), is
// parsed again by encoding/json, whose result and error messages are the
// reference (FuzzDecodeEventAsEncodingJSON).
func decodeEvent(line []byte) (Event, error) {
	var e Event
	if err := gojson.Unmarshal(line, &e); err != nil || !utf8.Valid(line) {
		e = Event{}
		if err := json.Unmarshal(line, &e); err != nil {
			return Event{}, err
		}
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Results returns the result of every result event, in journal order.
// Pass them to Leaderboard to rank the trials.
func Results(events []Event) []trial.Result {
	n := 0
	for _, e := range events {
		if e.Type == EventResult {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	rs := make([]trial.Result, 0, n) // one allocation: a study may have 100,000
	for _, e := range events {
		if e.Type == EventResult {
			rs = append(rs, *e.Result)
		}
	}
	return rs
}
