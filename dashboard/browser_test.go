//go:build linux

package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
)

// browserFlag makes the browser tests mandatory (.ci/run sets it after
// installing Debian's chromium); screenshotFlag regenerates the README's
// screenshots under docs/.
const (
	browserFlag    = "HPSEARCH_BROWSER_TESTS"
	screenshotFlag = "HPSEARCH_SCREENSHOTS"
)

// chromium finds the browser as report's browser test does: Debian's real
// binary (its /usr/bin/chromium wrapper loads extensions that call out).
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("HPSEARCH_CHROMIUM"); p != "" {
		return p
	}
	if fi, err := os.Stat("/usr/lib/chromium/chromium"); err == nil && fi.Mode()&0o111 != 0 {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(browserFlag) != "" {
		t.Fatalf("%s is set but no chromium was found", browserFlag)
	}
	t.Skip("no chromium; set " + browserFlag + "=1 to require it")
	return ""
}

// page is a headless Chromium tab that records every request it makes and
// every console error and uncaught exception.
type page struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	errors   []string
}

func openBrowser(t testing.TB) *page {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1400, 1000),
		chromedp.UserDataDir(t.TempDir()),
	)
	p := &page{}
	record := func(ev any) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			p.requests = append(p.requests, ev.Request.URL)
		case network.EventRequestWillBeSent:
			p.requests = append(p.requests, ev.Request.URL)
		}
	}
	// A hang guard, not a timing assertion: the machine may be loaded.
	ctx, cancelAll := context.WithTimeout(context.Background(), 5*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithListener(record))
	p.ctx = bctx
	done := make(chan struct{})
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelAll(); <-done })
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		close(done)
		t.Fatalf("starting chromium: %v", err)
	}
	messages := chromedp.Console(bctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.errors = append(p.errors, m.String())
				p.mu.Unlock()
			}
		}
	}()
	return p
}

func (p *page) do(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitFor evaluates the JavaScript condition until it is true.
func (p *page) waitFor(t testing.TB, what, cond string) {
	t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute))); err != nil {
		var state string
		state, _ = chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 600)`))
		t.Fatalf("%s: %v\npage: %s", what, err, state)
	}
}

// checkClean fails on console errors and on requests that left 127.0.0.1.
func (p *page) checkClean(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.errors {
		t.Errorf("browser error: %s", e)
	}
	if len(p.requests) == 0 {
		t.Error("no request recorded")
	}
	for _, r := range p.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "file" && u.Hostname() != "127.0.0.1") {
			t.Errorf("a request left 127.0.0.1: %s", r)
		}
	}
}

// clickJS clicks the element that sel selects, in one script call.
func clickJS(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`void document.querySelector(%q).click()`, sel))
}

// contourOf is JavaScript that is true when the contour chart draws
// level bands, isolines and trial points with x and y on its axes.
func contourOf(x, y string) string {
	return fmt.Sprintf(`(() => {
  const c = echarts.getInstanceByDom(document.querySelector('[data-chart="contour"]'));
  if (!c) return false;
  const named = (axis, p) => axis === p || axis === p + ' (log)';
  const o = c.getOption(), s = o.series || [];
  const names = s.map(v => v.name).join(',');
  return names === 'bands,isolines,trials' && s[0].data.length > 1 && s[1].data.length > 0 && s[2].data.length > 0 &&
    named(o.xAxis[0].name, %q) && named(o.yAxis[0].name, %q) && o.xAxis[0].type === 'log';
})()`, x, y)
}

// chartsDrawn is JavaScript that is true when every chart element holds
// an ECharts instance whose canvas has drawn pixels.
const chartsDrawn = `(() => {
  const divs = document.querySelectorAll('[data-chart]');
  if (divs.length < 8) return false;
  for (const d of divs) {
    const c = echarts.getInstanceByDom(d);
    if (!c) return false;
    const canvas = d.querySelector('canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
    if (inked < 200) return false;
  }
  return true;
})()`

func TestDashboardInChromium(t *testing.T) {
	// A real study directory whose journal grows while the dashboard
	// reads it, as a running study's does.
	full := syntheticStudy(t, "alpha", 60, 0)
	st := syntheticStudy(t, "alpha", 20, 2)
	specJSON, err := json.Marshal(st.Spec)
	if err != nil {
		t.Fatal(err)
	}
	j, err := results.Create(t.TempDir(), "alpha", []byte("name: alpha\n"), specJSON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	// Create wrote the study's first record; the synthetic one is skipped.
	if err := j.Append(context.Background(), st.Events[1:]...); err != nil {
		t.Fatal(err)
	}
	srv := dashboard.New(dashboard.Options{Sources: []string{j.Dir()}, Load: report.Load})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	p := openBrowser(t)

	t.Run("study list", func(t *testing.T) {
		p.do(t, "open /", chromedp.Navigate(hs.URL+"/"))
		p.waitFor(t, "the list shows the study", `document.querySelector('#studies a') && document.querySelector('#studies a').textContent === 'alpha'`)
		p.waitFor(t, "the list shows counts", `document.querySelector('#studies').textContent.includes('2 running')`)
		screenshot(t, p, "dashboard-studies.png")
	})

	t.Run("study page updates live", func(t *testing.T) {
		p.do(t, "open the study", chromedp.Navigate(hs.URL+"/study/0"))
		p.waitFor(t, "counts", `(document.getElementById('count-complete') || {}).textContent === 'complete: 13'`)
		p.waitFor(t, "every chart drawn", chartsDrawn)
		// Results land: the page follows without a reload.
		var landed []results.Event
		for _, e := range full.Events {
			if e.Result != nil && e.Result.Number >= 20 || e.Trial != nil && e.Trial.Number >= 22 {
				landed = append(landed, e)
			}
		}
		if err := j.Append(context.Background(), landed...); err != nil {
			t.Fatal(err)
		}
		p.waitFor(t, "counts after results landed", `(document.getElementById('count-complete') || {}).textContent === 'complete: 40'`)
		p.waitFor(t, "the table follows", `document.getElementById('table-info').textContent.endsWith('of 60')`)
		p.waitFor(t, "every chart drawn after the update", chartsDrawn)
		screenshot(t, p, "dashboard-study.png")
	})

	t.Run("contour of a chosen pair", func(t *testing.T) {
		// The study's one numeric pair comes with the charts, the more
		// important parameter on x; the other way round is not among
		// them, and the page asks the server for it.
		pair, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`['pair-x', 'pair-y'].map(id => { const s = document.getElementById(id); return s.options[s.selectedIndex].textContent; })`))
		if err != nil || len(pair) != 2 || !(pair[0] == "C" && pair[1] == "gamma" || pair[0] == "gamma" && pair[1] == "C") {
			t.Fatalf("the pair chosen first is %v (%v), want C and gamma", pair, err)
		}
		p.waitFor(t, "the first pair's contour", contourOf(pair[0], pair[1]))
		p.waitFor(t, "the contour's note names the base trial", `document.getElementById('contour-method').textContent.includes('the other parameters at the values of trial')`)
		p.do(t, "swap the pair", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`void (() => {
		  for (const [id, v] of [['pair-x', %q], ['pair-y', %q]]) {
		    const s = document.getElementById(id);
		    s.value = [...s.options].find(o => o.textContent === v).value;
		    s.dispatchEvent(new Event('change'));
		  }
		})()`, pair[1], pair[0])))
		p.waitFor(t, "the swapped pair's contour", contourOf(pair[1], pair[0]))
		p.waitFor(t, "every chart drawn", chartsDrawn)
	})

	t.Run("sorting and filtering", func(t *testing.T) {
		// Clicks from script: the table is redrawn at every poll, so a node
		// looked up first could be gone by the click.
		p.do(t, "sort by score", clickJS(`th[data-sort="score"]`))
		p.waitFor(t, "sorted ascending", `document.querySelector('th[data-sort="score"]').className === 'sorted-asc'`)
		p.do(t, "sort by score again", clickJS(`th[data-sort="score"]`))
		p.waitFor(t, "sorted descending", `document.querySelector('th[data-sort="score"]').className === 'sorted-desc'`)
		scores, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#trials tr[data-number]')].map(r => r.children[3].textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		prev := 2.0
		for i, s := range scores {
			if s == "" {
				continue
			}
			var v float64
			fmt.Sscan(s, &v)
			if v > prev {
				t.Errorf("row %d: score %v after %v", i, v, prev)
			}
			prev = v
		}
		p.do(t, "filter knn", chromedp.SetValue(chromedp.ID("filter"), "knn"),
			chromedp.Evaluate[chromedp.Void](`void document.getElementById('filter').dispatchEvent(new Event('input'))`))
		p.waitFor(t, "only knn rows", `(() => { const rows = [...document.querySelectorAll('#trials tr[data-number]')];
		  return rows.length > 0 && rows.every(r => r.children[2].textContent === 'knn') && document.getElementById('table-info').textContent.endsWith('of 30'); })()`)
		p.do(t, "filter failed", chromedp.Evaluate[chromedp.Void](`void (() => { const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); })()`),
			chromedp.Evaluate[chromedp.Void](`void (() => { const s = document.getElementById('state-filter'); s.value = 'failed'; s.dispatchEvent(new Event('change')); })()`))
		p.waitFor(t, "only failed rows", `(() => { const rows = [...document.querySelectorAll('#trials tr[data-number]')];
		  return rows.length > 0 && rows.every(r => r.children[1].textContent === 'failed'); })()`)
	})

	t.Run("trial page", func(t *testing.T) {
		p.do(t, "open trial 3", chromedp.Navigate(hs.URL+"/study/0/trial/3"))
		p.waitFor(t, "the failed trial's error", `document.getElementById('trial') && document.getElementById('trial').textContent.includes('line two')`)
	})
	p.checkClean(t)
}

// screenshot writes docs/NAME for the README when HPSEARCH_SCREENSHOTS is
// set.
func screenshot(t *testing.T, p *page, name string) {
	t.Helper()
	if os.Getenv(screenshotFlag) == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", name)
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// TestReportChartsInChromium: the static report inlines the dashboard's
// charts, and every one of them is drawn from the file alone.
func TestReportChartsInChromium(t *testing.T) {
	st := syntheticStudy(t, "alpha", 60, 0)
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, st, report.Options{Top: 20}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t)
	p.do(t, "open the report", chromedp.Navigate("file://"+path))
	p.waitFor(t, "every chart drawn", chartsDrawn)
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-chart]').length`))
	// Eleven charts (the study has intermediate values and a numeric
	// pair), both importances and the concurrency among them, and a
	// slice for each of its three parameters.
	if err != nil || n != 14 {
		t.Errorf("%d chart elements (%v), want 14", n, err)
	}
	p.waitFor(t, "the contour of C and gamma", contourOf("C", "gamma"))
	p.waitFor(t, "the forest importance drawn", `!!echarts.getInstanceByDom(document.querySelector('[data-chart="forest-importance"]'))`)
	p.waitFor(t, "the notes filled", `[...document.querySelectorAll('[data-note]')].every(n => n.textContent.length > 20)`)
	screenshot(t, p, "report-charts.png")
	p.checkClean(t)
}

// TestReportContourPairsInChromium: a report of a study with three
// numeric parameters offers the contours of their three pairs, and
// choosing one draws it.
func TestReportContourPairsInChromium(t *testing.T) {
	st := syntheticStudy(t, "alpha", 60, 0)
	for i, e := range st.Events {
		if e.Result != nil {
			r := *e.Result
			r.Params = maps.Clone(r.Params)
			r.Params["tol"] = float64(r.Number%10) / 10
			st.Events[i].Result = &r
		}
	}
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, st, report.Options{Top: 20}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	p := openBrowser(t)
	p.do(t, "open the report", chromedp.Navigate("file://"+path))
	p.waitFor(t, "every chart drawn", chartsDrawn)
	pairs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`(() => { const s = document.querySelector('[data-contour-pairs]');
	  return s && !s.hidden ? [...s.options].map(o => o.textContent) : []; })()`))
	if err != nil || len(pairs) != 3 {
		t.Fatalf("contour pairs offered: %q (%v), want 3", pairs, err)
	}
	for i, pair := range pairs {
		names := strings.Split(pair, " × ")
		p.do(t, "choose "+pair, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`void (() => { const s = document.querySelector('[data-contour-pairs]');
		  s.value = '%d'; s.dispatchEvent(new Event('change')); })()`, i)))
		p.waitFor(t, "the contour of "+pair, strings.Replace(contourOf(names[0], names[1]), ` && o.xAxis[0].type === 'log'`, "", 1))
	}
	p.checkClean(t)
}
