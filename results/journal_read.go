package results

import (
	"context"

	"github.com/hpsearch/hpsearch/trial"
)

// ReadResults returns the results of the journal of study directory dir,
// in journal order, and the journal's warnings (see Replay). It streams
// the journal (Journal.Scan) and keeps the results only, not every event:
// a 100,000-trial study's leaderboard is read in about a third of the
// memory that ReadJournal's events take.
func ReadResults(ctx context.Context, dir string) ([]trial.Result, []string, error) {
	j, err := Open(dir)
	if err != nil {
		return nil, nil, err
	}
	var rs []trial.Result
	sc, err := j.Scan(ctx, func(e Event) error {
		if e.Type == EventResult {
			rs = append(rs, *e.Result)
		}
		return nil
	})
	if err != nil {
		return nil, sc.Warnings, err // Scan's errors name the journal
	}
	return rs, sc.Warnings, nil
}

// ReadTop returns the first top rows of the leaderboard of study
// directory dir's journal in direction d (every row when top <= 0), and
// the journal's warnings. It streams the journal into a Board, so
// without early stopping it keeps the top rows and not the study: a
// 100,000-trial study is ranked in memory bounded by top (and by the
// Checker's few dozen bytes a trial).
func ReadTop(ctx context.Context, dir string, d trial.Direction, top int) ([]Row, []string, error) {
	j, err := Open(dir)
	if err != nil {
		return nil, nil, err
	}
	b := NewBoard(d, top)
	sc, err := j.Scan(ctx, func(e Event) error {
		if e.Type == EventResult {
			b.Add(*e.Result)
		}
		return nil
	})
	if err != nil {
		return nil, sc.Warnings, err
	}
	return b.Rows(), sc.Warnings, nil
}

// ReadTrialTable returns the TrialTable of study directory dir's
// journal, and the journal's warnings (see Replay). It streams the
// journal into a TableBuilder, keeping a row a trial, not the events: the
// table of a 100,000-trial study is read in about half the memory of its
// events.
func ReadTrialTable(ctx context.Context, dir string) (*TrialTable, []string, error) {
	j, err := Open(dir)
	if err != nil {
		return nil, nil, err
	}
	var b TableBuilder
	sc, err := j.Scan(ctx, func(e Event) error {
		b.Add(e)
		return nil
	})
	if err != nil {
		return nil, sc.Warnings, err // Scan's errors name the journal
	}
	return b.Table(), sc.Warnings, nil
}
