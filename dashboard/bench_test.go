package dashboard_test

import (
	"net/http/httptest"
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
