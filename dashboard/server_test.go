package dashboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/trial"
)

// memStudies is a Loader of studies held in memory, which a test may
// grow while a server reads them.
type memStudies struct {
	mu      sync.Mutex
	studies map[string]*report.Study
}

func (m *memStudies) load(_ context.Context, src string) (*report.Study, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.studies[src]
	if !ok {
		return nil, fmt.Errorf("no study %q", src)
	}
	// A new Study each read, as a Loader reads one (a Study is not copied).
	return &report.Study{Dir: st.Dir, Spec: st.Spec, Events: append([]results.Event(nil), st.Events...),
		Comparison: st.Comparison, Prices: st.Prices, Warnings: st.Warnings}, nil
}

func (m *memStudies) add(src string, evs ...results.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.studies[src].Events = append(m.studies[src].Events, evs...)
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// syntheticStudy returns a study of n trials of two model families with a
// log-scaled C and gamma and a categorical kernel, scoring best near C =
// 1 and gamma = 0.01: every fifth trial pruned (with two rungs), every
// seventh failed, the last `running` only dispatched.
func syntheticStudy(tb testing.TB, name string, n, running int) *report.Study {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	st := &report.Study{Dir: "/studies/" + name, Spec: &search.Spec{Name: name, Metric: "accuracy", Direction: trial.Maximize}}
	st.Events = append(st.Events, results.StudyEvent(name, t0))
	for i := 0; i < n+running; i++ {
		model := []string{"svc", "knn"}[i%2]
		lc, lg := rng.Float64()*6-3, rng.Float64()*4-4
		params := trial.Params{"C": math.Pow(10, lc), "gamma": math.Pow(10, lg), "kernel": []string{"rbf", "linear"}[rng.IntN(2)]}
		tr := trial.Trial{Number: i, Model: model, Params: params, Seed: uint64(i)}
		start := t0.Add(time.Duration(i) * time.Second)
		st.Events = append(st.Events, results.DispatchEvent(tr, start))
		if i >= n {
			continue
		}
		r := trial.Result{Number: i, State: trial.Complete, Model: model, Params: params, Seed: uint64(i),
			Score: 0.5 + 0.1*rng.Float64() + 0.3*math.Exp(-(lc*lc+(lg+2)*(lg+2))/4), FoldScores: []float64{0.5, 0.6}, Seconds: 1.5,
			Started: start, Finished: start.Add(1500 * time.Millisecond)}
		switch {
		case i%7 == 3:
			r.State, r.Score, r.Error = trial.Failed, 0, "boom: bad input\nline two"
		case i%5 == 1:
			r.State = trial.Pruned
			r.Steps = []trial.Step{{Step: 1, Value: r.Score - 0.1}, {Step: 2, Value: r.Score}}
		}
		st.Events = append(st.Events, results.ResultEvent(r, r.Finished))
	}
	return st
}

type fixture struct {
	srv     *httptest.Server
	studies *memStudies
}

func newFixture(tb testing.TB, token string, studies map[string]*report.Study, sources ...string) fixture {
	tb.Helper()
	m := &memStudies{studies: studies}
	s := dashboard.New(dashboard.Options{Sources: sources, Load: m.load, Token: token})
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	return fixture{srv, m}
}

// get fetches path raw (no cleaning by the client) and returns the
// status and body.
func get(tb testing.TB, base, path string, header http.Header) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, base, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.URL.Opaque = "//" + req.URL.Host + path // sent as written
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, b
}

func TestStudiesAPIHasTheKeysOfRunJSON(t *testing.T) {
	f := newFixture(t, "", map[string]*report.Study{"a": syntheticStudy(t, "alpha", 20, 2)}, "a", "missing")
	code, body := get(t, f.srv.URL, "/api/studies", nil)
	if code != 200 {
		t.Fatalf("GET /api/studies: %d %s", code, body)
	}
	var got []map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("want 2 studies, got %d", len(got))
	}
	for _, k := range []string{"name", "dir", "metric", "direction", "best", "trials"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("study lacks key %q: %s", k, body)
		}
	}
	trials := got[0]["trials"].(map[string]any)
	// 20 finished: 3 failed (3, 10, 17), pruned 1, 6, 11, 16 (not failed).
	want := map[string]float64{"complete": 13, "pruned": 4, "failed": 3, "running": 2}
	for k, v := range want {
		if trials[k] != v {
			t.Errorf("trials.%s = %v, want %v", k, trials[k], v)
		}
	}
	if got[0]["name"] != "alpha" || got[0]["direction"] != "maximize" || got[0]["state"] != "running" {
		t.Errorf("summary: %s", body)
	}
	if got[1]["error"] == nil || got[1]["state"] != "unreadable" {
		t.Errorf("an unreadable study says why: %v", got[1])
	}
}

func TestStudyPageFollowsTheJournal(t *testing.T) {
	st := syntheticStudy(t, "alpha", 5, 0)
	f := newFixture(t, "", map[string]*report.Study{"a": st}, "a")
	count := func() int {
		_, body := get(t, f.srv.URL, "/api/studies/0", nil)
		var c dashboard.Charts
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		return c.Summary.Trials.Complete
	}
	before := count()
	more := syntheticStudy(t, "alpha", 10, 0)
	f.studies.add("a", more.Events[len(st.Events):]...)
	if after := count(); after <= before {
		t.Errorf("complete trials %d after results landed, %d before", after, before)
	}
}

func TestTrialTableSortsFiltersAndPages(t *testing.T) {
	f := newFixture(t, "", map[string]*report.Study{"a": syntheticStudy(t, "alpha", 40, 0)}, "a")
	page := func(q string) dashboard.TrialPage {
		t.Helper()
		code, body := get(t, f.srv.URL, "/api/studies/0/trials?"+q, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", q, code, body)
		}
		var p dashboard.TrialPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("score descending, missing last", func(t *testing.T) {
		p := page("sort=score&order=desc&limit=500")
		for i := 1; i < len(p.Rows); i++ {
			a, b := p.Rows[i-1].Score, p.Rows[i].Score
			if a == nil && b != nil || a != nil && b != nil && *a < *b {
				t.Fatalf("row %d out of order", i)
			}
		}
	})
	t.Run("by parameter", func(t *testing.T) {
		p := page("sort=param:C&limit=500")
		for i := 1; i < len(p.Rows); i++ {
			var a, b float64
			fmt.Sscan(p.Rows[i-1].Params["C"], &a)
			fmt.Sscan(p.Rows[i].Params["C"], &b)
			if a > b {
				t.Fatalf("row %d: C %v before %v", i, a, b)
			}
		}
	})
	t.Run("state and text filters", func(t *testing.T) {
		p := page("state=failed")
		if p.Total != 6 {
			t.Errorf("failed: %d rows, want 6", p.Total)
		}
		for _, r := range p.Rows {
			if r.State != "failed" || !strings.Contains(r.Error, "boom") {
				t.Errorf("row %+v", r)
			}
		}
		if p := page("q=knn"); p.Total != 20 {
			t.Errorf("q=knn: %d rows, want 20", p.Total)
		}
	})
	t.Run("paging", func(t *testing.T) {
		p := page("offset=35&limit=10")
		if p.Total != 40 || len(p.Rows) != 5 || p.Rows[0].Number != 35 {
			t.Errorf("page: total %d, %d rows from %v", p.Total, len(p.Rows), p.Rows)
		}
	})
	for _, bad := range []string{"sort=nope", "order=up", "limit=-1", "limit=100000", "offset=x"} {
		if code, _ := get(t, f.srv.URL, "/api/studies/0/trials?"+bad, nil); code != 400 {
			t.Errorf("%s: status %d, want 400", bad, code)
		}
	}
}

func TestTrialDetail(t *testing.T) {
	f := newFixture(t, "", map[string]*report.Study{"a": syntheticStudy(t, "alpha", 10, 1)}, "a")
	code, body := get(t, f.srv.URL, "/api/studies/0/trials/3", nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var d dashboard.TrialDetail
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.State != "failed" || !strings.Contains(d.LogTail, "line two") || len(d.Results) != 1 {
		t.Errorf("trial 3: %s", body)
	}
	if code, _ := get(t, f.srv.URL, "/api/studies/0/trials/10", nil); code != 200 {
		t.Errorf("a running trial: %d", code)
	}
	if code, _ := get(t, f.srv.URL, "/api/studies/0/trials/99", nil); code != 404 {
		t.Errorf("an unknown trial: %d, want 404", code)
	}
}

func TestPathTraversalIsNotFound(t *testing.T) {
	f := newFixture(t, "", map[string]*report.Study{"a": syntheticStudy(t, "alpha", 3, 0)}, "a")
	for _, p := range []string{
		"/static/../web.go", "/static/..%2fweb.go", "/static/%2e%2e/web.go", "/static/%2E%2E%2Fweb.go",
		"/static/..%5cweb.go", "/static/%252e%252e%252fweb.go", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
		"/study/0/../../etc/passwd", "/api/studies/0/..", "/static//etc/passwd", "/static/web.go", "/static/VERSION",
		"/static/echarts.min.js%00.css", "/api/studies/..%2f..%2fetc", "/study/../../../tmp", "/static/.\\..\\web.go",
		"/etc/passwd", "/api/studies/2", "/api/studies/-1", "/api/studies/0/trials/01", "/study/0/trial/x",
		"/api/studies/0/trials/..%2f1",
	} {
		code, body := get(t, f.srv.URL, p, nil)
		if code != 404 {
			t.Errorf("GET %s: %d, want 404 (%.80s)", p, code, body)
		}
	}
	for _, p := range []string{"/", "/study/0", "/study/0/trial/1", "/static/echarts.min.js", "/static/charts.js", "/static/app.js", "/static/style.css"} {
		if code, _ := get(t, f.srv.URL, p, nil); code != 200 {
			t.Errorf("GET %s: %d, want 200", p, code)
		}
	}
}

func TestOnlyReads(t *testing.T) {
	f := newFixture(t, "", map[string]*report.Study{"a": syntheticStudy(t, "alpha", 3, 0)}, "a")
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(m, f.srv.URL+"/api/studies/0", strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", m, resp.StatusCode)
		}
	}
}

func TestTokenIsRequiredOnEveryRequest(t *testing.T) {
	const token = "s3cret-token"
	f := newFixture(t, token, map[string]*report.Study{"a": syntheticStudy(t, "alpha", 3, 0)}, "a")
	paths := []string{"/", "/api/studies", "/api/studies/0", "/static/echarts.min.js", "/study/0", "/nope"}
	for _, p := range paths {
		for name, h := range map[string]http.Header{
			"none":          nil,
			"wrong bearer":  {"Authorization": {"Bearer nope"}},
			"wrong cookie":  {"Cookie": {"hpsearch_dashboard_token=nope"}},
			"prefix":        {"Authorization": {"Bearer s3cret"}},
			"without space": {"Authorization": {"Bearers3cret-token"}},
		} {
			if code, _ := get(t, f.srv.URL, p, h); code != 401 {
				t.Errorf("%s with %s token: %d, want 401", p, name, code)
			}
		}
		if code, _ := get(t, f.srv.URL, p+"?token=nope", nil); code != 401 {
			t.Errorf("%s?token=nope: %d, want 401", p, code)
		}
	}
	if code, _ := get(t, f.srv.URL, "/api/studies", http.Header{"Authorization": {"Bearer " + token}}); code != 200 {
		t.Errorf("bearer token: %d", code)
	}
	if code, _ := get(t, f.srv.URL, "/api/studies", http.Header{"Cookie": {"hpsearch_dashboard_token=" + token}}); code != 200 {
		t.Errorf("cookie token: %d", code)
	}
	// The printed URL carries the token; its answer sets the cookie the
	// page's own requests then carry.
	resp, err := http.Get(f.srv.URL + "/?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Set-Cookie"), "hpsearch_dashboard_token="+token) {
		t.Errorf("?token=: %d, Set-Cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	// With the token, traversal is still a 404.
	if code, _ := get(t, f.srv.URL, "/static/..%2fweb.go", http.Header{"Authorization": {"Bearer " + token}}); code != 404 {
		t.Errorf("traversal with the token: %d, want 404", code)
	}
}

func TestCheckAddr(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		want        error
	}{
		{"127.0.0.1:8080", "", nil},
		{"127.0.0.1:0", "", nil},
		{"127.1.2.3:0", "", nil},
		{"[::1]:0", "", nil},
		{"localhost:0", "", nil},
		{"0.0.0.0:8080", "", dashboard.ErrNotLoopback},
		{":8080", "", dashboard.ErrNotLoopback},
		{"[::]:0", "", dashboard.ErrNotLoopback},
		{"192.168.1.5:80", "", dashboard.ErrNotLoopback},
		{"example.com:80", "", dashboard.ErrNotLoopback},
		{"0.0.0.0:8080", "tok", nil},
		{"no-port", "", trial.ErrBadInput},
	} {
		err := dashboard.CheckAddr(c.addr, c.token)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("CheckAddr(%q, %q) = %v, want %v", c.addr, c.token, err, c.want)
		}
		if c.want != nil && !errors.Is(err, trial.ErrBadInput) {
			t.Errorf("CheckAddr(%q): %v does not wrap ErrBadInput", c.addr, err)
		}
	}
}

// TestLargeStudyIsDownsampled: a study of 100,000 trials answers with
// charts of at most MaxPoints points a series, and every response stays
// under 5 MB.
func TestLargeStudyIsDownsampled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-trial study")
	}
	f := newFixture(t, "", map[string]*report.Study{"big": syntheticStudy(t, "big", 100_000, 0)}, "big")
	const limit = 5 << 20
	for _, p := range []string{"/", "/study/0", "/api/studies", "/api/studies/0", "/api/studies/0/trials?limit=500&sort=score", "/static/app.js", "/static/echarts.min.js"} {
		code, body := get(t, f.srv.URL, p, nil)
		if code != 200 || len(body) >= limit {
			t.Errorf("GET %s: %d, %d bytes (limit %d)", p, code, len(body), limit)
		}
	}
	_, body := get(t, f.srv.URL, "/api/studies/0", nil)
	var c dashboard.Charts
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	if c.Total != 100_000 || len(c.Points) > dashboard.MaxPoints+len(c.BestSteps) || len(c.Timeline) > dashboard.MaxPoints || len(c.Cost) > dashboard.MaxPoints+1 {
		t.Errorf("total %d, %d points, %d spans, %d cost points", c.Total, len(c.Points), len(c.Timeline), len(c.Cost))
	}
	// Every improvement of the best score is drawn.
	shown := map[int]bool{}
	for _, p := range c.Points {
		shown[p.Number] = true
	}
	for _, b := range c.BestSteps {
		if !shown[b.Number] {
			t.Errorf("best step at trial %d is not among the points", b.Number)
		}
	}
}
