package results_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/results/storetest"
)

var at = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// journalTrials appends a dispatch and then a result event for each of
// trials trials, from writers goroutines, as a scheduler running writers
// trials at a time would.
func journalTrials(tb testing.TB, s results.Store, trials, writers int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := w; n < trials; n += writers {
				if err := s.Append(ctx, results.DispatchEvent(storetest.Trial(n), at)); err != nil {
					tb.Error(err)
					return
				}
				if err := s.Append(ctx, results.ResultEvent(storetest.Result(n), at)); err != nil {
					tb.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkJournal10kTrials journals 10,000 trials durably per op and
// reports, besides ns/op, the fsyncs per trial and the ratio of its time
// to the Memory store's on the same workload in the same run: the price
// of durability once group commit has shared the fsyncs.
func BenchmarkJournal10kTrials(b *testing.B) {
	const trials = 10_000
	for _, writers := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			var memory time.Duration
			var syncs int64
			for range b.N {
				b.StopTimer()
				start := time.Now()
				journalTrials(b, results.NewMemory(), trials, writers)
				memory += time.Since(start)
				j, err := results.Create(b.TempDir(), "bench", nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				journalTrials(b, j, trials, writers)
				b.StopTimer()
				syncs += j.Syncs()
				j.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(syncs)/float64(b.N*trials), "fsyncs/trial")
			b.ReportMetric(float64(b.Elapsed())/float64(memory), "x-memory")
		})
	}
}
