package results

import (
	"github.com/hpsearch/hpsearch/trial"
)

// Tally summarises a study's results one at a time, in journal order,
// keeping only what a run's summary shows: the top rows of the
// leaderboard (a Board), how many rows the whole leaderboard has, and the
// failed trials, for Failures. A study of any size is summarised in
// memory bounded by top and by its failed trials, unless keep asks for
// every result as well (Kept, for what needs them all, such as a study's
// Lambda cost).
//
// As for Board, each trial number should be added at most once, as a
// journal holds it; a failed trial that a later result of the same
// number replaces no longer counts as failed, as in Failures. A Tally is
// not safe for concurrent use.
type Tally struct {
	board  *Board
	failed map[int]trial.Result // the failed trials, by number
	rows   int                  // trials without a budget
	// configs are the configurations under early stopping seen: each is
	// one leaderboard row.
	configs map[int]bool
	// kept holds every result added, in order, in chunks of keptChunk,
	// when NewTally's keep was set (see Kept).
	keep bool
	kept [][]trial.Result
}

// keptChunk is how many results a chunk of Tally.kept holds: results
// kept in one slice grown by append were copied four times over on
// average (append grows a large slice by a quarter), ~2% of the
// scheduler's CPU in a 20,000-trial study on Lambda.
const keptChunk = 1024

// NewTally returns an empty Tally of the best top rows (every row when
// top <= 0) in direction dir; keep says to keep every result for Kept.
func NewTally(dir trial.Direction, top int, keep bool) *Tally {
	return &Tally{board: NewBoard(dir, top), failed: map[int]trial.Result{}, configs: map[int]bool{}, keep: keep}
}

// Kept returns every result added, in order, in a slice of its own, when
// NewTally's keep was set (empty, not nil, before any); otherwise nil.
func (t *Tally) Kept() []trial.Result {
	if !t.keep {
		return nil
	}
	n := 0
	for _, c := range t.kept {
		n += len(c)
	}
	rs := make([]trial.Result, 0, n)
	for _, c := range t.kept {
		rs = append(rs, c...)
	}
	return rs
}

// Add counts r; results that are not final are ignored, as by
// Leaderboard.
func (t *Tally) Add(r trial.Result) {
	if t.keep {
		if len(t.kept) == 0 || len(t.kept[len(t.kept)-1]) == keptChunk {
			t.kept = append(t.kept, make([]trial.Result, 0, keptChunk))
		}
		last := &t.kept[len(t.kept)-1]
		*last = append(*last, r)
	}
	if !r.State.Final() {
		return
	}
	t.board.Add(r)
	if r.Budget.Name != "" {
		t.configs[r.Budget.Config] = true
	} else {
		t.rows++
	}
	if StateOf(r) == trial.Failed {
		t.failed[r.Number] = r
	} else {
		delete(t.failed, r.Number)
	}
}

// Rows returns the top rows of the leaderboard of the results added,
// ranked, as Leaderboard(results, dir)[:top].
func (t *Tally) Rows() []Row { return t.board.Rows() }

// Total is the number of rows of the whole leaderboard: one a trial, or
// one a configuration under early stopping.
func (t *Tally) Total() int { return t.rows + len(t.configs) }

// Failures groups the failed trials by reason, as Failures of every
// result added.
func (t *Tally) Failures() []FailureReason {
	rs := make([]trial.Result, 0, len(t.failed))
	for _, r := range t.failed {
		rs = append(rs, r)
	}
	return Failures(rs)
}
