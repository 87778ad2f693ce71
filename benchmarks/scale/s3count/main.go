// Command s3count is a reverse proxy that counts an S3 client's requests,
// for benchmarks/scale/rehearse.sh: pointed at the emulation's S3 gateway
// (AWS_ENDPOINT_URL_S3 set to its address), it forwards every request
// unchanged, Host header included so that SigV4 signatures still verify,
// and writes one line per request to -log:
//
//	MILLISECONDS METHOD PATH?QUERY STATUS
//
// MILLISECONDS counts from the proxy's start. It prints its own address,
// http://127.0.0.1:PORT, as the first line on stdout, and runs until
// interrupted or terminated.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	target := flag.String("target", "", "the S3 endpoint to forward to, e.g. $AWS_ENDPOINT_URL_S3")
	logPath := flag.String("log", "", "file to write one line per request to")
	flag.Parse()
	if err := run(*target, *logPath); err != nil {
		log.Fatalf("s3count: %v", err)
	}
}

func run(target, logPath string) error {
	to, err := url.Parse(target)
	if err != nil || to.Host == "" {
		return fmt.Errorf("-target %q: not an http://HOST:PORT URL", target)
	}
	f, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("create the log: %w", err)
	}
	defer f.Close()
	lines := &requestLog{w: bufio.NewWriter(f), start: time.Now()}

	proxy := httputil.NewSingleHostReverseProxy(to)
	proxy.Transport = &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(rec, r)
		lines.add(r, rec.status)
	})}
	fmt.Printf("http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return lines.flush()
}

// requestLog writes the request lines; safe for concurrent use.
type requestLog struct {
	mu    sync.Mutex
	w     *bufio.Writer
	start time.Time
}

func (l *requestLog) add(r *http.Request, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%d %s %s %d\n", time.Since(l.start).Milliseconds(), r.Method, r.URL.RequestURI(), status)
	l.w.Flush() // a line per request, readable while the proxy runs
}

func (l *requestLog) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Flush()
}

// statusWriter records the status code the proxy answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
