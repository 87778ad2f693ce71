//go:build linux

package report_test

import (
	"bufio"
	"bytes"
	"context"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/report"
)

// browserFlag makes the browser test mandatory: .ci/run sets it after
// installing Debian's chromium, so a missing browser fails there instead of
// skipping.
const browserFlag = "HPSEARCH_BROWSER_TESTS"

// chromiumBinary finds the browser: $HPSEARCH_CHROMIUM, then Debian's real
// binary, then the usual names on $PATH. Debian's /usr/bin/chromium is a
// wrapper script that adds --enable-remote-extensions and loads extensions,
// which contact Google at start-up; the binary behind it does not.
func chromiumBinary() string {
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
	return ""
}

// browserServiceHosts are the hosts Chromium itself calls at start-up
// whatever page it shows (network time, component and extension updates,
// sign-in), even with --disable-background-networking. A report never
// names them, and the static check in TestWriteHTML rejects any http(s)
// reference, so requests to them are logged, not failed.
var browserServiceHosts = map[string]bool{
	"clients2.google.com":                     true,
	"update.googleapis.com":                   true,
	"accounts.google.com":                     true,
	"redirector.gvt1.com":                     true,
	"edgedl.me.gvt1.com":                      true,
	"content-autofill.googleapis.com":         true,
	"optimizationguide-pa.googleapis.com":     true,
	"safebrowsingohttpgateway.googleapis.com": true,
	"safebrowsing.googleapis.com":             true,
	"clientservices.googleapis.com":           true,
	"android.clients.google.com":              true,
}

// recordingProxy is an HTTP proxy on 127.0.0.1 that answers every request
// with 502 and records where it was going. Pointed at by --proxy-server,
// it sees every request the browser makes, loopback included.
type recordingProxy struct {
	ln   net.Listener
	mu   sync.Mutex
	seen []string // "METHOD target", such as "GET http://x/y" or "CONNECT x:443"
	wg   sync.WaitGroup
}

func startProxy(tb testing.TB) *recordingProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &recordingProxy{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				target := req.RequestURI
				p.mu.Lock()
				p.seen = append(p.seen, req.Method+" "+target)
				p.mu.Unlock()
				_, _ = c.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		p.wg.Wait()
	})
	return p
}

func (p *recordingProxy) addr() string { return p.ln.Addr().String() }

// pageRequests returns the requests that did not go to Chromium's own
// services, having logged those that did.
func (p *recordingProxy) pageRequests(tb testing.TB) []string {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.seen {
		if browserServiceHosts[requestHost(r)] {
			tb.Logf("ignored Chromium's own request: %s", r)
			continue
		}
		out = append(out, r)
	}
	return out
}

func requestHost(r string) string {
	_, target, _ := strings.Cut(r, " ")
	target = strings.TrimPrefix(strings.TrimPrefix(target, "http://"), "https://")
	host, _, _ := strings.Cut(target, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// browser runs headless Chromium with the flags of issue 7, a fresh
// profile, console messages logged to stderr and every request sent to
// proxy.
type browser struct {
	bin   string
	proxy *recordingProxy
}

// consoleLine matches a console message in Chromium's stderr log, such as
// `[..:INFO:CONSOLE:1] "msg", source: file:///r.html (1)` (older versions
// write CONSOLE(1)). Chromium logs every level as INFO, so any message
// counts: the report has no scripts and should print none.
var consoleLine = regexp.MustCompile(`:CONSOLE[:(].*`)

// run opens url with the extra arguments and returns stdout and the
// console messages.
func (b browser) run(tb testing.TB, url string, args ...string) (stdout []byte, console []string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + tb.TempDir(),
		"--enable-logging=stderr", "--v=0",
		"--proxy-server=http://" + b.proxy.addr(), "--proxy-bypass-list=<-loopback>",
		"--hide-scrollbars",
	}, args...)
	all = append(all, url)
	cmd := exec.CommandContext(ctx, b.bin, all...)
	// Chromium starts helper processes; on a timeout end them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// A minimal environment: no proxy variables, no display, HOME in the
	// test's directory.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tb.TempDir(), "LANG=C.UTF-8"}
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v\n%s", b.bin, err, lastLines(errOut.String(), 30))
	}
	return out.Bytes(), consoleLine.FindAllString(errOut.String(), -1)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func newBrowser(t *testing.T) browser {
	t.Helper()
	bin := chromiumBinary()
	switch {
	case bin == "" && os.Getenv(browserFlag) == "1":
		t.Fatalf("%s=1 but no chromium found (install Debian's chromium, or set HPSEARCH_CHROMIUM)", browserFlag)
	case bin == "":
		t.Skipf("no chromium on this machine; .ci/run installs it and sets %s=1", browserFlag)
	}
	return browser{bin: bin, proxy: startProxy(t)}
}

var (
	svgElement = regexp.MustCompile(`(?s)<svg\b[^>]*>.*?</svg>`)
	pathData   = regexp.MustCompile(`<path\b[^>]*\sd="([^"]*)"`)
	textNode   = regexp.MustCompile(`(?s)<text\b[^>]*>([^<]*)</text>`)
	boardRow   = regexp.MustCompile(`<tr class="(complete|pruned|failed)">`)
)

// The report, opened in headless Chromium, draws every chart, fetches
// nothing and logs nothing to the console.
func TestReportInChromium(t *testing.T) {
	b := newBrowser(t)

	// The harness itself: a page that logs and fetches is caught, so that
	// the clean run below means something.
	canary := filepath.Join(t.TempDir(), "canary.html")
	if err := os.WriteFile(canary, []byte(`<!DOCTYPE html><html><body><p>canary</p>
<img src="http://hpsearch-canary.invalid/x.png"><script>console.error("canary error")</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, console := b.run(t, "file://"+canary, "--dump-dom")
	if len(console) == 0 {
		t.Error("the canary page's console.error was not seen; console capture is broken")
	}
	if reqs := b.proxy.pageRequests(t); !containsHost(reqs, "hpsearch-canary.invalid") {
		t.Errorf("the canary page's image request did not reach the proxy (saw %q); request capture is broken", reqs)
	}

	st, err := report.Load(context.Background(), makeStudy(t, true))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := report.WriteHTML(&page, st, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if m := externalRef.FindString(page.String()); m != "" {
		t.Errorf("report refers to the network: %q", m)
	}
	html := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(html, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + html

	b.proxy = startProxy(t) // a fresh record for the report alone
	dom, console := b.run(t, url, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("console messages opening the report:\n%s", strings.Join(console, "\n"))
	}
	checkDOM(t, string(dom))

	shot := filepath.Join(t.TempDir(), "report.png")
	_, console = b.run(t, url, "--window-size=1280,4000", "--screenshot="+shot)
	if len(console) > 0 {
		t.Errorf("console messages in the screenshot run:\n%s", strings.Join(console, "\n"))
	}
	checkScreenshot(t, shot)

	if reqs := b.proxy.pageRequests(t); len(reqs) > 0 {
		t.Errorf("opening the report made network requests:\n%s", strings.Join(reqs, "\n"))
	}
}

func containsHost(reqs []string, host string) bool {
	for _, r := range reqs {
		if requestHost(r) == host {
			return true
		}
	}
	return false
}

// checkDOM checks the page as the browser built it: six charts, each with
// lines and labels drawn, and the leaderboard.
func checkDOM(tb testing.TB, dom string) {
	tb.Helper()
	svgs := svgElement.FindAllString(dom, -1)
	if len(svgs) != 6 {
		tb.Errorf("%d <svg> charts in the DOM, want 6 (2 progress, parallel, rungs, 2 parameters)", len(svgs))
	}
	for i, s := range svgs {
		var drawn, labels int
		for _, m := range pathData.FindAllStringSubmatch(s, -1) {
			if strings.Count(m[1], "L") > 0 { // a line, not only a move
				drawn++
			}
		}
		var title string
		for _, m := range textNode.FindAllStringSubmatch(s, -1) {
			if t := strings.TrimSpace(m[1]); t != "" {
				labels++
				if title == "" {
					title = t
				}
			}
		}
		// A frame, axes with ticks and the data: far more than a handful
		// of paths; the title and tick labels as text.
		if drawn < 10 || labels < 3 {
			tb.Errorf("chart %d (%.60s…): %d drawn paths and %d non-empty labels; want at least 10 and 3", i, s, drawn, labels)
		}
	}
	// One row per configuration: trials 6 and 7 are one configuration at
	// two rungs.
	if rows := boardRow.FindAllString(dom, -1); len(rows) != 7 {
		tb.Errorf("%d leaderboard rows in the DOM, want 7", len(rows))
	}
	for _, want := range []string{"Leaderboard", "Local versus Lambda", "Cost and time"} {
		if !strings.Contains(dom, want) {
			tb.Errorf("DOM lacks %q", want)
		}
	}
}

// checkScreenshot checks that the charts were painted: the page is mostly
// white with grey text and tables, so the coloured pixels are the charts'
// data, and there must be plenty of them, spread down the page.
func checkScreenshot(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		tb.Fatalf("screenshot: %v", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() != 1280 || bounds.Dy() != 4000 {
		tb.Errorf("screenshot is %dx%d, want 1280x4000", bounds.Dx(), bounds.Dy())
	}
	var inked, coloured int
	bands := map[int]bool{} // 200-pixel bands of the page holding colour
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			if r < 200 || g < 200 || b < 200 {
				inked++
			}
			if max(r, g, b)-min(r, g, b) > 60 {
				coloured++
				bands[(y-bounds.Min.Y)/200] = true
			}
		}
	}
	total := bounds.Dx() * bounds.Dy()
	tb.Logf("screenshot: %d of %d pixels inked, %d coloured in %d bands", inked, total, coloured, len(bands))
	if inked < total/200 {
		tb.Errorf("screenshot is nearly blank: %d of %d pixels inked", inked, total)
	}
	if coloured < 2000 || len(bands) < 3 {
		tb.Errorf("charts not painted: %d coloured pixels in %d bands of 200 px; want 2000 in 3", coloured, len(bands))
	}
}
