package s3journal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

// FuzzParse: Parse never panics; what it refuses is bad input; what it
// accepts has a valid bucket name and prints back as a URL that parses to
// the same Location, whose key has no empty, "." or ".." element.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"s3://b", "s3://bkt/", "s3://bkt/runs/iris", "s3://bkt/runs//iris", "s3://bkt/./x", "s3:/b", "s3://", "s3:///k", "s3://bkt/a/../c/", "s3://Bad_Bucket/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, url string) {
		loc, err := s3journal.Parse(url)
		if err != nil {
			if !errors.Is(err, trial.ErrBadInput) {
				t.Fatalf("Parse(%q): %v, not bad input", url, err)
			}
			return
		}
		if s3data.CheckBucketName(loc.Bucket) != nil || strings.HasPrefix(loc.Key, "/") || strings.HasSuffix(loc.Key, "/") {
			t.Fatalf("Parse(%q) = %+v", url, loc)
		}
		for _, el := range strings.Split(loc.Key, "/") {
			if loc.Key != "" && (el == "" || el == "." || el == "..") {
				t.Fatalf("Parse(%q) = %+v: key element %q", url, loc, el)
			}
		}
		again, err := s3journal.Parse(loc.String())
		if err != nil || again != loc {
			t.Fatalf("Parse(%q) = %+v, printed %q, parsed again %+v, %v", url, loc, loc.String(), again, err)
		}
	})
}

// FuzzReplaySegments: a study whose journal segments after the first
// hold any bytes either replays to events in which every result follows
// a dispatch of its trial and no trial has two, or is refused with a
// *results.CorruptError naming a segment and line; never a panic, and
// Reopen and Open agree.
func FuzzReplaySegments(f *testing.F) {
	enc := func(events ...results.Event) []byte {
		b, err := results.EncodeEvents(events)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(enc(pair(0)...), enc(pair(1)...), enc(results.StopEvent("max_trials", at)))
	f.Add(enc(pair(0)[0]), enc(pair(1)[0], pair(0)[1]), enc(pair(1)[1]))
	// Forged: a result beyond any dispatched, a second result in a later
	// segment, a dispatch far beyond the others, a torn segment.
	f.Add(enc(pair(0)...), enc(forgedResult(999999999999)), []byte{})
	f.Add(enc(pair(0)...), enc(pair(1)...), enc(pair(0)[1]))
	f.Add(enc(pair(0)...), enc(pair(999999999999)...), enc(pair(1)...))
	f.Add(enc(pair(0)...), []byte(`{"type":"dispatch","trial":{"num`), enc(pair(1)...))
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		s3 := newFakeS3()
		create(t, s3).Close()
		const seg = "runs/iris/journal/0000000000000000000"
		for i, data := range [][]byte{a, b, c} {
			if len(data) == 0 {
				break
			}
			s3.set(seg+string(rune('2'+i))+".jsonl", data)
		}
		ctx := context.Background()
		_, rp, rerr := s3journal.Reopen(ctx, s3, study(t))
		events, err := s3journal.Open(s3, study(t)).Events(ctx)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("Reopen: %v; Open: %v", rerr, err)
		}
		if err != nil {
			var ce *results.CorruptError
			if !errors.As(err, &ce) || ce.Line < 1 || !strings.HasPrefix(ce.File, "s3://bucket/"+seg) {
				t.Fatalf("error %v is not a CorruptError naming a segment and line", err)
			}
			return
		}
		if len(rp.Events) != len(events) {
			t.Fatalf("Reopen read %d events, Open %d", len(rp.Events), len(events))
		}
		dispatched, counted := map[int]bool{}, map[int]bool{}
		for i, e := range events {
			switch e.Type {
			case results.EventDispatch:
				dispatched[e.Trial.Number] = true
			case results.EventResult:
				if !dispatched[e.Result.Number] || counted[e.Result.Number] {
					t.Fatalf("event %d: result for trial %d without a dispatch, or twice", i, e.Result.Number)
				}
				counted[e.Result.Number] = true
			}
		}
	})
}
