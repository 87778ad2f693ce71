package studycharts

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// Trials is a study's trials as the charts, the report and the
// dashboard's trial table need them, gathered from its journal one event
// at a time (Add): each trial number's result, or its first dispatch while
// it has none, the order the results came in, the journal's first and
// last times and its results.Summary. It keeps no events, so a study is
// held in the size of its results (a 100,000-trial study's dispatch
// events and the results' copies are not kept), and reading a journal into
// it streams (results.Journal.Scan).
//
// The results are held by column, not as trial.Results: a result's
// common fields in a small fixed row (with Lambda's environment,
// interned, and its figures' map), its parameters one column a
// parameter name (numbers, interned strings and booleans), and only a
// result with other fields (an error, fold scores, steps, a budget)
// keeps its whole trial.Result beside the row. A
// 100,000-trial no-op study is so about 10 MB, against 60 MB as
// trial.Results with a parameter map each. What the methods return is
// built from them on each call (Finals, Table, Row, Results, Trial): the
// same results as the journal holds them, value for value.
//
// A journal holds at most one result a trial number, and only final ones
// (results.Checker, results.Event.Validate); of a hand-made list of events
// with more, Add keeps the last, as the leaderboard ranks it.
//
// Add must not be called concurrently with anything else; once the
// events are added, the methods only read. A result they return may
// share maps and slices with the Trials (its Backend, FoldScores, Steps,
// and the Params of a result whose parameters are not held by column):
// callers must not change them.
type Trials struct {
	dir trial.Direction
	// rows holds one entry a trial number, in the order of its first
	// event: its result when it has one, else its first dispatch as a
	// running result (NaN score), as the trial table shows it.
	rows []row
	// cols holds the parameters by name (colIndex), one cell a row.
	cols     []*paramColumn
	colIndex map[string]int
	// strs interns the model names and string parameter values.
	strs     []string
	strIndex map[string]uint32

	stopReason string
	// pos finds the entry in rows of a trial number n that is not at
	// index n: the scheduler numbers trials as it dispatches them, so
	// most are where their number says and need no entry (a map entry a
	// trial is a few megabytes of a 100,000-trial study).
	pos map[int]int32
	// order holds the indexes in rows of the results, in journal order.
	order []int32
	// inOrder says rows are in trial number order (the scheduler numbers
	// trials as it dispatches them); results says how many have a result.
	inOrder     bool
	results     int
	start, last time.Time
}

// row is one trial number's entry. A result whose fields other than
// these (and its parameters) are all zero is held in the row alone;
// any other keeps its whole result in full (its Params nil unless
// flagParamsFull).
type row struct {
	number              int
	seed                uint64
	score               float64
	seconds, fitSeconds float64
	// started and finished are Unix nanoseconds, when flagStarted and
	// flagFinished say there is a time (in UTC).
	started, finished int64
	// backend is the result's Backend (Lambda's figures), shared.
	backend map[string]float64
	model   uint32 // in strs, as is worker
	worker  uint32
	state   uint8 // in rowStates
	flags   uint8
	full    *trial.Result
}

// Flags of a row.
const (
	flagResult     = 1 << iota
	flagDispatched // the journal has a dispatch of the trial (a hand-made one may not)
	flagStarted
	flagFinished
	// flagParamsNil says the result's Params are nil (not an empty map).
	flagParamsNil
	// flagParamsFull says the parameters are full's, not in the columns:
	// a value other than a number, a string, a boolean or null.
	flagParamsFull
)

// rowStates are the states a row holds by index; a result in another
// state keeps its whole result.
var rowStates = [...]trial.State{trial.Running, trial.Complete, trial.Pruned, trial.Failed}

// paramColumn is one parameter's values, a cell a row (rows past its end
// lack it): kinds says what each cell holds, bits the float64's bits or
// the string's index in strs.
type paramColumn struct {
	name  string
	kinds []uint8
	bits  []uint64
}

// Kinds of a column's cell.
const (
	cellAbsent = iota
	cellNumber
	cellString
	cellTrue
	cellFalse
	cellNull
)

// NewTrials returns an empty Trials of a study in direction dir (which
// its Summary's best trial depends on).
func NewTrials(dir trial.Direction) *Trials {
	return &Trials{dir: dir, pos: map[int]int32{}, inOrder: true, colIndex: map[string]int{}, strIndex: map[string]uint32{}}
}

// TrialsOf gathers the trials of events, a journal read whole.
func TrialsOf(events []results.Event, dir trial.Direction) *Trials {
	t := NewTrials(dir)
	t.Grow(len(events) / 2)
	for _, e := range events {
		t.Add(e)
	}
	return t
}

// Grow makes room for about n more trials, for a reader that knows the
// journal's size.
func (t *Trials) Grow(n int) {
	if n > 0 {
		t.rows = slices.Grow(t.rows, n)
		t.order = slices.Grow(t.order, n)
		for _, c := range t.cols {
			c.grow(len(t.rows) + n)
		}
	}
}

// Add adds one event of the journal, in journal order.
func (t *Trials) Add(e results.Event) {
	if !e.Time.IsZero() {
		if t.start.IsZero() || e.Time.Before(t.start) {
			t.start = e.Time
		}
		if e.Time.After(t.last) {
			t.last = e.Time
		}
	}
	switch {
	case e.Type == results.EventStop:
		t.stopReason = e.Reason
	case e.Type == results.EventDispatch && e.Trial != nil:
		tr := e.Trial
		i, ok := t.index(tr.Number)
		if !ok {
			i = t.insert(trial.Result{Number: tr.Number, State: trial.Running, Model: tr.Model, Params: tr.Params, Score: math.NaN()}, false)
		}
		t.rows[i].flags |= flagDispatched
	case e.Type == results.EventResult && e.Result != nil:
		r := e.Result
		i, ok := t.index(r.Number)
		if !ok {
			i = t.insert(*r, true)
		} else {
			if t.rows[i].flags&flagResult == 0 {
				t.results++
			}
			t.set(int(i), *r, t.rows[i].flags&flagDispatched|flagResult)
		}
		t.order = append(t.order, i)
	}
}

// index returns the index in rows of trial n's entry, if it has one.
func (t *Trials) index(n int) (int32, bool) {
	if n >= 0 && n < len(t.rows) && t.rows[n].number == n {
		return int32(n), true
	}
	i, ok := t.pos[n]
	return i, ok
}

// insert appends r as trial r.Number's entry and returns its index.
func (t *Trials) insert(r trial.Result, result bool) int32 {
	i := int32(len(t.rows))
	if n := len(t.rows); n > 0 && t.rows[n-1].number > r.Number {
		t.inOrder = false
	}
	if int(i) != r.Number {
		t.pos[r.Number] = i
	}
	t.rows = append(t.rows, row{})
	var flags uint8
	if result {
		flags = flagResult
		t.results++
	}
	t.set(int(i), r, flags)
	return i
}

// set makes rows[i] hold r, with flags (flagResult, flagDispatched).
func (t *Trials) set(i int, r trial.Result, flags uint8) {
	w := row{number: r.Number, seed: r.Seed, score: r.Score, seconds: r.Seconds, fitSeconds: r.FitSeconds,
		model: t.intern(r.Model), flags: flags}
	state, ok := stateIndex(r.State)
	started, okStarted := unixNano(r.Started)
	finished, okFinished := unixNano(r.Finished)
	if ok && okStarted && okFinished && r.Budget == (trial.Budget{}) && r.FoldScores == nil && r.Steps == nil && r.Error == "" &&
		r.LoadSeconds == 0 && r.ScoreSeconds == 0 && r.PeakMemoryBytes == 0 && r.DatasetSource == "" {
		w.state, w.worker, w.backend = state, t.intern(r.Worker), r.Backend
		if !r.Started.IsZero() {
			w.started, w.flags = started, w.flags|flagStarted
		}
		if !r.Finished.IsZero() {
			w.finished, w.flags = finished, w.flags|flagFinished
		}
	} else {
		full := r
		full.Params = nil
		w.full = &full
	}
	if r.Params == nil {
		w.flags |= flagParamsNil
	}
	if !t.setParams(i, r.Params) {
		w.flags |= flagParamsFull
		if w.full == nil {
			full := r
			w.full = &full
		} else {
			w.full.Params = r.Params
		}
	}
	t.rows[i] = w
}

// stateIndex is s's index in rowStates.
func stateIndex(s trial.State) (uint8, bool) {
	for i, rs := range rowStates {
		if rs == s {
			return uint8(i), true
		}
	}
	return 0, false
}

// unixNano returns tm as Unix nanoseconds when time.Unix(0, ns).UTC()
// gives tm back exactly (a time decoded from the journal in UTC), or
// the zero time; ok is false for any other.
func unixNano(tm time.Time) (ns int64, ok bool) {
	if tm == (time.Time{}) {
		return 0, true
	}
	ns = tm.UnixNano()
	return ns, time.Unix(0, ns).UTC() == tm
}

// setParams puts p in the columns at row i, clearing the cells p lacks,
// and reports whether every value could be held (otherwise the columns
// hold nothing of row i).
func (t *Trials) setParams(i int, p trial.Params) bool {
	for _, v := range p {
		switch v.(type) {
		case float64, string, bool, nil:
		default:
			t.clearParams(i)
			return false
		}
	}
	t.clearParams(i)
	for name, v := range p {
		k, ok := t.colIndex[name]
		if !ok {
			k = len(t.cols)
			t.cols = append(t.cols, &paramColumn{name: name})
			t.colIndex[name] = k
			t.cols[k].grow(cap(t.rows))
		}
		c := t.cols[k]
		if len(c.kinds) <= i {
			c.kinds = append(c.kinds, make([]uint8, i+1-len(c.kinds))...)
			c.bits = append(c.bits, make([]uint64, i+1-len(c.bits))...)
		}
		switch v := v.(type) {
		case float64:
			c.kinds[i], c.bits[i] = cellNumber, math.Float64bits(v)
		case string:
			c.kinds[i], c.bits[i] = cellString, uint64(t.intern(v))
		case bool:
			c.kinds[i] = cellFalse
			if v {
				c.kinds[i] = cellTrue
			}
		case nil:
			c.kinds[i] = cellNull
		}
	}
	return true
}

// clearParams clears row i's cells.
func (t *Trials) clearParams(i int) {
	for _, c := range t.cols {
		if i < len(c.kinds) {
			c.kinds[i] = cellAbsent
		}
	}
}

// grow makes room for n cells.
func (c *paramColumn) grow(n int) {
	c.kinds = slices.Grow(c.kinds, n-len(c.kinds))
	c.bits = slices.Grow(c.bits, n-len(c.bits))
}

// value returns the value of cell i and whether the row has it.
func (t *Trials) value(c *paramColumn, i int) (any, bool) {
	if i >= len(c.kinds) {
		return nil, false
	}
	switch c.kinds[i] {
	case cellNumber:
		return math.Float64frombits(c.bits[i]), true
	case cellString:
		return t.strs[c.bits[i]], true
	case cellTrue:
		return true, true
	case cellFalse:
		return false, true
	case cellNull:
		return nil, true
	}
	return nil, false
}

// intern returns s's index in strs, adding it.
func (t *Trials) intern(s string) uint32 {
	if i, ok := t.strIndex[s]; ok {
		return i
	}
	i := uint32(len(t.strs))
	t.strs = append(t.strs, s)
	t.strIndex[s] = i
	return i
}

// Len counts the rows of the table (Row): one a trial number.
func (t *Trials) Len() int { return len(t.rows) }

// Row returns row i of the table (0 <= i < Len()): trial number's result
// as the journal holds it, or while it has none its first dispatch, as a
// running result with a NaN score; rows are in the order of each trial
// number's first event.
func (t *Trials) Row(i int) trial.Result {
	r := t.RowFields(i)
	r.Params = t.params(i)
	return r
}

// RowFields returns Row(i) without its Params (nil), which it builds
// without allocating: for a look at every row (Param gives a row's
// parameter).
func (t *Trials) RowFields(i int) trial.Result {
	w := &t.rows[i]
	if w.full != nil {
		r := *w.full
		r.Params = nil
		return r
	}
	r := trial.Result{Number: w.number, State: rowStates[w.state], Model: t.strs[w.model], Seed: w.seed,
		Score: w.score, Seconds: w.seconds, FitSeconds: w.fitSeconds, Worker: t.strs[w.worker], Backend: w.backend}
	if w.flags&flagStarted != 0 {
		r.Started = time.Unix(0, w.started).UTC()
	}
	if w.flags&flagFinished != 0 {
		r.Finished = time.Unix(0, w.finished).UTC()
	}
	return r
}

// Param returns row i's parameter name, and whether it has one.
func (t *Trials) Param(i int, name string) (any, bool) {
	w := &t.rows[i]
	if w.flags&flagParamsFull != 0 {
		v, ok := w.full.Params[name]
		return v, ok
	}
	k, ok := t.colIndex[name]
	if !ok {
		return nil, false
	}
	return t.value(t.cols[k], i)
}

// paramsOf yields row i's parameters, in no order.
func (t *Trials) paramsOf(i int) iter.Seq2[string, any] {
	return func(yield func(string, any) bool) {
		w := &t.rows[i]
		if w.flags&flagParamsFull != 0 {
			for name, v := range w.full.Params {
				if !yield(name, v) {
					return
				}
			}
			return
		}
		for _, c := range t.cols {
			if v, ok := t.value(c, i); ok && !yield(c.name, v) {
				return
			}
		}
	}
}

// params returns row i's Params, a new map but for a row whose
// parameters are held whole.
func (t *Trials) params(i int) trial.Params {
	w := &t.rows[i]
	switch {
	case w.flags&flagParamsFull != 0:
		return w.full.Params
	case w.flags&flagParamsNil != 0:
		return nil
	}
	n := 0
	for _, c := range t.cols {
		if i < len(c.kinds) && c.kinds[i] != cellAbsent {
			n++
		}
	}
	p := make(trial.Params, n)
	for name, v := range t.paramsOf(i) {
		p[name] = v
	}
	return p
}

// stateOf is results.StateOf of row i.
func (t *Trials) stateOf(i int) trial.State {
	w := &t.rows[i]
	if w.full != nil {
		return results.StateOf(*w.full)
	}
	return rowStates[w.state]
}

// Summary counts the trials by state, as results.Summarize counts the
// events, from the results kept rather than maps of its own.
func (t *Trials) Summary() results.Summary {
	s := results.Summary{StopReason: t.stopReason}
	best := -1
	for i := range t.rows {
		w := &t.rows[i]
		if w.flags&flagDispatched != 0 {
			s.Dispatched++
			if w.flags&flagResult == 0 {
				s.Running++
			}
		}
		if w.flags&flagResult == 0 {
			continue
		}
		switch t.stateOf(i) {
		case trial.Complete:
			s.Complete++
			if best < 0 || t.ranksAbove(i, best) {
				best = i
			}
		case trial.Pruned:
			s.Pruned++
		case trial.Failed:
			s.Failed++
		}
	}
	if best >= 0 {
		b := t.Row(best)
		b.State = results.StateOf(b)
		s.Best = &b
	}
	return s
}

// ranksAbove reports whether the complete result of row a ranks above
// that of row b on the leaderboard: a better score in t's direction (NaN
// is worst), then the lower number.
func (t *Trials) ranksAbove(a, b int) bool {
	as, bs := t.rows[a].scoreOf(), t.rows[b].scoreOf()
	switch an, bn := math.IsNaN(as), math.IsNaN(bs); {
	case an && !bn:
		return false
	case bn && !an:
		return true
	case !an && t.dir.Better(as, bs):
		return true
	case !an && t.dir.Better(bs, as):
		return false
	}
	return t.rows[a].numberOf() < t.rows[b].numberOf()
}

func (w *row) scoreOf() float64 {
	if w.full != nil {
		return w.full.Score
	}
	return w.score
}

func (w *row) numberOf() int { return w.number }

// Span returns the journal's first and last event times (zero when no
// event has one).
func (t *Trials) Span() (start, last time.Time) { return t.start, t.last }

// Kept counts the results kept: one a trial number with a result,
// whatever the number of events the journal holds.
func (t *Trials) Kept() int { return t.results }

// finalRows returns the rows that hold a result, in trial number order.
func (t *Trials) finalRows() []int32 {
	idx := make([]int32, 0, t.results)
	for i := range t.rows {
		if t.rows[i].flags&flagResult != 0 {
			idx = append(idx, int32(i))
		}
	}
	if !t.inOrder {
		slices.SortFunc(idx, func(a, b int32) int { return cmp.Compare(t.rows[a].number, t.rows[b].number) })
	}
	return idx
}

// Finals returns each trial's final result, as the journal holds it (its
// State, not results.StateOf), in trial number order: a new slice each
// call, built from the rows.
func (t *Trials) Finals() []trial.Result {
	rs := make([]trial.Result, 0, t.results)
	for _, i := range t.finalRows() {
		rs = append(rs, t.Row(int(i)))
	}
	return rs
}

// FinalRows returns the rows (for Row, RowFields and Param) that hold a
// result, in trial number order: what Finals builds its results from,
// for a reader that looks at every result's fields but needs only some
// results' parameters (the report's charts draw about 2,000 of 100,000).
// It is a new slice each call.
func (t *Trials) FinalRows() []int {
	idx := t.finalRows()
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = int(i)
	}
	return out
}

// FinalFields yields what Finals returns without the Params (nil), one
// result at a time, built without allocating: a study is so priced
// (cost.Meter) without holding every result, or a parameter map each.
func (t *Trials) FinalFields() iter.Seq[trial.Result] {
	return func(yield func(trial.Result) bool) {
		for _, i := range t.finalRows() {
			if !yield(t.RowFields(int(i))) {
				return
			}
		}
	}
}

// Table returns every Row, in order: a new slice each call. A table
// shows results.StateOf of each row (a running row's is running).
func (t *Trials) Table() []trial.Result {
	rs := make([]trial.Result, len(t.rows))
	for i := range t.rows {
		rs[i] = t.Row(i)
	}
	return rs
}

// Results yields each result, in journal order, each a new one.
func (t *Trials) Results() iter.Seq[*trial.Result] {
	return func(yield func(*trial.Result) bool) {
		for _, i := range t.order {
			r := t.Row(int(i))
			if !yield(&r) {
				return
			}
		}
	}
}

// resultFields yields what Results yields without the Params (nil),
// built without allocating.
func (t *Trials) resultFields() iter.Seq[trial.Result] {
	return func(yield func(trial.Result) bool) {
		for _, i := range t.order {
			if !yield(t.RowFields(int(i))) {
				return
			}
		}
	}
}

// Trial returns trial n's result as the journal holds it; dispatched
// says the journal has trial n at all, hasResult that r is its result.
func (t *Trials) Trial(n int) (r trial.Result, dispatched, hasResult bool) {
	i, ok := t.index(n)
	if !ok {
		return trial.Result{}, false, false
	}
	return t.Row(int(i)), true, t.rows[i].flags&flagResult != 0
}
