package results

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/hpsearch/hpsearch/trial"
)

// TrialTable is a study's trials as one table, the table `hpsearch
// export` writes as CSV (WriteCSV), JSON Lines (WriteJSONL) or Parquet
// (WriteParquet): one row per trial number, in number order, with the
// columns Columns lists:
//
//	number, state, model, seed, params_NAME (one per parameter name of
//	any trial, sorted), score, fold_mean, fold_std, fold_0 .. fold_K-1,
//	seconds, budget_name, budget, rung, cost_usd, error
//
// as Optuna's trials_dataframe names parameters. A trial's row is its
// last final result (a retried trial's last attempt), in its StateOf
// state (a rung below the full budget is pruned), or, for a trial
// dispatched without a final result, its dispatch with state running.
// A cell is missing (empty in CSV, null in JSON Lines and Parquet) where
// it has no value: score and fold statistics of failed and running
// trials (and a NaN score), a parameter the trial's model does not take, folds past the
// trial's, budget_name, budget and rung without early stopping, cost_usd
// where the backend reported no cost (Result.Backend["cost_usd"], set by
// the Lambda executor), error unless failed. fold_mean and fold_std are
// the mean and population standard deviation of the fold scores, as
// scikit-learn's mean_test_score and std_test_score.
//
// A params_ column is int64 when every value in it is an integral
// number, float64 when every value is a number, bool when every value
// is a bool, and text otherwise (numbers then written as
// trial.FormatValue writes them).
//
// The table holds one result per trial; the writers build each row as
// they write it.
type TrialTable struct {
	rows   []tableRow
	params []paramColumn
	folds  int
}

// tableRow is what a trial's row shows of its result, kept small: a
// table is held whole until it is written (its columns depend on every
// row), and a trial.Result with its Params map is twice the size.
type tableRow struct {
	number  int
	seed    uint64
	state   trial.State
	model   string
	params  []paramValue // sorted by name
	score   float64
	seconds float64
	folds   []float64
	budget  trial.Budget
	cost    float64
	hasCost bool
	err     string
}

// paramValue is one parameter of a row.
type paramValue struct {
	name  string
	value any
}

// param returns the row's value of parameter name, if it has one.
func (r *tableRow) param(name string) (any, bool) {
	i, ok := slices.BinarySearchFunc(r.params, name, func(p paramValue, name string) int { return cmp.Compare(p.name, name) })
	if !ok {
		return nil, false
	}
	return r.params[i].value, true
}

// paramColumn is one params_ column and the type of its cells.
type paramColumn struct {
	name string
	kind cellKind
}

// cellKind is the type of a column's cells.
type cellKind int

const (
	intCell cellKind = iota
	uintCell
	floatCell
	boolCell
	textCell
)

// cell is one value of a row; null marks a missing value.
type cell struct {
	null bool
	i    int64
	u    uint64
	f    float64
	b    bool
	s    string
}

// costKey is the key of trial.Result.Backend holding a trial's cost in
// US dollars (scheduler.CostKey, which the Lambda executor sets).
const costKey = "cost_usd"

// NewTrialTable builds the table of a journal's events.
func NewTrialTable(events []Event) *TrialTable {
	var b TableBuilder
	for _, e := range events {
		b.Add(e)
	}
	return b.Table()
}

// TableBuilder gathers a TrialTable one journal event at a time, for a
// reader that streams the journal (Journal.Scan): it keeps one row a
// trial number, not the events, so a 100,000-trial study's table is
// built in the size of its rows. Add the events in journal order; Table
// then gives what NewTrialTable gives for the same events. The zero
// value is an empty builder. A TableBuilder is not safe for concurrent
// use.
type TableBuilder struct {
	// rows holds a row a trial number, in the order of its first event;
	// final says which rows are final results.
	rows  []tableRow
	final []bool
	// base is the number of the first row: the scheduler numbers trials
	// as it dispatches them, so trial n is mostly rows[n-base], and pos
	// holds only the others (a map entry a trial would be megabytes).
	base int
	pos  map[int]int
	// names holds one copy of each parameter name, model and state, so
	// that rows share them rather than each keeping the copy that
	// decoding its record made.
	names map[string]string
}

// Add adds one event of the journal: a dispatch makes the row of a
// trial without a final result (state running), a final result replaces
// the row; other events are ignored.
func (b *TableBuilder) Add(e Event) {
	switch {
	case e.Type == EventDispatch && e.Trial != nil:
		t := e.Trial
		if i, ok := b.index(t.Number); !ok || !b.final[i] {
			b.set(t.Number, b.row(trial.Result{Number: t.Number, State: trial.Running, Model: t.Model,
				Params: t.Params, Seed: t.Seed, Budget: t.Budget, Score: math.NaN()}), false)
		}
	case e.Type == EventResult && e.Result != nil && e.Result.State.Final():
		r := *e.Result
		r.State = StateOf(r)
		b.set(r.Number, b.row(r), true)
	}
}

// row returns r's row.
func (b *TableBuilder) row(r trial.Result) tableRow {
	row := tableRow{number: r.Number, seed: r.Seed, state: trial.State(b.name(string(r.State))), model: b.name(r.Model),
		score: r.Score, seconds: r.Seconds, folds: r.FoldScores, budget: r.Budget, err: r.Error}
	row.budget.Name = b.name(row.budget.Name)
	row.cost, row.hasCost = r.Backend[costKey]
	if len(r.Params) > 0 {
		row.params = make([]paramValue, 0, len(r.Params))
		for name, v := range r.Params {
			row.params = append(row.params, paramValue{b.name(name), v})
		}
		slices.SortFunc(row.params, func(x, y paramValue) int { return cmp.Compare(x.name, y.name) })
	}
	return row
}

// name returns the builder's copy of s.
func (b *TableBuilder) name(s string) string {
	if c, ok := b.names[s]; ok {
		return c
	}
	if b.names == nil {
		b.names = map[string]string{}
	}
	b.names[s] = s
	return s
}

// index returns the index in rows of trial n, if it has a row.
func (b *TableBuilder) index(n int) (int, bool) {
	if i := n - b.base; i >= 0 && i < len(b.rows) && b.rows[i].number == n {
		return i, true
	}
	i, ok := b.pos[n]
	return i, ok
}

// set makes r trial n's row.
func (b *TableBuilder) set(n int, r tableRow, final bool) {
	if i, ok := b.index(n); ok {
		b.rows[i], b.final[i] = r, final
		return
	}
	if len(b.rows) == 0 {
		b.base = n
	}
	if i := len(b.rows); n-b.base != i {
		if b.pos == nil {
			b.pos = map[int]int{}
		}
		b.pos[n] = i
	}
	b.rows, b.final = append(b.rows, r), append(b.final, final)
}

// Table returns the table of the events added. The builder must not be
// used after.
func (b *TableBuilder) Table() *TrialTable {
	t := &TrialTable{rows: b.rows}
	byNumber := func(a, b tableRow) int { return cmp.Compare(a.number, b.number) }
	if !slices.IsSortedFunc(t.rows, byNumber) {
		slices.SortFunc(t.rows, byNumber)
	}
	*b = TableBuilder{}
	kinds := map[string]cellKind{}
	for _, r := range t.rows {
		if r.state == trial.Complete || r.state == trial.Pruned {
			t.folds = max(t.folds, len(r.folds))
		}
		for _, p := range r.params {
			k, seen := kinds[p.name]
			kinds[p.name] = mergeKind(k, seen, p.value)
		}
	}
	for name, k := range kinds {
		t.params = append(t.params, paramColumn{name, k})
	}
	slices.SortFunc(t.params, func(a, b paramColumn) int { return cmp.Compare(a.name, b.name) })
	return t
}

// mergeKind is the kind of a params_ column holding v besides values of
// kind k (none yet when !seen).
func mergeKind(k cellKind, seen bool, v any) cellKind {
	var vk cellKind
	switch x := v.(type) {
	case bool:
		vk = boolCell
	case float64, int, int64:
		f, _ := trial.Number(x)
		vk = floatCell
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			vk = intCell
		}
	default:
		vk = textCell
	}
	switch {
	case !seen || k == vk:
		return vk
	case (k == intCell || k == floatCell) && (vk == intCell || vk == floatCell):
		return floatCell
	}
	return textCell
}

// Len returns the number of rows.
func (t *TrialTable) Len() int { return len(t.rows) }

// Columns returns the column names in order.
func (t *TrialTable) Columns() []string {
	cols := []string{"number", "state", "model", "seed"}
	for _, p := range t.params {
		cols = append(cols, "params_"+p.name)
	}
	cols = append(cols, "score", "fold_mean", "fold_std")
	for i := range t.folds {
		cols = append(cols, "fold_"+strconv.Itoa(i))
	}
	return append(cols, "seconds", "budget_name", "budget", "rung", "cost_usd", "error")
}

// kinds returns the type of each column, in Columns' order.
func (t *TrialTable) kinds() []cellKind {
	ks := []cellKind{intCell, textCell, textCell, uintCell}
	for _, p := range t.params {
		ks = append(ks, p.kind)
	}
	ks = append(ks, floatCell, floatCell, floatCell)
	for range t.folds {
		ks = append(ks, floatCell)
	}
	return append(ks, floatCell, textCell, floatCell, intCell, floatCell, textCell)
}

// row fills cells, which has one element per column, with row i.
func (t *TrialTable) row(i int, cells []cell) {
	r := &t.rows[i]
	null := cell{null: true}
	scored := r.state == trial.Complete || r.state == trial.Pruned
	c := cells[:0]
	c = append(c, cell{i: int64(r.number)}, cell{s: string(r.state)}, cell{s: r.model}, cell{u: r.seed})
	for _, p := range t.params {
		v, ok := r.param(p.name)
		if !ok {
			c = append(c, null)
			continue
		}
		switch p.kind {
		case intCell:
			f, _ := trial.Number(v)
			c = append(c, cell{i: int64(f)})
		case floatCell:
			f, _ := trial.Number(v)
			c = append(c, cell{f: f})
		case boolCell:
			c = append(c, cell{b: v.(bool)})
		default:
			c = append(c, cell{s: trial.FormatValue(v)})
		}
	}
	if scored {
		mean, std := FoldStats(r.folds)
		c = append(c, floatOrNull(r.score), floatOrNull(mean), floatOrNull(std))
	} else {
		c = append(c, null, null, null)
	}
	for k := range t.folds {
		if scored && k < len(r.folds) {
			c = append(c, cell{f: r.folds[k]})
		} else {
			c = append(c, null)
		}
	}
	if r.state == trial.Running {
		c = append(c, null)
	} else {
		c = append(c, cell{f: r.seconds})
	}
	if b := r.budget; b.Name != "" {
		c = append(c, cell{s: b.Name}, cell{f: b.Value}, cell{i: int64(b.Rung)})
	} else {
		c = append(c, null, null, null)
	}
	if r.hasCost {
		c = append(c, cell{f: r.cost})
	} else {
		c = append(c, null)
	}
	if r.state == trial.Failed {
		c = append(c, cell{s: r.err})
	} else {
		c = append(c, null)
	}
	if len(c) != len(cells) {
		panic(fmt.Sprintf("results: trial table row of %d cells for %d columns", len(c), len(cells)))
	}
}

// floatOrNull is f's cell; NaN (a score never computed) is missing.
func floatOrNull(f float64) cell {
	if math.IsNaN(f) {
		return cell{null: true}
	}
	return cell{f: f}
}
