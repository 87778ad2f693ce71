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
