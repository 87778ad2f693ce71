package results

import (
	"container/heap"
	"slices"

	"github.com/hpsearch/hpsearch/trial"
)

// Board ranks results as Leaderboard does, one at a time, keeping only
// what its top rows need: Rows returns Leaderboard(results, dir)[:top]
// for the results added. A trial that ran without early stopping is kept
// only while it is among the best top, so a study of any size is ranked
// in memory bounded by top; configurations under early stopping, whose
// rows a later rung may replace, are each kept until Rows.
//
// Each trial number must be added at most once, as a journal holds it
// (see Checker); Leaderboard also ranks a list with repeated numbers.
// top <= 0 keeps every row. A Board is not safe for concurrent use.
type Board struct {
	dir     trial.Direction
	top     int
	best    boardHeap            // trials without a budget
	configs map[int]trial.Result // under early stopping, by Budget.Config
	all     []Row                // top <= 0: every trial without a budget
}

// NewBoard returns an empty Board of the best top rows in direction dir.
func NewBoard(dir trial.Direction, top int) *Board {
	return &Board{dir: dir, top: top, best: boardHeap{dir: dir}, configs: map[int]trial.Result{}}
}

// Add ranks r, a final result.
func (b *Board) Add(r trial.Result) {
	if !r.State.Final() {
		return
	}
	if r.Budget.Name != "" {
		if old, seen := b.configs[r.Budget.Config]; !seen || supersedes(r, old) {
			b.configs[r.Budget.Config] = r
		}
		return
	}
	row := Row{Result: r}
	row.Result.State = StateOf(r)
	if b.top <= 0 {
		b.all = append(b.all, row)
		return
	}
	if b.best.Len() < b.top {
		heap.Push(&b.best, row)
		return
	}
	if worst := &b.best.rows[0].Result; compareStated(&row.Result, row.Result.State, worst, worst.State, b.dir) < 0 {
		b.best.rows[0] = row
		heap.Fix(&b.best, 0)
	}
}

// Rows returns the top rows, ranked, best first.
func (b *Board) Rows() []Row {
	rows := append(slices.Clone(b.all), b.best.rows...)
	for _, r := range b.configs {
		r.State = StateOf(r)
		rows = append(rows, Row{Result: r})
	}
	slices.SortFunc(rows, func(x, y Row) int {
		return compareStated(&x.Result, x.Result.State, &y.Result, y.Result.State, b.dir)
	})
	if b.top > 0 && len(rows) > b.top {
		rows = rows[:b.top]
	}
	for i := range rows {
		if rows[i].Result.State != trial.Complete {
			break
		}
		rows[i].Rank = i + 1
	}
	return rows
}

// boardHeap keeps rows worst first, so the worst is the one to replace.
type boardHeap struct {
	dir  trial.Direction
	rows []Row
}

func (h *boardHeap) Len() int { return len(h.rows) }

// Less reports whether row i ranks below row j.
func (h *boardHeap) Less(i, j int) bool {
	a, c := &h.rows[i].Result, &h.rows[j].Result
	return compareStated(a, a.State, c, c.State, h.dir) > 0
}

func (h *boardHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *boardHeap) Push(x any)    { h.rows = append(h.rows, x.(Row)) }
func (h *boardHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}
