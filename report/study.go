package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/internal/studycharts"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// Study is what a report shows: a study directory read back. A Study
// must not be copied once used (it gathers its trials once).
type Study struct {
	// Dir is the study directory, for the report's heading.
	Dir  string
	Spec *search.Spec
	// Events is the journal, when the study was read whole (Load, a study
	// kept in S3, one built in memory); nil when LoadTrials streamed it,
	// keeping only its trials.
	Events []results.Event
	// Comparison is the directory's compare.json, nil when there is none.
	Comparison *cost.Comparison
	// Prices prices the study's cost summary; the zero value means
	// cost.DefaultPrices.
	Prices *cost.Prices
	// Warnings are the journal's (a torn last record), shown in the
	// report.
	Warnings []string
	// Head is the journal's first event (its study event) of a study
	// ScanTrials read, which keeps no Events; nil otherwise.
	Head *results.Event

	// trials is what the report shows of the journal: gathered by
	// LoadTrials as it streams the journal, or from Events on first use.
	trialsOnce sync.Once
	trials     *studycharts.Trials
	// read is how far LoadTrials or Reload read the journal; nil when
	// the study was not streamed.
	read *journalRead
}

// Load reads the study directory dir: spec.json, the journal and, if
// present, compare.json. A directory without spec.json or a journal is an
// error wrapping trial.ErrBadInput, naming the directory (the commands
// that read studies, report and leaderboard, print it as it is).
func Load(ctx context.Context, dir string) (*Study, error) {
	s, err := loadSpec(dir)
	if err != nil {
		return nil, err
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
	s.Events = rp.Events
	s.Warnings = append(s.Warnings, rp.Warnings...)
	if err := s.loadComparison(); err != nil {
		return nil, err
	}
	return s, nil
}

// LoadTrials reads the study directory dir as Load does, but streams
// the journal and keeps what the report and the dashboard show of it
// (Trials: a result a trial number), not its events, so Events is nil:
// a 100,000-trial study is read in a fraction of the memory and time that
// its events take. Reload reads what a journal still being written adds.
func LoadTrials(ctx context.Context, dir string) (*Study, error) {
	s, err := loadSpec(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, results.JournalFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s is not a study directory: %v", trial.ErrBadInput, dir, err)
	}
	t := studycharts.NewTrials(s.Spec.Direction)
	// A trial takes two lines (its dispatch and its result): room for
	// them all at once, rather than growing and copying the results.
	t.Grow(journalLines(path) / 2)
	rd, warnings, err := readJournal(ctx, path, &journalRead{checker: new(results.Checker)}, t)
	if err != nil {
		return nil, err
	}
	s.Warnings, s.read = append(s.Warnings, warnings...), rd
	s.trialsOnce.Do(func() { s.trials = t })
	if err := s.loadComparison(); err != nil {
		return nil, err
	}
	return s, nil
}

// ScanFunc reads a journal that is not a study directory's file (that
// of a study kept in S3: s3journal.Scan), handing fn its events one at a
// time, in order. A read that finds part of the journal damaged after fn
// had some of its events, and reads it again another way, calls reset
// first: fn is then given the journal from its first event again. An
// error from fn is returned as it is.
type ScanFunc func(ctx context.Context, fn func(results.Event) error, reset func()) error

// ScanTrials reads a study whose journal scan reads, as LoadTrials reads
// a directory: it keeps what the report and the dashboard show of the
// journal (Trials) and its first event (Head), not its events, so Events
// is nil. name is the study's
// name for the report's heading (its s3:// URL) and spec its spec. A
// reset starts the trials afresh. The study has no comparison and no
// warnings, and Reload does not read it on (it reads name as a
// directory).
func ScanTrials(ctx context.Context, name string, spec *search.Spec, scan ScanFunc) (*Study, error) {
	t := studycharts.NewTrials(spec.Direction)
	var head *results.Event
	add := func(e results.Event) error {
		if head == nil {
			head = &e
		}
		t.Add(e)
		return nil
	}
	reset := func() { t, head = studycharts.NewTrials(spec.Direction), nil }
	if err := scan(ctx, add, reset); err != nil {
		return nil, err
	}
	s := &Study{Dir: name, Spec: spec, Head: head}
	s.trialsOnce.Do(func() { s.trials = t })
	return s, nil
}

// journalLines counts the lines of the journal at path, which is cheap
// next to decoding them; 0 when it cannot be read (the scan says why).
func journalLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 256<<10)
	n := 0
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

// loadSpec returns a Study of dir with its spec.json read.
func loadSpec(dir string) (*Study, error) {
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
	return &Study{Dir: dir, Spec: &spec}, nil
}

// loadComparison reads the directory's compare.json, if it has one.
func (s *Study) loadComparison() error {
	cmpPath := filepath.Join(s.Dir, cost.ComparisonFile)
	b, err := os.ReadFile(cmpPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	var c cost.Comparison
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("report: %w: %s: %v", trial.ErrBadInput, cmpPath, err)
	}
	s.Comparison = &c
	return nil
}

// Trials returns what the report shows of the study's journal: as
// LoadTrials gathered it, or gathered from Events on the first call. It
// is safe for concurrent use; callers must not change what it returns.
func (s *Study) Trials() *studycharts.Trials {
	s.trialsOnce.Do(func() { s.trials = studycharts.TrialsOf(s.Events, s.Spec.Direction) })
	return s.trials
}

// Rows is the study's leaderboard.
func (s *Study) Rows() []results.Row {
	var rs []trial.Result
	for r := range s.Trials().Results() {
		rs = append(rs, *r)
	}
	return results.Leaderboard(rs, s.Spec.Direction)
}

// Top returns the first top rows of the study's leaderboard (all when
// top <= 0) and how many rows the whole leaderboard has, ranking the
// results one at a time (results.Tally) rather than the whole board.
func (s *Study) Top(top int) ([]results.Row, int) {
	t := results.NewTally(s.Spec.Direction, top, false)
	for r := range s.Trials().Results() {
		t.Add(*r)
	}
	return t.Rows(), t.Total()
}

// span is when the study started and how long it ran, from its journal.
func (s *Study) span() (start time.Time, wall time.Duration) {
	start, last := s.Trials().Span()
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
	// One result at a time, without its parameters: a study's page is
	// priced on every read of a growing journal.
	finals := s.Trials().FinalFields()
	b := cost.Backend{Kind: cost.Local}
	for r := range finals {
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
	m := cost.NewMeter(b) // cost.StudyCost, a result at a time
	for r := range finals {
		m.Add(r)
	}
	return m.Breakdown(p)
}
