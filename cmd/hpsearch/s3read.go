package main

import (
	"context"
	"errors"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// The readers of a study kept in S3 stream its journal (s3journal.Scan)
// into what their command keeps of it, as the readers of a study
// directory stream its file: a 100,000-trial study is read in the memory
// of its top rows (leaderboard, best), its trials (report, dashboard) or
// its table's rows (export), not of its events. A read planned again
// after a damaged checkpoint or delta (Scan's reset) starts what it
// gathers afresh. Only refit and estimate still take every event
// (loadS3Events).

// connectS3Study parses url and reads the study's spec.
func connectS3Study(ctx context.Context, url string) (s3journal.API, s3journal.Location, *search.Spec, error) {
	loc, err := parseStudyURL(url)
	if err != nil {
		return nil, loc, nil, err
	}
	api, err := newS3Client(ctx, "")
	if err != nil {
		return nil, loc, nil, err
	}
	spec, _, err := readS3StudySpec(ctx, api, loc)
	if err != nil {
		return nil, loc, nil, err
	}
	return api, loc, spec, nil
}

// loadS3Top reads the spec and the top rows (every row when top <= 0)
// of the study at the s3:// URL url, streamed into a results.Board, as
// results.ReadTop does for a study directory.
func loadS3Top(ctx context.Context, url string, top int) (*search.Spec, []results.Row, error) {
	api, loc, spec, err := connectS3Study(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	b := results.NewBoard(spec.Direction, top)
	add := func(ev results.Event) error {
		if ev.Type == results.EventResult {
			b.Add(*ev.Result)
		}
		return nil
	}
	if err := s3journal.Scan(ctx, api, loc, add, func() { b = results.NewBoard(spec.Direction, top) }); err != nil {
		return nil, nil, err
	}
	return spec, b.Rows(), nil
}

// loadS3Study reads what the report and the dashboard show of the study
// at the s3:// URL url (report.ScanTrials: its trials, not its events),
// as report.LoadTrials reads a study directory.
func loadS3Study(ctx context.Context, url string) (*report.Study, error) {
	return scanS3Study(ctx, url, nil)
}

// scanS3Study is loadS3Study calling each, if not nil, after every event
// read (report's memory limit follows the read: heapPacer).
func scanS3Study(ctx context.Context, url string, each func()) (*report.Study, error) {
	api, loc, spec, err := connectS3Study(ctx, url)
	if err != nil {
		return nil, err
	}
	scan := func(ctx context.Context, fn func(results.Event) error, reset func()) error {
		if each != nil {
			add := fn
			fn = func(e results.Event) error {
				err := add(e)
				each()
				return err
			}
		}
		return s3journal.Scan(ctx, api, loc, fn, reset)
	}
	return report.ScanTrials(ctx, loc.String(), spec, scan)
}

// loadS3Table reads the export table of the study at the s3:// URL url,
// streamed into a results.TableBuilder (a row a trial), as
// results.ReadTrialTable does for a study directory, calling each, if not
// nil, after every event read.
func loadS3Table(ctx context.Context, url string, each func()) (*results.TrialTable, error) {
	api, loc, _, err := connectS3Study(ctx, url)
	if err != nil {
		return nil, err
	}
	b := new(results.TableBuilder)
	add := func(e results.Event) error {
		b.Add(e)
		if each != nil {
			each()
		}
		return nil
	}
	if err := s3journal.Scan(ctx, api, loc, add, func() { b = new(results.TableBuilder) }); err != nil {
		return nil, err
	}
	return b.Table(), nil
}

// loadS3Events reads the whole study at the s3:// URL url, every event,
// for the commands that still need them (refit, estimate's calibration).
func loadS3Events(ctx context.Context, url string) (*report.Study, error) {
	api, loc, spec, err := connectS3Study(ctx, url)
	if err != nil {
		return nil, err
	}
	events, err := s3journal.Open(api, loc).Events(ctx)
	if err != nil {
		return nil, err
	}
	return &report.Study{Dir: loc.String(), Spec: spec, Events: events}, nil
}

// firstS3Event returns the first event of the journal of the study at
// the s3:// URL url (its study event), for a study read without its
// events (loadS3Study): the scan stops there.
func firstS3Event(ctx context.Context, url string) (results.Event, error) {
	loc, err := parseStudyURL(url)
	if err != nil {
		return results.Event{}, err
	}
	api, err := newS3Client(ctx, "")
	if err != nil {
		return results.Event{}, err
	}
	var first results.Event
	err = s3journal.Scan(ctx, api, loc, func(e results.Event) error {
		first = e
		return errFirstEvent
	}, nil)
	if err != nil && !errors.Is(err, errFirstEvent) {
		return results.Event{}, err
	}
	return first, nil
}
