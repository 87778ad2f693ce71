package lambdaexec

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// countingConn counts the writes made to a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// SyscallConn lets the direct Invoke's connections check the counted
// connection while it is idle (see connAlive).
func (c countingConn) SyscallConn() (syscall.RawConn, error) {
	return c.Conn.(syscall.Conn).SyscallConn()
}

// signedLambda is an httptest server that answers Invoke as Lambda does,
// after checking each request's SigV4 signature against credentials
// a/b: the first `throttle` requests get 429 TooManyRequestsException.
type signedLambda struct {
	t        testing.TB
	throttle int

	mu       sync.Mutex
	requests int
	bodies   []worker.LambdaRequest
	badSigs  []string
}

func (s *signedLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if msg := checkSignature(r, body); msg != "" {
		s.badSigs = append(s.badSigs, msg)
	}
	var req worker.LambdaRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.badSigs = append(s.badSigs, "undecodable body: "+err.Error())
	}
	s.bodies = append(s.bodies, req)
	if s.requests <= s.throttle {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`)
		return
	}
	res := trial.Result{Number: req.Request.Trial.Number, State: trial.Complete, Score: 0.5}
	out, _ := json.Marshal(worker.LambdaResponse{Result: res})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(
		"REPORT RequestId: 1\tDuration: 2.00 ms\tBilled Duration: 3 ms\tMemory Size: 1769 MB\tMax Memory Used: 20 MB\t\n")))
	_, _ = w.Write(out)
}

// checkSignature signs again, with credentials a/b and the request's own
// time, what r's Authorization header says was signed, and returns what
// differs ("" when the signatures match).
func checkSignature(r *http.Request, body []byte) string {
	auth := r.Header.Get("Authorization")
	_, signed, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return "no SigV4 Authorization header: " + auth
	}
	signed, _, _ = strings.Cut(signed, ",")
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return "X-Amz-Date: " + err.Error()
	}
	again, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range strings.Split(signed, ";") {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	again.Header.Del("Authorization")
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "a", SecretAccessKey: "b"},
		again, hex.EncodeToString(sum[:]), "lambda", "us-east-1", at)
	if err != nil {
		return "sign: " + err.Error()
	}
	if got := again.Header.Get("Authorization"); got != auth {
		return "signature differs:\n sent " + auth + "\n want " + got
	}
	return ""
}

// newCountingExecutor returns an executor whose Lambda client is built
// as New builds it (withConnections, and the direct Invoke unless
// inv.sdk, over net/http if inv.netHTTP), pointed at url, with the writes
// to its connections counted in writes.
func newCountingExecutor(url string, writes *atomic.Int64, cfg Config, inv invoke) *Executor {
	dial := (&net.Dialer{}).DialContext
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{Conn: c, writes: writes}, nil
		}
	})
	awsCfg := aws.Config{HTTPClient: hc}
	c := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("a", "b", ""),
	}, withConnections(awsCfg, cfg.Concurrency))
	if inv.sdk {
		return NewWithClients(cfg, Clients{Lambda: c})
	}
	d := newDirectInvoke(context.Background(), c)
	if inv.netHTTP {
		d.conns = nil
	}
	return NewWithClients(cfg, Clients{Lambda: d})
}

// invoke is one way New's executor may invoke.
type invoke struct {
	name         string
	sdk, netHTTP bool
}

// invokes are the ways New's executor may invoke: directly on its own
// connections (the default), directly over net/http
// (HPSEARCH_NETHTTP_INVOKE=1), and through the SDK's Invoke
// (HPSEARCH_SDK_INVOKE=1).
var invokes = []invoke{{name: "direct"}, {name: "direct-nethttp", netHTTP: true}, {name: "sdk", sdk: true}}

func TestInvokeGoesOutSignedInOneWrite(t *testing.T) {
	for _, inv := range invokes {
		t.Run(inv.name, func(t *testing.T) {
			srv := &signedLambda{t: t}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			var writes atomic.Int64
			ex := newCountingExecutor(hs.URL, &writes, Config{Function: "f", Concurrency: 1}, inv)
			const trials = 5
			for n := range trials {
				res, err := ex.Execute(context.Background(), trial.Trial{Number: n, Model: "noop", Params: trial.Params{"x": 0.5}, Seed: 1})
				if err != nil || res.State != trial.Complete || res.Number != n {
					t.Fatalf("trial %d: Execute = %+v, %v; want trial %d complete", n, res, err, n)
				}
			}
			if d, ok := ex.clients.Lambda.(*directInvoke); ok && !inv.netHTTP && (d.conns == nil || d.conns.unusable.Load()) {
				t.Error("the direct Invoke did not send on connections of its own")
			}
			if got := writes.Load(); got != trials {
				t.Errorf("the client made %d writes for %d invocations, want one each (headers and body together)", got, trials)
			}
			for _, msg := range srv.badSigs {
				t.Error(msg)
			}
			for i, b := range srv.bodies {
				if b.Request.Trial.Number != i {
					t.Errorf("request %d carried trial %d, want %d", i, b.Request.Trial.Number, i)
				}
			}
		})
	}
}

func TestThrottledInvokeIsSentAgainWholeAndSigned(t *testing.T) {
	for _, inv := range invokes {
		t.Run(inv.name, func(t *testing.T) {
			srv := &signedLambda{t: t, throttle: 2}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			var writes atomic.Int64
			ex := newCountingExecutor(hs.URL, &writes, Config{Function: "f", Concurrency: 1, ThrottleTimeout: time.Hour}, inv)
			res, err := ex.Execute(context.Background(), trial.Trial{Number: 7, Model: "noop", Params: trial.Params{"x": 0.5}, Seed: 1})
			if err != nil || res.State != trial.Complete {
				t.Fatalf("Execute = %+v, %v; want complete after two throttles", res, err)
			}
			if got := res.Backend["throttles"]; got != 2 {
				t.Errorf("throttles = %v, want 2", got)
			}
			if srv.requests != 3 {
				t.Errorf("server saw %d requests, want 3", srv.requests)
			}
			for _, msg := range srv.badSigs {
				t.Error(msg)
			}
			for i, b := range srv.bodies {
				if b.Request.Trial.Number != 7 || b.Request.Trial.Attempt != 1 {
					t.Errorf("request %d carried trial %d attempt %d, want trial 7 attempt 1 each time (a throttled request never ran)",
						i, b.Request.Trial.Number, b.Request.Trial.Attempt)
				}
			}
			if got := writes.Load(); got != 3 {
				t.Errorf("the client made %d writes for 3 requests, want one each", got)
			}
		})
	}
}
