//go:build linux

package dashboard_test

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"

	"github.com/hpsearch/hpsearch/dashboard"
	"github.com/hpsearch/hpsearch/report"
)

// chartsSet is true when the study page has drawn its charts once (app.js
// counts in data-drawn) and its trial table: a check cheap enough to poll
// every 10 ms without slowing the page. chartsDrawn, which reads back
// every canvas, confirms it once the time is taken.
const chartsSet = `(() => {
  const g = document.getElementById('charts');
  return !!(g && g.getAttribute('data-drawn') && document.querySelector('#trials tr[data-number]'));
})()`

// BenchmarkStudyPageLoad100kChromium is the whole load of a 100,000-trial
// study's page in headless Chromium: from navigation until every chart
// is drawn (chartsDrawn), the server's work included. "fresh" opens the
// page on a server that has not read the study yet (the study read and
// the charts computed for this page); "cached" opens it again while the
// study is unchanged (Options.Version, as hpsearch dashboard sets it).
// It reports the CPU time the load cost this process (the server, and
// the benchmark's own polling through CDP) and the browser's processes
// together (cpu-ms), the renderer's own accounting of its main thread
// (renderer-*-ms: script, layout, style, tasks), the page's own clock from navigation start (page-ms), the
// API request's share of it (api-ms) and what the page fetched.
func BenchmarkStudyPageLoad100kChromium(b *testing.B) {
	st := syntheticStudy(b, "big", 100_000, 0)
	p := openBrowser(b)
	newServer := func() string {
		m := &memStudies{studies: map[string]*report.Study{"big": st}}
		srv := dashboard.New(dashboard.Options{Sources: []string{"big"}, Load: m.load,
			Version: func(context.Context, string) (string, error) { return "unchanged", nil }})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewUnstartedServer(srv)
		hs.Listener.Close()
		hs.Listener = ln
		hs.Start()
		b.Cleanup(hs.Close)
		return hs.URL
	}
	var cpu time.Duration
	// The renderer's own accounting of the load (CDP Performance
	// metrics, seconds, summed over the loads): script, layout and style,
	// and all its main thread's tasks.
	rendererMetrics := map[string]float64{}
	if _, err := chromedp.Call(p.ctx, performance.Enable, performance.EnableParams{}); err != nil {
		b.Fatal(err)
	}
	metrics := func() map[string]float64 {
		m, err := chromedp.Call(p.ctx, performance.GetMetrics, cdp.Empty{})
		if err != nil {
			b.Fatal(err)
		}
		out := map[string]float64{}
		for _, x := range m.Metrics {
			out[x.Name] = x.Value
		}
		return out
	}
	load := func(b *testing.B, url string) {
		before := treeCPU(b)
		defer func() { cpu += treeCPU(b) - before }()
		p.do(b, "blank", chromedp.Navigate("about:blank"))
		start := metrics()
		defer func() {
			for k, v := range metrics() {
				switch k {
				case "ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration":
					rendererMetrics[k] += v - start[k]
				}
			}
		}()
		p.do(b, "open the study", chromedp.Navigate(url+"/study/0"))
		// The poll is retried when it ran in the page being left
		// ("Cannot find context"), a race of the navigation, not the page.
		for try := 0; ; try++ {
			_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](chartsSet, chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute)))
			if err == nil {
				break
			}
			if try == 3 || !strings.Contains(err.Error(), "Cannot find context") {
				b.Fatalf("charts not drawn: %v", err)
			}
		}
	}
	measure := func(b *testing.B) {
		p.waitFor(b, "every chart drawn", chartsDrawn)
		t, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]float64](`(() => {
		  const api = performance.getEntriesByType('resource').find(e => e.name.endsWith('/api/studies/0'));
		  const bytes = performance.getEntriesByType('resource').reduce((s, e) => s + e.transferSize, performance.getEntriesByType('navigation')[0].transferSize);
		  return [performance.now(), api ? api.responseEnd - api.startTime : -1, bytes];
		})()`))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms")
		for k, v := range rendererMetrics {
			b.ReportMetric(v*1000/float64(b.N), "renderer-"+k+"-ms")
		}
		b.ReportMetric(t[0], "page-ms")
		b.ReportMetric(t[1], "api-ms")
		b.ReportMetric(t[2], "bytes")
		// Where the page's own time goes: the charts' JSON parsed, their
		// options built, and each chart set up on a fresh element of the
		// same size, timed in the page.
		parts, err := chromedp.Run(p.ctx, chromedp.Evaluate[map[string]float64](`(async () => {
		  const text = await (await fetch('/api/studies/0')).text();
		  const out = {};
		  let t = performance.now();
		  const d = JSON.parse(text);
		  out['json-parse'] = performance.now() - t;
		  t = performance.now();
		  const opts = HPCharts.all(d, (d.contours || [])[0] || null, '');
		  out['options'] = performance.now() - t;
		  for (const id in opts) {
		    const div = document.createElement('div');
		    div.style.width = '640px'; div.style.height = '320px';
		    document.body.appendChild(div);
		    t = performance.now();
		    const c = echarts.init(div);
		    c.setOption(opts[id]);
		    out[id] = performance.now() - t;
		    c.dispose(); div.remove();
		  }
		  return out;
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			b.Fatal(err)
		}
		for k, v := range parts {
			b.ReportMetric(v, k+"-ms")
		}
	}
	b.Run("fresh", func(b *testing.B) {
		cpu = 0
		clear(rendererMetrics)
		for b.Loop() {
			b.StopTimer()
			url := newServer()
			b.StartTimer()
			load(b, url)
		}
		measure(b)
	})
	b.Run("cached", func(b *testing.B) {
		url := newServer()
		load(b, url) // reads the study and computes the charts
		cpu = 0
		clear(rendererMetrics)
		for b.Loop() {
			load(b, url)
		}
		measure(b)
	})
	p.checkClean(b)
}

// treeCPU is the user and system CPU time of this process and all its
// descendants (the browser's processes), read from /proc.
func treeCPU(tb testing.TB) time.Duration {
	tb.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		tb.Fatal(err)
	}
	parent := map[int]int{}
	ticks := map[int]int64{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone
		}
		// After the command name's closing parenthesis: state, ppid, ...,
		// utime and stime are fields 14 and 15 of the line.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		parent[pid], ticks[pid] = ppid, ut+st
	}
	self := os.Getpid()
	var total int64
	for pid, t := range ticks {
		for p := pid; p > 1; p = parent[p] {
			if p == self {
				total += t
				break
			}
		}
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(total) * time.Second / hz
}
