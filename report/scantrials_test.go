package report_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
)

// TestScanTrialsReportsAsTheWholeJournal: a study whose journal a
// ScanFunc streams (a study kept in S3) reports byte for byte as the same
// study built from its events, including when the read starts over part
// way (a damaged checkpoint read again from the segments): what was
// gathered before the reset is thrown away, not counted twice.
func TestScanTrialsReportsAsTheWholeJournal(t *testing.T) {
	ctx := context.Background()
	whole, err := report.Load(ctx, writeMixedStudy(t))
	if err != nil {
		t.Fatal(err)
	}
	events := whole.Events
	const name = "s3://bucket/runs/mixed"
	var want bytes.Buffer
	if err := report.WriteHTML(&want, &report.Study{Dir: name, Spec: whole.Spec, Events: events}, report.Options{Top: 5}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		reset int // events handed over before a reset; -1: no reset
	}{
		{"read once", -1},
		{"reset at the start", 0},
		{"reset part way", len(events) / 2},
		{"reset after the whole journal", len(events)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scan := func(ctx context.Context, fn func(results.Event) error, reset func()) error {
				if tc.reset >= 0 {
					for _, e := range events[:tc.reset] {
						if err := fn(e); err != nil {
							return err
						}
					}
					reset()
				}
				for _, e := range events {
					if err := fn(e); err != nil {
						return err
					}
				}
				return nil
			}
			st, err := report.ScanTrials(ctx, name, whole.Spec, scan)
			if err != nil {
				t.Fatal(err)
			}
			if st.Events != nil || st.Dir != name {
				t.Errorf("ScanTrials: %d events, Dir %q; want none and %q", len(st.Events), st.Dir, name)
			}
			if st.Head == nil || st.Head.Type != results.EventStudy || st.Head.Time != events[0].Time {
				t.Errorf("Head %+v, want the journal's first event, its study event", st.Head)
			}
			if got := st.Trials().Kept(); got != 30 {
				t.Errorf("kept %d results, want 30 (one a trial with a result)", got)
			}
			var got bytes.Buffer
			if err := report.WriteHTML(&got, st, report.Options{Top: 5}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("the reports differ: %d bytes streamed, %d from the events", got.Len(), want.Len())
			}
		})
	}
	boom := errors.New("gateway down")
	_, err = report.ScanTrials(ctx, name, whole.Spec, func(context.Context, func(results.Event) error, func()) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("ScanTrials of a failed read: %v, want the read's error", err)
	}
}
