package lambdaexec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// EnvNetHTTPInvoke, set to 1, makes the direct Invoke send its requests
// through net/http's Transport rather than its own connections (see
// connPool), for comparing the two.
const EnvNetHTTPInvoke = "HPSEARCH_NETHTTP_INVOKE"

// maxConnBody is the largest request body connPool sends itself. It
// writes a request whole before it reads the answer, so a server that
// answers a large body early without reading it could block the write;
// net/http writes and reads concurrently and is kept for those. Every
// Invoke the executor sends of a noop or small trial is far below it.
const maxConnBody = 64 << 10

// connPool sends the direct Invoke's HTTP/1.1 requests on keep-alive
// connections of its own, writing each request and reading its answer on
// the calling goroutine. net/http's Transport hands every request and
// answer between the caller and two goroutines per connection (its
// readLoop and writeLoop); at 1,000 invocations in flight, with answers
// arriving one at a time, those hand-offs and the wake-ups they cost were
// most of the scheduler's CPU that was not signing or the journal.
//
// Its contract is net/http's, for the requests the direct Invoke builds
// (a POST with its body in memory, no redirects followed — Lambda sends
// none):
//   - A connection is taken from the idle pool, newest first, after a
//     check that the server has not closed it (and sent nothing on it)
//     while it was idle, which net/http's readLoop notices as it happens;
//     one that fails the check, or has been idle longer than the
//     transport's IdleConnTimeout, is closed and the next is tried. With
//     none left it dials with the transport's DialContext.
//   - The request is written in one write. A write that fails having
//     written nothing on a reused connection is tried again on another
//     connection (net/http's nothingWrittenError); any other failure is
//     returned, as net/http returns it for a POST that is not idempotent:
//     the raw error of a fresh connection, "net/http: HTTP/1.x transport
//     connection broken: ..." after part of the request went out, and the
//     read's own error (io.EOF, a reset) when the whole request went out
//     and no answer came. Whether such a request ran is unknown; nothing
//     is sent twice.
//   - A cancelled or expired ctx stops a dial, write or read at once (it
//     moves the connection's deadline into the past), the connection is
//     closed, and the error is context.Cause(ctx), as net/http's.
//   - Errors before an answer are *url.Error{Op: "Post"}, as http.Client
//     returns them; errors reading the body are the body reader's own
//     (io.ErrUnexpectedEOF for a body cut short).
//   - Bodies are delimited by Content-Length, chunked encoding, or the
//     connection's end; 1xx answers other than 101 are skipped; a gzip
//     body is decoded when gzip was asked for (the transport's
//     DisableCompression unset), as net/http does. A connection goes
//     back to the pool only after its body was read to the end, without
//     "Connection: close", without bytes beyond the answer, and without
//     ctx having been cancelled; at most maxIdle wait there.
//   - The first dialled connection it cannot check (a dialer that wraps
//     its connections, a platform without the check) is closed unused,
//     and from then on every request goes to next, the net/http client.
//
// It is safe for concurrent use.
type connPool struct {
	// next sends what the pool does not (see the contract).
	next lambda.HTTPClient
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// addr is the host:port dialled.
	addr        string
	gzip        bool
	maxIdle     int
	idleTimeout time.Duration // 0: no limit
	maxHeader   int64
	bufSize     int
	// now is the clock of the idle timeout.
	now func() time.Time

	mu   sync.Mutex
	idle []*poolConn // oldest first
	// unusable is set once a dialled connection could not be checked.
	unusable atomic.Bool
}

// newConnPool returns the connection pool for requests to endpoint sent
// by hc, or nil when requests there must go through hc as they are: a
// client that is not the SDK's BuildableClient, an https or proxied
// endpoint, a client or read timeout, or transport settings the pool does
// not implement.
func newConnPool(hc lambda.HTTPClient, endpoint url.URL) *connPool {
	bc, ok := hc.(*awshttp.BuildableClient)
	if !ok || bc.GetTimeout() != 0 || endpoint.Scheme != "http" || endpoint.User != nil {
		return nil
	}
	if rt, ok := bc.GetReadTimeout(); ok && rt > 0 {
		return nil
	}
	tr := bc.GetTransport()
	if tr.Proxy != nil {
		u, err := tr.Proxy(&http.Request{Method: http.MethodPost, URL: &endpoint, Header: http.Header{}})
		if err != nil || u != nil {
			return nil
		}
	}
	//lint:ignore SA1019 a transport using the deprecated Dial is one the pool leaves alone
	if tr.DisableKeepAlives || tr.ResponseHeaderTimeout > 0 || tr.Dial != nil || tr.DialTLS != nil ||
		tr.DialTLSContext != nil || tr.Protocols != nil && !tr.Protocols.HTTP1() || !connCheckSupported {
		return nil
	}
	host := endpoint.Hostname()
	if host == "" || !printableASCII(host) || strings.Contains(host, "%") || !printableASCII(endpoint.Host) {
		return nil
	}
	port := endpoint.Port()
	if port == "" {
		port = "80"
	}
	p := &connPool{next: hc, dial: tr.DialContext, addr: net.JoinHostPort(host, port), gzip: !tr.DisableCompression,
		idleTimeout: tr.IdleConnTimeout, maxHeader: tr.MaxResponseHeaderBytes, bufSize: tr.ReadBufferSize, now: time.Now}
	if p.dial == nil {
		p.dial = (&net.Dialer{}).DialContext
	}
	p.maxIdle = tr.MaxIdleConnsPerHost
	if p.maxIdle == 0 {
		p.maxIdle = http.DefaultMaxIdleConnsPerHost
	}
	if tr.MaxIdleConns > 0 {
		p.maxIdle = min(p.maxIdle, tr.MaxIdleConns)
	}
	if p.maxHeader <= 0 {
		p.maxHeader = 10 << 20 // net/http's default
	}
	if p.bufSize <= 0 {
		p.bufSize = 4 << 10
	}
	return p
}

// poolConn is one connection of a connPool and its read buffer. It is
// used by one request at a time.
type poolConn struct {
	net.Conn
	raw    syscall.RawConn
	br     *bufio.Reader
	wbuf   []byte
	idleAt time.Time
	reused bool
	// readLimit bounds what the answer's headers may read, as net/http's
	// MaxResponseHeaderBytes; sawEOF records that the server closed.
	readLimit, maxHeader int64
	sawEOF               bool
}

// Read reads from the connection for br, within readLimit, as net/http's
// persistConn.Read does.
func (c *poolConn) Read(p []byte) (int, error) {
	if c.readLimit <= 0 {
		return 0, fmt.Errorf("read limit of %d bytes exhausted", c.maxHeader)
	}
	if int64(len(p)) > c.readLimit {
		p = p[:c.readLimit]
	}
	n, err := c.Conn.Read(p)
	if err == io.EOF {
		c.sawEOF = true
	}
	c.readLimit -= int64(n)
	return n, err
}

// aLongTimeAgo is a deadline in the past, which fails any I/O at once.
var aLongTimeAgo = time.Unix(1, 0)

// Do sends req, whose body is body (the bytes req.Body reads), and returns
// the answer with its body unread, as http.Client.Do does; see connPool
// for the contract.
func (p *connPool) Do(req *http.Request, body []byte) (*http.Response, error) {
	ctx := req.Context()
	if ctx.Err() != nil {
		return nil, urlError(req, context.Cause(ctx))
	}
	if p.unusable.Load() || len(body) > maxConnBody || !validHeaders(req.Header) || !printableASCII(req.Host) {
		return p.next.Do(req)
	}
	for {
		c, err := p.get(ctx)
		if err != nil {
			return nil, urlError(req, err)
		}
		if c == nil {
			return p.next.Do(req)
		}
		stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(aLongTimeAgo) })
		c.wbuf = p.appendRequest(c.wbuf[:0], req, body)
		n, err := c.Write(c.wbuf)
		if err != nil {
			stop()
			_ = c.Close()
			switch {
			case ctx.Err() != nil:
				return nil, urlError(req, context.Cause(ctx))
			case n == 0 && c.reused:
				continue // nothing was sent: net/http tries another connection
			case n == 0:
				return nil, urlError(req, err)
			}
			return nil, urlError(req, fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w", err))
		}
		resp, err := p.readResponse(c, req)
		if err != nil {
			stop()
			_ = c.Close()
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			return nil, urlError(req, err)
		}
		resp.Request = req
		if resp.ContentLength == 0 || resp.StatusCode == http.StatusSwitchingProtocols {
			// Nothing to read: the connection is free now.
			p.release(c, resp, stop(), resp.StatusCode != http.StatusSwitchingProtocols)
			resp.Body = http.NoBody
			return resp, nil
		}
		b := &connBody{pool: p, conn: c, resp: resp, body: resp.Body, ctx: ctx, stop: stop}
		resp.Body = b
		if p.gzip && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
			resp.Body = &gzipBody{body: b}
			resp.Header.Del("Content-Encoding")
			resp.Header.Del("Content-Length")
			resp.ContentLength = -1
			resp.Uncompressed = true
		}
		return resp, nil
	}
}

// urlError is err as http.Client.Do returns it for req.
func urlError(req *http.Request, err error) error {
	return &url.Error{Op: "Post", URL: req.URL.String(), Err: err}
}

// readResponse reads the answer's status and headers from c, skipping
// informational answers, within the header limit.
func (p *connPool) readResponse(c *poolConn, req *http.Request) (*http.Response, error) {
	c.readLimit = c.maxHeader
	if _, err := c.br.Peek(1); err != nil {
		return nil, err
	}
	for {
		resp, err := http.ReadResponse(c.br, req)
		if err != nil {
			if c.readLimit <= 0 {
				err = fmt.Errorf("net/http: server response headers exceeded %d bytes; aborted", c.maxHeader)
			}
			// net/http closes the connection before it maps the error,
			// so a broken answer always reads so.
			return nil, fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w", err)
		}
		if resp.StatusCode >= 100 && resp.StatusCode <= 199 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue
		}
		c.readLimit = math.MaxInt64
		return resp, nil
	}
}

// release returns c to the pool if it may carry another request: the
// answer was read whole (ok), ctx's cancellation did not touch it
// (stopped), and neither side asked to close it.
func (p *connPool) release(c *poolConn, resp *http.Response, stopped, ok bool) {
	if !ok || !stopped || resp.Close || c.sawEOF || c.br.Buffered() > 0 {
		_ = c.Close()
		return
	}
	c.reused = true
	c.idleAt = p.now()
	p.mu.Lock()
	if len(p.idle) >= p.maxIdle {
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	p.idle = append(p.idle, c)
	var stale *poolConn
	if p.idleTimeout > 0 && c.idleAt.Sub(p.idle[0].idleAt) > p.idleTimeout {
		stale = p.idle[0]
		p.idle = append(p.idle[:0], p.idle[1:]...)
	}
	p.mu.Unlock()
	if stale != nil {
		_ = stale.Close()
	}
}

// get returns an idle connection that passes the check, or a new one; nil
// (and marks the pool unusable) when a new one cannot be checked. Its
// error is the dial's, or ctx's cause when ctx ended.
func (p *connPool) get(ctx context.Context) (*poolConn, error) {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		var stale []*poolConn
		if p.idleTimeout > 0 && p.now().Sub(c.idleAt) > p.idleTimeout {
			// The newest is stale, so are all the others.
			stale = append(p.idle, c)
			p.idle = nil
		}
		p.mu.Unlock()
		if stale != nil {
			for _, s := range stale {
				_ = s.Close()
			}
			break
		}
		if connAlive(c.raw) {
			return c, nil
		}
		_ = c.Close()
	}
	nc, err := p.dial(ctx, "tcp", p.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	sc, ok := nc.(syscall.Conn)
	var raw syscall.RawConn
	if ok {
		raw, err = sc.SyscallConn()
	}
	if !ok || err != nil {
		_ = nc.Close()
		p.unusable.Store(true)
		return nil, nil
	}
	c := &poolConn{Conn: nc, raw: raw, maxHeader: p.maxHeader}
	c.br = bufio.NewReaderSize(c, p.bufSize)
	return c, nil
}

// appendRequest appends req as net/http's Request.Write writes it (with
// the Transport's Accept-Encoding when it asks for gzip), its body body.
func (p *connPool) appendRequest(b []byte, req *http.Request, body []byte) []byte {
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, req.URL.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	b = append(b, host...)
	b = append(b, "\r\nUser-Agent: "...)
	if ua, ok := req.Header["User-Agent"]; ok {
		if len(ua) > 0 {
			b = append(b, trimHeader(ua[0])...)
		}
	} else {
		b = append(b, "Go-http-client/1.1"...)
	}
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n"...)
	for k, vs := range req.Header {
		switch k {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		for _, v := range vs {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, trimHeader(v)...)
			b = append(b, "\r\n"...)
		}
	}
	if p.gzip && len(req.Header["Accept-Encoding"]) == 0 && len(req.Header["Range"]) == 0 {
		b = append(b, "Accept-Encoding: gzip\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}

// trimHeader trims a header value as net/http writes it.
func trimHeader(v string) string { return strings.Trim(v, " \t\r\n") }

// validHeaders reports whether h's names and values are ones net/http
// sends (it refuses the others with an error of its own).
func validHeaders(h http.Header) bool {
	for k, vs := range h {
		if k == "" {
			return false
		}
		for i := 0; i < len(k); i++ {
			if !tokenByte(k[i]) {
				return false
			}
		}
		for _, v := range vs {
			for i := 0; i < len(v); i++ {
				if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
					return false
				}
			}
		}
	}
	return true
}

// tokenByte reports whether c may appear in a header name (RFC 7230's
// tchar).
func tokenByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// printableASCII reports whether s is printable ASCII without spaces.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// connBody is an answer's body read from its connection. At its end the
// connection goes back to the pool (see connPool.release); closed before
// then, or failing, the connection is closed.
type connBody struct {
	pool *connPool
	conn *poolConn
	resp *http.Response
	body io.ReadCloser
	ctx  context.Context
	stop func() bool
	done bool
}

func (b *connBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, errors.New("http: read on closed response body")
	}
	n, err := b.body.Read(p)
	if err == nil {
		return n, nil
	}
	b.done = true
	b.pool.release(b.conn, b.resp, b.stop(), err == io.EOF)
	if err != io.EOF && b.ctx.Err() != nil {
		err = context.Cause(b.ctx)
	}
	return n, err
}

func (b *connBody) Close() error {
	if !b.done {
		b.done = true
		b.stop()
		_ = b.conn.Close()
	}
	return nil
}
