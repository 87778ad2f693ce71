package lambdaexec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// rawLambda is a TCP server that reads HTTP requests and lets its
// handler answer each on the connection itself, numbering connections
// from 1 in the order they were accepted.
type rawLambda struct {
	t       testing.TB
	l       net.Listener
	handler func(conn int, r *http.Request, c net.Conn, w *bufio.Writer)
	conns   atomic.Int64
	wg      sync.WaitGroup

	mu       sync.Mutex
	requests []int // the connection of each request
	open     []net.Conn
}

func newRawLambda(t testing.TB, handler func(conn int, r *http.Request, c net.Conn, w *bufio.Writer)) *rawLambda {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawLambda{t: t, l: l, handler: handler}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n := int(s.conns.Add(1))
			s.mu.Lock()
			s.open = append(s.open, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				br, bw := bufio.NewReader(c), bufio.NewWriter(c)
				for {
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, r.Body)
					s.mu.Lock()
					s.requests = append(s.requests, n)
					s.mu.Unlock()
					s.handler(n, r, c, bw)
					_ = bw.Flush()
				}
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		s.mu.Lock()
		for _, c := range s.open {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawLambda) url() url.URL { return url.URL{Scheme: "http", Host: s.l.Addr().String()} }

// connsOfRequests returns the connection each request came on.
func (s *rawLambda) connsOfRequests() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.requests...)
}

// answerOK writes a keep-alive answer with body b.
func answerOK(w *bufio.Writer, b string, header ...string) {
	fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s", len(b), strings.Join(header, ""), b)
}

// poolFor returns the connection pool of a BuildableClient for u, with
// opts applied to its transport; it fails the test if there is none.
func poolFor(t testing.TB, u url.URL, opts ...func(*http.Transport)) *connPool {
	t.Helper()
	p := newConnPool(awshttp.NewBuildableClient().WithTransportOptions(opts...), u)
	if p == nil {
		t.Fatalf("no connection pool for %s", u.String())
	}
	return p
}

// post sends body to u through p and reads the answer whole.
func post(ctx context.Context, p *connPool, u url.URL, body string) (*http.Response, string, error) {
	u.Path = "/2015-03-31/functions/f/invocations"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(body))
	resp, err := p.Do(req, []byte(body))
	if err != nil {
		return nil, "", err
	}
	b, err := readBody(resp)
	return resp, string(b), err
}

func idleConns(p *connPool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// TestConnPoolKeepsConnectionsAlive: answers with a length or in chunks,
// read whole, leave their connection for the next request.
func TestConnPoolKeepsConnectionsAlive(t *testing.T) {
	srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) {
		if r.Header.Get("X-Chunked") != "" {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
			return
		}
		answerOK(w, "{}")
	})
	p := poolFor(t, srv.url())
	for i := range 4 {
		u := srv.url()
		u.Path = "/x"
		req, _ := http.NewRequest(http.MethodPost, u.String(), nil)
		if i%2 == 1 {
			req.Header.Set("X-Chunked", "1")
		}
		resp, err := p.Do(req, nil)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := readBody(resp); err != nil || string(b) != "{}" {
			t.Fatalf("request %d: body %q, %v", i, b, err)
		}
	}
	if got := srv.connsOfRequests(); fmt.Sprint(got) != "[1 1 1 1]" {
		t.Errorf("the requests came on connections %v, want all on the first", got)
	}
	if n := idleConns(p); n != 1 {
		t.Errorf("%d idle connections, want 1", n)
	}
}

// TestConnPoolDropsIdleConnectionsTheServerEnded: a connection the server
// closed, reset, or sent something unasked on while it was idle is not
// used again: the next request goes out once, on a new connection, and
// gets its answer.
func TestConnPoolDropsIdleConnectionsTheServerEnded(t *testing.T) {
	for _, end := range []string{"close", "reset", "unsolicited answer"} {
		t.Run(end, func(t *testing.T) {
			ended := make(chan struct{}, 1)
			srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) {
				answerOK(w, fmt.Sprintf(`{"conn":%d}`, conn))
				_ = w.Flush()
				if conn == 1 {
					switch end {
					case "close":
						_ = c.Close()
					case "reset":
						_ = c.(*net.TCPConn).SetLinger(0)
						_ = c.Close()
					default:
						_, _ = io.WriteString(c, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
					}
					ended <- struct{}{}
				}
			})
			p := poolFor(t, srv.url())
			if _, b, err := post(context.Background(), p, srv.url(), "1"); err != nil || b != `{"conn":1}` {
				t.Fatalf("first request: %q, %v", b, err)
			}
			<-ended
			_, b, err := post(context.Background(), p, srv.url(), "2")
			if err != nil || b != `{"conn":2}` {
				t.Fatalf("second request: %q, %v; want the answer on a new connection", b, err)
			}
			if got := srv.connsOfRequests(); fmt.Sprint(got) != "[1 2]" {
				t.Errorf("the requests came on connections %v, want [1 2]", got)
			}
		})
	}
}

// TestConnPoolClosesWhatTheAnswerCloses: "Connection: close", an answer
// delimited by the connection's end, and an answer followed by bytes
// nobody asked for each end their connection.
func TestConnPoolClosesWhatTheAnswerCloses(t *testing.T) {
	for _, tc := range []struct{ name, answer string }{
		{"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"},
		{"bytes after the answer", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) {
				_, _ = io.WriteString(w, tc.answer)
			})
			p := poolFor(t, srv.url())
			for i := range 2 {
				if _, b, err := post(context.Background(), p, srv.url(), "x"); err != nil || b != "{}" {
					t.Fatalf("request %d: %q, %v", i, b, err)
				}
				if n := idleConns(p); n != 0 {
					t.Fatalf("request %d left %d idle connections, want 0", i, n)
				}
			}
			if got := srv.connsOfRequests(); fmt.Sprint(got) != "[1 2]" {
				t.Errorf("the requests came on connections %v, want [1 2]", got)
			}
		})
	}
}

// TestConnPoolIdleTimeout: a connection idle longer than the transport's
// IdleConnTimeout is closed, not used.
func TestConnPoolIdleTimeout(t *testing.T) {
	srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) { answerOK(w, "{}") })
	p := poolFor(t, srv.url(), func(tr *http.Transport) { tr.IdleConnTimeout = 90 * time.Second })
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	for _, advance := range []time.Duration{0, 89 * time.Second, 91 * time.Second, time.Second} {
		now = now.Add(advance)
		if _, _, err := post(context.Background(), p, srv.url(), "x"); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.connsOfRequests(); fmt.Sprint(got) != "[1 1 2 2]" {
		t.Errorf("the requests came on connections %v, want [1 1 2 2] (a new one after 91 s idle)", got)
	}
}

// TestConnPoolKeepsAtMostMaxIdle: answers that end together leave at most
// the transport's MaxIdleConnsPerHost connections idle.
func TestConnPoolKeepsAtMostMaxIdle(t *testing.T) {
	const inFlight, maxIdle = 6, 2
	var arrived sync.WaitGroup
	arrived.Add(inFlight)
	release := make(chan struct{})
	srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) {
		arrived.Done()
		<-release
		answerOK(w, "{}")
	})
	p := poolFor(t, srv.url(), func(tr *http.Transport) { tr.MaxIdleConnsPerHost = maxIdle })
	errs := make(chan error, inFlight)
	for range inFlight {
		go func() {
			_, _, err := post(context.Background(), p, srv.url(), "x")
			errs <- err
		}()
	}
	arrived.Wait()
	close(release)
	for range inFlight {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := idleConns(p); n != maxIdle {
		t.Errorf("%d idle connections, want %d", n, maxIdle)
	}
}

// TestConnPoolCancel: a ctx cancelled or expired while the request waits
// for its answer, or while its body is read, ends the wait at once with
// ctx's error, as net/http reports it, and closes the connection.
func TestConnPoolCancel(t *testing.T) {
	got := make(chan struct{}, 1)
	done := make(chan struct{})
	defer close(done)
	srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) {
		if r.Header.Get("X-Part") != "" {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")
			_ = w.Flush()
		}
		got <- struct{}{}
		select { // hold the answer until the client gives up
		case <-done:
		case <-waitClosed(c):
		}
	})
	u := srv.url()
	u.Path = "/f"
	pool := poolFor(t, srv.url())
	clients := map[string]func(*http.Request) (*http.Response, error){
		"conns":    func(r *http.Request) (*http.Response, error) { return pool.Do(r, []byte("x")) },
		"net/http": awshttp.NewBuildableClient().Do,
	}
	for _, tc := range []struct {
		name   string
		part   bool
		cancel func(context.CancelFunc)
		want   error
	}{
		{name: "waiting, cancelled", cancel: func(c context.CancelFunc) { c() }, want: context.Canceled},
		{name: "reading the body, cancelled", part: true, cancel: func(c context.CancelFunc) { c() }, want: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			texts := map[string]string{}
			for name, do := range clients {
				ctx, cancel := context.WithCancel(context.Background())
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader("x"))
				if tc.part {
					req.Header.Set("X-Part", "1")
				}
				var resp *http.Response
				var err error
				if tc.part {
					resp, err = do(req)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					<-got
					head := make([]byte, 2)
					if _, err := io.ReadFull(resp.Body, head); err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					tc.cancel(cancel)
					_, err = readBody(resp)
				} else {
					go func() {
						<-got
						tc.cancel(cancel)
					}()
					_, err = do(req)
				}
				cancel()
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: error %v, want %v", name, err, tc.want)
				}
				if err != nil {
					texts[name] = err.Error()
				}
			}
			if texts["conns"] != texts["net/http"] {
				t.Errorf("errors differ:\n net/http %q\n conns    %q", texts["net/http"], texts["conns"])
			}
		})
	}
	if n := idleConns(pool); n != 0 {
		t.Errorf("%d connections left idle after cancellations, want 0", n)
	}
	t.Run("expired before", func(t *testing.T) {
		before := srv.conns.Load()
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
		defer cancel()
		_, _, err := post(ctx, pool, srv.url(), "x")
		var ue *url.Error
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ue) {
			t.Errorf("error %v, want a *url.Error of context.DeadlineExceeded", err)
		}
		if n := srv.conns.Load() - before; n != 0 {
			t.Errorf("%d connections made for an expired ctx", n)
		}
	})
}

// waitClosed returns a channel closed when c's peer closes it.
func waitClosed(c net.Conn) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(ch)
	}()
	return ch
}

// failingConn fails its next write when fail is set, having written
// written bytes of it.
type failingConn struct {
	net.Conn
	fail    *atomic.Bool
	written int
}

func (c failingConn) Write(b []byte) (int, error) {
	if c.fail.CompareAndSwap(true, false) {
		n, _ := c.Conn.Write(b[:c.written])
		return n, &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}
	}
	return c.Conn.Write(b)
}

func (c failingConn) SyscallConn() (syscall.RawConn, error) {
	return c.Conn.(syscall.Conn).SyscallConn()
}

// TestConnPoolWriteFailures: a write that sent nothing on a reused
// connection is tried again on a new one, as net/http does; a write that
// fails on a new connection, or after part of the request went out, is
// the request's error, and the request is not sent again.
func TestConnPoolWriteFailures(t *testing.T) {
	for _, tc := range []struct {
		name             string
		reused           bool
		written          int
		wantErr          string
		wantConnsOfReqs  string
		wantConnsDialled int64
	}{
		{name: "nothing written, reused", reused: true, wantConnsOfReqs: "[2]", wantConnsDialled: 2},
		{name: "nothing written, new", wantErr: "write tcp: broken pipe", wantConnsOfReqs: "[]", wantConnsDialled: 1},
		{name: "part written, reused", reused: true, written: 10,
			wantErr: "net/http: HTTP/1.x transport connection broken: write tcp: broken pipe", wantConnsOfReqs: "[]", wantConnsDialled: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) { answerOK(w, "{}") })
			var fail atomic.Bool
			var dialled atomic.Int64
			p := poolFor(t, srv.url())
			dial := p.dial
			p.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				dialled.Add(1)
				c, err := dial(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return failingConn{Conn: c, fail: &fail, written: tc.written}, nil
			}
			if tc.reused {
				if _, _, err := post(context.Background(), p, srv.url(), "first"); err != nil {
					t.Fatal(err)
				}
			}
			fail.Store(true)
			_, _, err := post(context.Background(), p, srv.url(), "second")
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.HasSuffix(err.Error(), ": "+tc.wantErr)) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
			conns := srv.connsOfRequests()
			if tc.reused {
				conns = conns[1:]
			}
			if fmt.Sprint(conns) != tc.wantConnsOfReqs {
				t.Errorf("the second request reached the server on connections %v, want %s", conns, tc.wantConnsOfReqs)
			}
			if n := dialled.Load(); n != tc.wantConnsDialled {
				t.Errorf("%d connections dialled, want %d", n, tc.wantConnsDialled)
			}
		})
	}
}

// TestConnPoolFallsBackToNetHTTP: a dialler whose connections cannot be
// checked while idle makes the pool hand every request to net/http, the
// first included, which is sent once.
func TestConnPoolFallsBackToNetHTTP(t *testing.T) {
	srv := newRawLambda(t, func(conn int, r *http.Request, c net.Conn, w *bufio.Writer) { answerOK(w, "{}") })
	wrap := func(tr *http.Transport) {
		dial := (&net.Dialer{}).DialContext
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			return struct{ net.Conn }{c}, err
		}
	}
	bc := awshttp.NewBuildableClient().WithTransportOptions(wrap)
	p := newConnPool(bc, srv.url())
	for i := range 2 {
		if _, b, err := post(context.Background(), p, srv.url(), "x"); err != nil || b != "{}" {
			t.Fatalf("request %d: %q, %v", i, b, err)
		}
	}
	if !p.unusable.Load() {
		t.Error("the pool did not fall back to net/http")
	}
	// One connection dialled and closed unused by the pool, one by net/http.
	if got := srv.connsOfRequests(); fmt.Sprint(got) != "[2 2]" {
		t.Errorf("the requests came on connections %v, want [2 2]", got)
	}
}

// TestConnPoolOnlyWhereItMatchesNetHTTP: endpoints and clients the pool
// does not handle exactly as net/http would keep net/http.
func TestConnPoolOnlyWhereItMatchesNetHTTP(t *testing.T) {
	plain := url.URL{Scheme: "http", Host: "127.0.0.1:9001"}
	proxy, _ := url.Parse("http://proxy.example:3128")
	for _, tc := range []struct {
		name     string
		client   lambda.HTTPClient
		endpoint url.URL
	}{
		{"https", awshttp.NewBuildableClient(), url.URL{Scheme: "https", Host: "lambda.us-east-1.amazonaws.com"}},
		{"a proxy", awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.Proxy = http.ProxyURL(proxy) }), plain},
		{"a client of the user's", http.DefaultClient, plain},
		{"a client timeout", awshttp.NewBuildableClient().WithTimeout(time.Minute), plain},
		{"a read timeout", awshttp.NewBuildableClient().WithReadTimeout(time.Minute), plain},
		{"keep-alives off", awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.DisableKeepAlives = true }), plain},
		{"a response header timeout", awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = time.Second }), plain},
		{"a TLS dialler", awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.DialTLSContext = func(context.Context, string, string) (net.Conn, error) { return nil, errors.New("no") }
		}), plain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := newConnPool(tc.client, tc.endpoint); p != nil {
				t.Errorf("a connection pool for %s with %s; want net/http", tc.endpoint.String(), tc.name)
			}
		})
	}
	if p := newConnPool(awshttp.NewBuildableClient(), plain); p == nil || p.addr != "127.0.0.1:9001" {
		t.Errorf("no pool, or the wrong address, for the SDK's client to %s: %+v", plain.String(), p)
	}
	if p := newConnPool(awshttp.NewBuildableClient(), url.URL{Scheme: "http", Host: "localhost"}); p == nil || p.addr != "localhost:80" {
		t.Errorf("pool for http://localhost: %+v, want one dialling localhost:80", p)
	}
}
