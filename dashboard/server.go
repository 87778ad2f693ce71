package dashboard

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/dashboard/web"
	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/trial"
)

// Loader reads a study from where it is kept: a directory, or the s3://
// URL of a study in S3. It is called again whenever a study's data are
// older than Options.MaxAge, and must be safe for concurrent use; it must
// only read.
//
// It may return a new study, or the study it returned for source before,
// brought up to date in place (report.Study.Reload: a growing study held
// once, not once a read). The server calls it for a source only while
// nothing reads that source's study, and after an error goes on showing
// the study as the Loader left it; a Loader must therefore leave a study
// it changes readable (Reload leaves the records before a damaged one).
type Loader func(ctx context.Context, source string) (*report.Study, error)

// Options configures a Server.
type Options struct {
	// Sources are the studies, as Loader takes them.
	Sources []string
	Load    Loader
	// Token, when set, must come with every request: as the header
	// "Authorization: Bearer TOKEN", as the query parameter token (the
	// URL printed at start-up carries it; the answer then sets a cookie
	// so that the page's own requests carry it too) or as that cookie.
	Token string
	// MaxAge is how long a study read is reused before it is read again;
	// zero reads it on every request.
	MaxAge time.Duration
	// Version, when set, returns a fingerprint of a study's stored data
	// (such as its journal's size and modification time): when it is the
	// same as at the last read, the study is not read again. Nil reads
	// whenever MaxAge has passed.
	Version func(ctx context.Context, source string) (string, error)
	// Now is the clock for MaxAge; nil means time.Now.
	Now func() time.Time
	// Logs reads the logs of trials that ran on Lambda, stored in S3;
	// nil shows only the logs in study directories.
	Logs RemoteLogs
	// Log receives a line for each study that could not be read; nil
	// discards.
	Log *slog.Logger
}

// ErrNotLoopback is returned by CheckAddr for an address other than
// loopback without a token.
var ErrNotLoopback = errors.New("dashboard: a non-loopback address needs --token")

// CheckAddr checks that addr ("host:port") may be served: a loopback host
// (127.0.0.0/8, ::1 or localhost) always; any other host only with a
// token. A malformed address is an error too; both wrap trial.ErrBadInput.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --addr %q: %v", trial.ErrBadInput, addr, err)
	}
	if token != "" {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %w: %q (bind 127.0.0.1, or give --token and send it with every request)", trial.ErrBadInput, ErrNotLoopback, addr)
}

// Server is the dashboard's HTTP handler. It is safe for concurrent use.
type Server struct {
	opts    Options
	ids     []string
	mu      sync.Mutex
	studies map[string]*entry
}

// entry is one study, its last read and what was computed from it.
type entry struct {
	source string
	// mu is held for reading by anything that reads st (its trials and
	// warnings, the charts being built from them, a table page, a
	// trial), and for writing to read st again (see Loader: the read may
	// change st in place) or to change at, version and st.
	mu      sync.RWMutex
	at      time.Time
	version string
	st      *report.Study
	// charts is computed from st on first use (under chartsMu, with mu
	// held for reading) and dropped before st is read again, so that a
	// study's charts are computed once a read and never held beside the
	// next read's.
	chartsMu sync.Mutex
	charts   *Charts
}

var _ http.Handler = (*Server)(nil)

// New returns a server of the studies opts.Sources. Each study gets an ID
// for its URLs: its position in Sources, which never depends on a
// study's content. A source given again is served once, under its first
// ID (a Loader may hand both the one study it changes in place).
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, studies: map[string]*entry{}}
	for i, src := range opts.Sources {
		if slices.Contains(opts.Sources[:i], src) {
			continue
		}
		id := strconv.Itoa(i)
		s.ids = append(s.ids, id)
		s.studies[id] = &entry{source: src}
	}
	return s
}

// study returns study id's entry with its mu held for reading (the
// caller must RUnlock it), read again first when older than MaxAge and
// changed since (Options.Version).
func (s *Server) study(ctx context.Context, id string) (*entry, error) {
	e := s.studies[id]
	e.mu.RLock()
	if e.st != nil && s.opts.MaxAge != 0 && s.opts.Now().Sub(e.at) < s.opts.MaxAge {
		return e, nil
	}
	e.mu.RUnlock()
	e.mu.Lock()
	err := s.reread(ctx, e)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	// Another request may read the study again meanwhile; whatever it
	// leaves is as good.
	e.mu.RLock()
	return e, nil
}

// reread reads e's study again unless it is younger than MaxAge or
// unchanged since (Options.Version); e.mu must be held for writing. A
// failed read keeps the last good one (a journal mid-write) and is an
// error only when there is none.
func (s *Server) reread(ctx context.Context, e *entry) error {
	now := s.opts.Now()
	if e.st != nil && s.opts.MaxAge != 0 && now.Sub(e.at) < s.opts.MaxAge {
		return nil
	}
	version := ""
	if s.opts.Version != nil {
		v, err := s.opts.Version(ctx, e.source)
		if err == nil && v == e.version && e.st != nil {
			e.at = now
			return nil
		}
		version = v
	}
	// The charts of the last read go before the next read is made.
	e.charts = nil
	st, err := s.opts.Load(ctx, e.source)
	if err != nil {
		s.opts.Log.Warn("dashboard: reading a study", "source", e.source, "err", err)
		if e.st == nil {
			return err
		}
		return nil
	}
	e.st, e.at, e.version = st, now, version
	return nil
}

// chartsOf returns the charts of e's study, computed once per read; e.mu
// must be held for reading.
func (s *Server) chartsOf(id string, e *entry) Charts {
	e.chartsMu.Lock()
	defer e.chartsMu.Unlock()
	if e.charts == nil {
		c := buildCharts(id, e.st)
		e.charts = &c
	}
	return *e.charts
}

// ServeHTTP authenticates, rejects traversal and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// The boundary of untrusted input: a bug answers 500, not a crash.
		if v := recover(); v != nil {
			s.opts.Log.Error("dashboard: panic", "path", r.URL.Path, "panic", v)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	if s.opts.Token != "" && !s.authorized(w, r) {
		http.Error(w, "unauthorized: send the dashboard's token", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the dashboard only reads", http.StatusMethodNotAllowed)
		return
	}
	raw := r.URL.EscapedPath()
	if suspicious(raw) || suspicious(r.URL.Path) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'")
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/":
		s.page(w, "index.html")
	case len(parts) == 2 && parts[0] == "static":
		s.static(w, r, parts[1])
	case len(parts) == 2 && parts[0] == "study" && s.known(parts[1]):
		s.page(w, "study.html")
	case len(parts) == 4 && parts[0] == "study" && s.known(parts[1]) && parts[2] == "trial" && isNumber(parts[3]):
		s.page(w, "trial.html")
	case len(parts) == 2 && parts[0] == "api" && parts[1] == "studies":
		s.apiStudies(w, r)
	case len(parts) == 3 && parts[0] == "api" && parts[1] == "studies" && s.known(parts[2]):
		s.apiStudy(w, r, parts[2])
	case len(parts) == 4 && parts[0] == "api" && parts[1] == "studies" && s.known(parts[2]) && parts[3] == "contour":
		s.apiContour(w, r, parts[2])
	case len(parts) == 4 && parts[0] == "api" && parts[1] == "studies" && s.known(parts[2]) && parts[3] == "trials":
		s.apiTrials(w, r, parts[2])
	case len(parts) == 5 && parts[0] == "api" && parts[1] == "studies" && s.known(parts[2]) && parts[3] == "trials" && isNumber(parts[4]):
		s.apiTrial(w, r, parts[2], parts[4])
	default:
		http.NotFound(w, r)
	}
}

// suspicious reports a path that could name something outside what the
// server serves: dot segments, backslashes, encoded slashes, dots or
// percent signs, NUL, or repeated slashes.
func suspicious(p string) bool {
	lp := strings.ToLower(p)
	for _, bad := range []string{"..", "\\", "%2f", "%2e", "%5c", "%25", "%00", "\x00", "//", "/./"} {
		if strings.Contains(lp, bad) {
			return true
		}
	}
	return strings.HasSuffix(lp, "/.")
}

func isNumber(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && strconv.Itoa(n) == s
}

func (s *Server) known(id string) bool {
	_, ok := s.studies[id]
	return ok
}

const tokenCookie = "hpsearch_dashboard_token"

// authorized checks the token in the header, the query or the cookie,
// in constant time; a right query token sets the cookie.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	want := []byte(s.opts.Token)
	ok := func(got string) bool { return got != "" && subtle.ConstantTimeCompare([]byte(got), want) == 1 }
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") && ok(strings.TrimPrefix(h, "Bearer ")) {
		return true
	}
	if c, err := r.Cookie(tokenCookie); err == nil && ok(c.Value) {
		return true
	}
	if ok(r.URL.Query().Get("token")) {
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: s.opts.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		return true
	}
	return false
}

func (s *Server) page(w http.ResponseWriter, name string) {
	b, err := web.Files.ReadFile(name)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// staticTypes lists the embedded assets served under /static/, and
// nothing else is.
var staticTypes = map[string]string{
	"echarts.min.js": "text/javascript; charset=utf-8",
	"charts.js":      "text/javascript; charset=utf-8",
	"app.js":         "text/javascript; charset=utf-8",
	"style.css":      "text/css; charset=utf-8",
}

func (s *Server) static(w http.ResponseWriter, r *http.Request, name string) {
	typ, ok := staticTypes[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := web.Files.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		// Headers are gone; the client sees a truncated body.
		return
	}
}

// apiStudies answers GET /api/studies: a StudySummary per study, in the
// order given; a study that cannot be read has its source as dir and the
// reason in error.
func (s *Server) apiStudies(w http.ResponseWriter, r *http.Request) {
	out := make([]StudySummary, len(s.ids))
	var wg sync.WaitGroup
	for i, id := range s.ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := s.study(r.Context(), id)
			if err != nil {
				out[i] = StudySummary{ID: id, Dir: s.studies[id].source, State: "unreadable", Error: err.Error()}
				return
			}
			defer e.mu.RUnlock()
			out[i] = s.chartsOf(id, e).Summary
		}()
	}
	wg.Wait()
	writeJSON(w, out)
}

func (s *Server) apiStudy(w http.ResponseWriter, r *http.Request, id string) {
	e, err := s.study(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	c := s.chartsOf(id, e)
	e.mu.RUnlock()
	writeJSON(w, c)
}

func (s *Server) apiTrials(w http.ResponseWriter, r *http.Request, id string) {
	q, err := parseTableQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e, err := s.study(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	page := table(e.st.Trials(), q)
	e.mu.RUnlock()
	writeJSON(w, page)
}

func (s *Server) apiTrial(w http.ResponseWriter, r *http.Request, id, num string) {
	n, _ := strconv.Atoi(num)
	e, err := s.study(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	st := e.st
	d, ok := detail(st.Trials(), n)
	// A study read again in place keeps its Dir and Spec, which the logs
	// need; its trials are read no more.
	e.mu.RUnlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if tail, rel, ok := logTail(st.Dir, n); ok {
		d.LogTail, d.LogFile = tail, rel
	} else if tail, where, ok := remoteLogTail(r.Context(), s.opts.Logs, st, n, lastAttempt(d)); ok {
		d.LogTail, d.LogFile = tail, where
	}
	writeJSON(w, d)
}
