package results_test

import (
	"bytes"
	"testing"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
)

// journal100k is the journal of a 100,000-trial study: a dispatch and a
// result per trial.
func journal100k(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	head, _ := results.EncodeEvents([]results.Event{results.StudyEvent("s", at)})
	buf.Write(head)
	for n := range 100_000 {
		line, err := results.EncodeEvents([]results.Event{
			results.DispatchEvent(storetest.Trial(n), at), results.ResultEvent(storetest.Result(n), at)})
		if err != nil {
			tb.Fatal(err)
		}
		buf.Write(line)
	}
	return buf.Bytes()
}

// BenchmarkReadJournal100k reads a 100,000-trial journal and ranks it, as
// leaderboard does; it reports the journal's bytes per trial.
func BenchmarkReadJournal100k(b *testing.B) {
	data := journal100k(b)
	b.ResetTimer()
	for range b.N {
		rp, err := results.ReadJournal(bytes.NewReader(data), "journal.jsonl")
		if err != nil {
			b.Fatal(err)
		}
		results.Leaderboard(results.Results(rp.Events), "maximize")
	}
	b.ReportMetric(float64(len(data))/100_000, "bytes/trial")
}
