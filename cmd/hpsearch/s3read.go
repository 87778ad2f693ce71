package main

import (
	"context"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

// loadS3Top reads the spec and the top rows (every row when top <= 0)
// of the study at the s3:// URL url. It streams the journal into a
// results.Board (s3journal.Scan), as results.ReadTop does for a study
// directory, so ranking a 100,000-trial study keeps its top rows, not its
// events. A read planned again after a damaged checkpoint or delta starts
// a new Board.
func loadS3Top(ctx context.Context, url string, top int) (*search.Spec, []results.Row, error) {
	loc, err := parseStudyURL(url)
	if err != nil {
		return nil, nil, err
	}
	api, err := newS3Client(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	spec, _, err := readS3StudySpec(ctx, api, loc)
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

// loadS3Study reads the whole study at the s3:// URL url, for the
// commands that need its events (report, best, export, refit, dashboard).
func loadS3Study(ctx context.Context, url string) (*report.Study, error) {
	loc, err := parseStudyURL(url)
	if err != nil {
		return nil, err
	}
	api, err := newS3Client(ctx, "")
	if err != nil {
		return nil, err
	}
	spec, _, err := readS3StudySpec(ctx, api, loc)
	if err != nil {
		return nil, err
	}
	events, err := s3journal.Open(api, loc).Events(ctx)
	if err != nil {
		return nil, err
	}
	return &report.Study{Dir: loc.String(), Spec: spec, Events: events}, nil
}
