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
	rows   []trial.Result
	params []paramColumn
	folds  int
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
	rows  []trial.Result
	final []bool
	// base is the number of the first row: the scheduler numbers trials
	// as it dispatches them, so trial n is mostly rows[n-base], and pos
	// holds only the others (a map entry a trial would be megabytes).
	base int
	pos  map[int]int
}

// Add adds one event of the journal: a dispatch makes the row of a
// trial without a final result (state running), a final result replaces
// the row; other events are ignored.
func (b *TableBuilder) Add(e Event) {
	switch {
	case e.Type == EventDispatch && e.Trial != nil:
		t := e.Trial
		if i, ok := b.index(t.Number); !ok || !b.final[i] {
			b.set(t.Number, trial.Result{Number: t.Number, State: trial.Running, Model: t.Model,
				Params: t.Params, Seed: t.Seed, Budget: t.Budget, Score: math.NaN()}, false)
		}
	case e.Type == EventResult && e.Result != nil && e.Result.State.Final():
		r := *e.Result
		r.State = StateOf(r)
		b.set(r.Number, r, true)
	}
}

// index returns the index in rows of trial n, if it has a row.
func (b *TableBuilder) index(n int) (int, bool) {
	if i := n - b.base; i >= 0 && i < len(b.rows) && b.rows[i].Number == n {
		return i, true
	}
	i, ok := b.pos[n]
	return i, ok
}

// set makes r trial n's row.
func (b *TableBuilder) set(n int, r trial.Result, final bool) {
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
	byNumber := func(a, b trial.Result) int { return cmp.Compare(a.Number, b.Number) }
	if !slices.IsSortedFunc(t.rows, byNumber) {
		slices.SortFunc(t.rows, byNumber)
	}
	*b = TableBuilder{}
	kinds := map[string]cellKind{}
	for _, r := range t.rows {
		if r.State == trial.Complete || r.State == trial.Pruned {
			t.folds = max(t.folds, len(r.FoldScores))
		}
		for name, v := range r.Params {
			k, seen := kinds[name]
			kinds[name] = mergeKind(k, seen, v)
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
	r := t.rows[i]
	null := cell{null: true}
	scored := r.State == trial.Complete || r.State == trial.Pruned
	c := cells[:0]
	c = append(c, cell{i: int64(r.Number)}, cell{s: string(r.State)}, cell{s: r.Model}, cell{u: r.Seed})
	for _, p := range t.params {
		v, ok := r.Params[p.name]
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
		mean, std := FoldStats(r.FoldScores)
		c = append(c, floatOrNull(r.Score), floatOrNull(mean), floatOrNull(std))
	} else {
		c = append(c, null, null, null)
	}
	for k := range t.folds {
		if scored && k < len(r.FoldScores) {
			c = append(c, cell{f: r.FoldScores[k]})
		} else {
			c = append(c, null)
		}
	}
	if r.State == trial.Running {
		c = append(c, null)
	} else {
		c = append(c, cell{f: r.Seconds})
	}
	if b := r.Budget; b.Name != "" {
		c = append(c, cell{s: b.Name}, cell{f: b.Value}, cell{i: int64(b.Rung)})
	} else {
		c = append(c, null, null, null)
	}
	if usd, ok := r.Backend[costKey]; ok {
		c = append(c, cell{f: usd})
	} else {
		c = append(c, null)
	}
	if r.State == trial.Failed {
		c = append(c, cell{s: r.Error})
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
