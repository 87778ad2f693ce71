package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// Study is what a report shows: a study directory read back.
type Study struct {
	// Dir is the study directory, for the report's heading.
	Dir  string
	Spec *search.Spec
	// Events is the journal.
	Events []results.Event
	// Comparison is the directory's compare.json, nil when there is none.
	Comparison *cost.Comparison
	// Prices prices the study's cost summary; the zero value means
	// cost.DefaultPrices.
	Prices *cost.Prices
	// Warnings are the journal's (a torn last record), shown in the
	// report.
	Warnings []string
}

// Load reads the study directory dir: spec.json, the journal and, if
// present, compare.json. A directory without spec.json or a journal is an
// error wrapping trial.ErrBadInput, naming the directory (the commands
// that read studies, report and leaderboard, print it as it is).
func Load(ctx context.Context, dir string) (*Study, error) {
	specPath := filepath.Join(dir, results.SpecJSONFile)
	b, err := os.ReadFile(specPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("%w: %s is not a study directory (it has no %s)", trial.ErrBadInput, dir, results.SpecJSONFile)
		}
		return nil, fmt.Errorf("report: %w", err)
	}
	var spec search.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", trial.ErrBadInput, specPath, err)
	}
	j, err := results.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a study directory: %v", trial.ErrBadInput, dir, err)
	}
	defer j.Close()
	rp, err := j.Replay(ctx)
	if err != nil {
		return nil, err
	}
	s := &Study{Dir: dir, Spec: &spec, Events: rp.Events}
	for _, w := range rp.Warnings {
		s.Warnings = append(s.Warnings, fmt.Sprint(w))
	}
	cmpPath := filepath.Join(dir, cost.ComparisonFile)
	if b, err := os.ReadFile(cmpPath); err == nil {
		var c cost.Comparison
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("report: %w: %s: %v", trial.ErrBadInput, cmpPath, err)
		}
		s.Comparison = &c
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("report: %w", err)
	}
	return s, nil
}

// Rows is the study's leaderboard.
func (s *Study) Rows() []results.Row {
	return results.Leaderboard(results.Results(s.Events), s.Spec.Direction)
}

// finals returns the last final result of each trial number, every rung
// of early stopping included, in trial number order.
func (s *Study) finals() []trial.Result {
	// Indexed by number (numbers are dense), not hashed and sorted: the
	// dashboard prices a 100,000-trial study on every read.
	var last []*trial.Result
	count := 0
	for _, e := range s.Events {
		if e.Type != results.EventResult || !e.Result.State.Final() {
			continue
		}
		n := e.Result.Number
		if n < 0 || n > len(s.Events) {
			return s.finalsSparse()
		}
		if n >= len(last) {
			last = append(last, make([]*trial.Result, n+1-len(last))...)
		}
		if last[n] == nil {
			count++
		}
		last[n] = e.Result
	}
	rs := make([]trial.Result, 0, count)
	for _, r := range last {
		if r != nil {
			rs = append(rs, *r)
		}
	}
	return rs
}

// span is when the study started and how long it ran, from its journal.
func (s *Study) span() (start time.Time, wall time.Duration) {
	var last time.Time
	for _, e := range s.Events {
		if e.Time.IsZero() {
			continue
		}
		if start.IsZero() || e.Time.Before(start) {
			start = e.Time
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	return start, last.Sub(start)
}

// Cost prices the study on the backend its results came from: Lambda
// when they carry REPORT figures, this machine otherwise. A Lambda study
// with a dataset also pays for pushing it to S3, counted as compare counts
// it (cost.DatasetPushGets, cost.DatasetPushPuts).
func (s *Study) Cost() cost.Breakdown {
	p := cost.DefaultPrices
	if s.Prices != nil {
		p = *s.Prices
	}
	rs := s.finals()
	b := cost.Backend{Kind: cost.Local}
	for _, r := range rs {
		if _, ok := r.Backend["duration_ms"]; ok {
			b.Kind = cost.Lambda
			break
		}
	}
	if b.Kind == cost.Lambda {
		if a, ok := s.Spec.Backend["arch"].(string); ok {
			b.Arch = a
		}
		if m, ok := s.Spec.Backend["memory_mb"].(float64); ok {
			b.MemoryMB = int(m)
		}
		if s.Spec.Dataset != "" {
			b.S3Gets, b.S3Puts = cost.DatasetPushGets, cost.DatasetPushPuts
		}
	}
	if _, wall := s.span(); wall > 0 {
		b.WallSeconds = wall.Seconds()
	}
	return cost.StudyCost(rs, b, p)
}

// finalsSparse is finals for a journal whose trial numbers are not dense
// (a hand-edited one): hashed, then sorted.
func (s *Study) finalsSparse() []trial.Result {
	last := map[int]trial.Result{}
	for _, e := range s.Events {
		if e.Type == results.EventResult && e.Result.State.Final() {
			last[e.Result.Number] = *e.Result
		}
	}
	rs := make([]trial.Result, 0, len(last))
	for _, r := range last {
		rs = append(rs, r)
	}
	sortByNumber(rs)
	return rs
}
