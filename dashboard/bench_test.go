package dashboard_test

import (
	"context"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
)

// BenchmarkStudyPage100k is what opening a 100,000-trial study's page
// costs the server once the study is read: the page, the charts' JSON
// and the first page of the trial table, computed afresh (as after each
// new read of a growing journal). Reading the journal itself is results'
// (see results' scale benchmarks).
func BenchmarkStudyPage100k(b *testing.B) {
	st := syntheticStudy(b, "big", 100_000, 0)
	m := &memStudies{studies: map[string]*report.Study{"big": st}}
	srv := httptest.NewServer(dashboard.New(dashboard.Options{Sources: []string{"big"}, Load: m.load}))
	defer srv.Close()
	bytes := 0
	for b.Loop() {
		bytes = 0
		for _, p := range []string{"/study/0", "/api/studies/0", "/api/studies/0/trials?limit=50"} {
			code, body := get(b, srv.URL, p, nil)
			if code != 200 {
				b.Fatalf("%s: %d", p, code)
			}
			bytes += len(body)
		}
	}
	b.ReportMetric(float64(bytes), "bytes/page")
}

// BenchmarkStudyHeap reports what the dashboard holds of the study
// directory HPSEARCH_BENCH_STUDY (such as the 100,000-trial no-op study
// benchmarks/scale/run.sh makes) once report.LoadTrials has read it
// (live-MiB, after a collection), and what one read's charts and one
// table page allocate (build-MiB, page-MiB): what a dashboard following
// it holds and makes at every read. Skipped without the variable.
func BenchmarkStudyHeap(b *testing.B) {
	dir := os.Getenv("HPSEARCH_BENCH_STUDY")
	if dir == "" {
		b.Skip("HPSEARCH_BENCH_STUDY names no study directory")
	}
	allocated := func(f func()) float64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
	}
	var live, build, page float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		st, err := report.LoadTrials(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		live = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		load := func(context.Context, string) (*report.Study, error) { return st, nil }
		srv := httptest.NewServer(dashboard.New(dashboard.Options{Sources: []string{dir}, Load: load}))
		build = allocated(func() { get(b, srv.URL, "/api/studies/0", nil) })
		page = allocated(func() { get(b, srv.URL, "/api/studies/0/trials?limit=50&sort=score", nil) })
		srv.Close()
		runtime.KeepAlive(st)
	}
	b.ReportMetric(live, "live-MiB")
	b.ReportMetric(build, "build-MiB")
	b.ReportMetric(page, "page-MiB")
}
