package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// MaxTrialNumberGap bounds how many trial numbers below the highest
// dispatched a journal may leave never dispatched. A scheduler numbers
// trials one after another, so a journal skips numbers only when a
// scheduler died with trials in flight whose dispatch records were lost
// and a resume recovered the results of later ones (from S3): never more
// than the study ran at once, and the resume then runs the skipped
// numbers first. The bound keeps a forged number such as 999999999999, or
// a chain of smaller jumps, from steering what a resume plans or
// allocates: a resume runs the skipped numbers, at most this many.
const MaxTrialNumberGap = 100_000

// Checker checks that the events of one journal, given in order, tell a
// consistent story, as a scheduler writes it:
//
//   - the study event, if any, is the first record;
//   - trial numbers and attempts are not negative, and fewer than
//     MaxTrialNumberGap numbers below the highest dispatched are never
//     dispatched (a number far beyond the others is refused);
//   - a result follows a dispatch of its trial number: a result whose
//     number was never dispatched before it, or lies beyond any
//     dispatched, is refused;
//   - a trial has one result (a trial is counted once, whatever attempt
//     ran it): a second result for a trial number is refused, and so is a
//     dispatch of a trial that has its result;
//   - a result has the model, seed, parameters and budget of its trial's
//     latest dispatch before it; one recorded without them, as
//     EncodeEvents records every result, is given them (Check completes
//     the event's Result).
//
// A trial without a result may be dispatched again, with any attempt (a
// resume, or the end of an outage, runs the trials in flight again with
// Attempt+1); attempt 0, which older journals and recovered trials leave
// out, counts as 1.
//
// Every reader of journals checks with it: ReadJournal, Memory.Events and
// the S3 journal, whose segments one Checker reads in turn (Read). The zero
// Checker is ready for a journal's first record. A Checker is not safe
// for concurrent use.
type Checker struct {
	records int
	// next is one more than the highest trial number dispatched.
	next   int
	trials map[int]*dispatched
}

// dispatched is what a Checker remembers of one trial number.
type dispatched struct {
	last   trial.Trial // its latest dispatch
	where  position    // of the latest dispatch
	result *position   // of its result, nil while it has none
}

// position is a record's place: the file (or S3 segment) and the 1-based
// line.
type position struct {
	file string
	line int
}

// relativeTo names p for a message about a record in file.
func (p position) relativeTo(file string) string {
	if p.file == file {
		return fmt.Sprintf("line %d", p.line)
	}
	return fmt.Sprintf("%s:%d", p.file, p.line)
}

// inconsistent is the error of a record that contradicts those before it.
func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInconsistent}, args...)...)
}

// Check checks e, the record on line line of file, against the records
// checked before it, and remembers it. Its error wraps ErrInconsistent
// and says what is wrong; ReadJournal reports it as a *CorruptError
// naming file and line. A refused event is not remembered.
func (c *Checker) Check(e Event, file string, line int) error {
	here := position{file, line}
	switch e.Type {
	case EventStudy:
		if c.records > 0 {
			return inconsistent("a study event after the journal's first record")
		}
	case EventDispatch:
		if err := c.checkDispatch(*e.Trial, here); err != nil {
			return err
		}
	case EventResult:
		if compactResult(e.Result) {
			c.complete(e.Result)
		} else if d := c.trials[e.Result.Number]; d != nil && d.result == nil && differs(d.last, *e.Result) == "" {
			// A whole result, as older journals hold: share the
			// dispatch's parameters rather than keep two equal maps.
			e.Result.Params = d.last.Params
		}
		if err := c.checkResult(*e.Result, here); err != nil {
			return err
		}
	}
	c.records++
	return nil
}

// complete fills in a result read from a compact record (see record)
// with the model, parameters, seed and budget of its trial's latest
// dispatch, if it has one (if not, checkResult refuses the result). The
// result then shares the dispatch's Params map, which neither may modify.
func (c *Checker) complete(r *trial.Result) {
	d := c.trials[r.Number]
	if d == nil {
		return
	}
	r.Model, r.Params, r.Seed, r.Budget = d.last.Model, d.last.Params, d.last.Seed, d.last.Budget
}

func (c *Checker) checkDispatch(t trial.Trial, here position) error {
	switch {
	case t.Number < 0:
		return inconsistent("a dispatch of trial %d: trial numbers start at 0", t.Number)
	case t.Attempt < 0:
		return inconsistent("a dispatch of trial %d with attempt %d: attempts start at 1", t.Number, t.Attempt)
	}
	d := c.trials[t.Number]
	switch {
	case d != nil && d.result != nil:
		return inconsistent("a dispatch of trial %d, attempt %d, which has its result already (%s)",
			t.Number, max(t.Attempt, 1), d.result.relativeTo(here.file))
	case d == nil && t.Number-len(c.trials) >= MaxTrialNumberGap:
		// t.Number-len(c.trials) numbers below t.Number would never have
		// been dispatched.
		switch {
		case c.next == 0:
			return inconsistent("a dispatch of trial %d, at least %d beyond trial 0, and no trial was dispatched before it",
				t.Number, MaxTrialNumberGap)
		case c.next == len(c.trials):
			return inconsistent("a dispatch of trial %d, more than %d beyond the highest trial dispatched before it (%d)",
				t.Number, MaxTrialNumberGap, c.next-1)
		}
		return inconsistent("a dispatch of trial %d, which leaves %d trial numbers below it never dispatched (at most %d may be: trials lost in flight at a crash)",
			t.Number, t.Number-len(c.trials), MaxTrialNumberGap-1)
	case d == nil:
		if c.trials == nil {
			c.trials = map[int]*dispatched{}
		}
		d = &dispatched{}
		c.trials[t.Number] = d
		c.next = max(c.next, t.Number+1)
	}
	d.last, d.where = t, here
	return nil
}

func (c *Checker) checkResult(r trial.Result, here position) error {
	d := c.trials[r.Number]
	switch {
	case d == nil && c.next == 0:
		return inconsistent("a result for trial %d, and no trial was dispatched before it", r.Number)
	case d == nil && r.Number >= c.next:
		return inconsistent("a result for trial %d, beyond any trial dispatched before it (the highest is %d)", r.Number, c.next-1)
	case d == nil:
		return inconsistent("a result for trial %d, which was never dispatched before it", r.Number)
	case d.result != nil:
		return inconsistent("a second result for trial %d (attempt %d; the first is on %s)",
			r.Number, max(d.last.Attempt, 1), d.result.relativeTo(here.file))
	}
	if field := differs(d.last, r); field != "" {
		return inconsistent("a result for trial %d whose %s differs from its dispatch's (%s)",
			r.Number, field, d.where.relativeTo(here.file))
	}
	d.result = &here
	// What else may follow is refused whatever it holds, so the dispatch
	// is not needed any more: a reader that drops the result (a
	// leaderboard keeping its top rows) frees its parameters.
	d.last = trial.Trial{Number: d.last.Number, Attempt: d.last.Attempt}
	return nil
}

// differs names the first of model, seed, parameters and budget in which
// r is not the result of t, or returns "".
func differs(t trial.Trial, r trial.Result) string {
	switch {
	case r.Model != t.Model:
		return "model"
	case r.Seed != t.Seed:
		return "seed"
	case r.Budget != t.Budget:
		return "budget"
	case !sameParams(r.Params, t.Params):
		return "parameters"
	}
	return ""
}

// sameParams compares parameters as the journal holds them, through JSON,
// so that a float64 3 and an int 3 are one value.
func sameParams(a, b trial.Params) bool {
	if len(a) != len(b) {
		return false
	}
	for name, va := range a {
		vb, ok := b[name]
		if !ok {
			return false
		}
		if sameValue(va, vb) {
			continue
		}
		ja, erra := json.Marshal(va)
		jb, errb := json.Marshal(vb)
		if erra != nil || errb != nil || !bytes.Equal(ja, jb) {
			return false
		}
	}
	return true
}

// sameValue is the common case of sameParams without encoding.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, sameValue)
	}
	return false
}
