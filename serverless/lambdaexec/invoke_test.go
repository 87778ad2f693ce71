package lambdaexec

import (
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/trial"
)

// scriptedAnswer is how the scripted Lambda answers one request.
type scriptedAnswer struct {
	status  int
	headers map[string]string
	body    string
	// drop closes the connection without an answer; truncate sends the
	// headers and part of the body, then closes it; chunked sends the
	// body in chunks, without a length.
	drop, truncate, chunked bool
	// raw, when set, is written to the connection as the whole answer,
	// which is then closed. (A whole answer says "Connection: close":
	// otherwise either client may reuse the connection before it sees the
	// close, and the next answer is a reset.)
	raw string
	// gzip sends the body gzip-encoded when the request accepts it.
	gzip bool
}

// answers are the scripted Lambda's answers by name: what Lambda, the
// runtime interface emulator and the simulator send, and what a network
// does to them.
var answers = map[string]scriptedAnswer{
	"success": {status: 200, body: `{"number":3,"state":"complete","model":"noop","params":{"x":0.5},"seed":1,"score":0.25,"seconds":0.1,"s3_gets":0,"environment":"e1","stored":""}`,
		headers: map[string]string{"X-Amz-Executed-Version": "$LATEST", "X-Amz-Log-Result": base64.StdEncoding.EncodeToString([]byte(
			"START RequestId: 1\nREPORT RequestId: 1\tDuration: 2000.00 ms\tBilled Duration: 2100 ms\tMemory Size: 1769 MB\tMax Memory Used: 20 MB\tInit Duration: 100.00 ms\t\n"))}},
	"empty success": {status: 200},
	"chunked success": {status: 200, chunked: true, body: strings.Repeat(`{"number":3,"state":"complete"}`, 200),
		headers: map[string]string{"X-Amz-Executed-Version": "$LATEST"}},
	"429 chunked": {status: 429, chunked: true, body: `{"message":"Rate Exceeded.","Reason":"ConcurrentInvocationLimitExceeded"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException"}},
	"unhandled function error": {status: 200, body: `{"errorType":"Runtime.ExitError","errorMessage":"RequestId: 1 Error: Runtime exited with error: signal: killed"}`,
		headers: map[string]string{"X-Amz-Function-Error": "Unhandled", "X-Amz-Executed-Version": "$LATEST"}},
	"handled function error": {status: 200, body: `{"errorMessage":"trial: boom","errorType":"errorString"}`,
		headers: map[string]string{"X-Amz-Function-Error": " Handled "}},
	"429 throttled": {status: 429, body: `{"message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "TooManyRequestsException", "Retry-After": "1"}},
	"429 without a body": {status: 429},
	"404 function missing": {status: 404, body: `{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:f"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException"}},
	"400 invalid request content": {status: 400, body: `{"Type":"User","message":"Could not parse request body into json"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "InvalidRequestContentException:http://internal.amazon.com/coral/com.amazonaws.awslambda/"}},
	"400 code in the body": {status: 400, body: `{"__type":"RequestTooLargeException","message":"Request must be smaller than 6291456 bytes"}`},
	"403 token invalid": {status: 403, body: `{"message":"The security token included in the request is invalid."}`,
		headers: map[string]string{"X-Amzn-ErrorType": "UnrecognizedClientException"}},
	"403 signature expired": {status: 403, body: `{"message":"Signature expired: 20261207T010000Z is now earlier than 20261207T020000Z"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "InvalidSignatureException"}},
	"400 token expired": {status: 400, body: `{"message":"The security token included in the request is expired"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "ExpiredTokenException"}},
	"403 access denied": {status: 403, body: `{"Message":"User is not authorized to perform: lambda:InvokeFunction"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "AccessDeniedException"}},
	"500 service exception": {status: 500, body: `{"Type":"Service","Message":"internal error"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "ServiceException"}},
	"502 with a body": {status: 502, body: `{"errorMessage":"bad gateway"}`},
	"502 empty (RIE)": {status: 502},
	"503 not ready": {status: 503, body: `{"Type":"Service","message":"slow down"}`,
		headers: map[string]string{"X-Amzn-ErrorType": "EC2ThrottledException"}},
	"500 not JSON":         {status: 500, body: `<html>oops</html>`},
	"connection dropped":   {drop: true},
	"body cut short":       {status: 200, body: `{"number":3,"state":"complete"}`, truncate: true},
	"error body cut short": {status: 500, body: `{"Type":"Service","Message":"internal error"}`, truncate: true},
	"unknown error code":   {status: 409, body: `{"message":"conflict"}`, headers: map[string]string{"X-Amzn-ErrorType": "SomethingNewException"}},
	"request id":           {status: 404, body: `{"Message":"gone"}`, headers: map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException", "X-Amzn-Requestid": "abc-123"}},
	"connection close": {status: 200, body: `{"number":3,"state":"complete"}`,
		headers: map[string]string{"Connection": "close", "X-Amz-Executed-Version": "$LATEST"}},
	"gzip success":             {status: 200, gzip: true, body: strings.Repeat(`{"number":3,"state":"complete"}`, 20)},
	"headers cut short":        {raw: "HTTP/1.1 200 OK\r\nContent-Type: application/js"},
	"status line garbled":      {raw: "HTTP/1.1 2x0 OK\r\n\r\n"},
	"not HTTP":                 {raw: "SSH-2.0-OpenSSH_9.6\r\n"},
	"chunked body cut short":   {raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"number\":3,\"stat"},
	"bad chunk size":           {raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
	"100 continue first":       {raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nX-Amz-Executed-Version: $LATEST\r\n\r\n{}"},
	"HTTP/1.0 read to the end": {raw: "HTTP/1.0 200 OK\r\nX-Amz-Function-Error: Unhandled\r\n\r\n{\"errorMessage\":\"boom\"}"},
	"204 no content":           {status: 204},
}

// scriptedLambda answers each request as answers[answer] says,
// recording what it received.
type scriptedLambda struct {
	mu       sync.Mutex
	answer   string
	received []receivedRequest
}

type receivedRequest struct {
	method, uri string
	header      http.Header
	body        string
	badSig      string
}

func (s *scriptedLambda) script(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = name
	s.received = nil
}

func (s *scriptedLambda) requests() []receivedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedRequest(nil), s.received...)
}

func (s *scriptedLambda) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.received = append(s.received, receivedRequest{method: r.Method, uri: r.RequestURI, header: r.Header.Clone(),
		body: string(body), badSig: checkSignature(r, body)})
	name := s.answer
	s.mu.Unlock()
	a, ok := answers[name]
	if !ok {
		http.Error(w, "no answer named "+name, http.StatusTeapot)
		return
	}
	if a.drop || a.truncate || a.raw != "" {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		if a.raw != "" {
			_, _ = io.WriteString(buf, a.raw)
			_ = buf.Flush()
		}
		if a.truncate {
			// Headers that promise more body than comes.
			_, _ = fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
				a.status, http.StatusText(a.status), len(a.body)+100, a.body)
			_ = buf.Flush()
		}
		return
	}
	for k, v := range a.headers {
		w.Header().Set(k, v)
	}
	if a.body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if a.gzip && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(a.status)
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, a.body)
		_ = zw.Close()
		return
	}
	w.WriteHeader(a.status)
	if !a.chunked {
		_, _ = io.WriteString(w, a.body)
		return
	}
	for b := a.body; b != ""; {
		n := min(len(b), 100)
		_, _ = io.WriteString(w, b[:n])
		w.(http.Flusher).Flush()
		b = b[n:]
	}
}

// sdkAndDirect returns an SDK Lambda client for url, built as New builds
// it, and the direct Invoke of the same client.
func sdkAndDirect(t testing.TB, url string) (*lambda.Client, *directInvoke) {
	t.Helper()
	c := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("a", "b", "session-token"),
	}, withConnections(aws.Config{}, 4))
	d := newDirectInvoke(context.Background(), c)
	if !d.usable {
		t.Fatalf("the direct Invoke of a client for %s is not usable", url)
	}
	if d.conns == nil {
		t.Fatalf("the direct Invoke of a client for %s sends through net/http, not connections of its own", url)
	}
	return c, d
}

// directLayers are the direct Invoke over its own connections, New's
// default, and over net/http's Transport (HPSEARCH_NETHTTP_INVOKE=1).
func directLayers(c *lambda.Client, d *directInvoke) map[string]*directInvoke {
	viaHTTP := newDirectInvoke(context.Background(), c)
	viaHTTP.conns = nil
	return map[string]*directInvoke{"conns": d, "net/http": viaHTTP}
}

// errorChain lists the types of err and of what it wraps, in order.
func errorChain(err error) []string {
	var types []string
	for err != nil {
		types = append(types, fmt.Sprintf("%T", err))
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				err = errs[0]
				continue
			}
			err = nil
		default:
			err = errors.Unwrap(err)
		}
	}
	return types
}

// sameError reports how the direct Invoke's error differs from the
// SDK's: in its text, its chain of types, the typed exception's fields,
// classify and explain ("" when it does not).
func sameError(sdkErr, directErr error) string {
	switch {
	case (sdkErr == nil) != (directErr == nil):
		return fmt.Sprintf("errors: SDK %v, direct %v", sdkErr, directErr)
	case sdkErr == nil:
		return ""
	case sdkErr.Error() != directErr.Error():
		return fmt.Sprintf("error texts differ:\n SDK    %q\n direct %q", sdkErr, directErr)
	case !reflect.DeepEqual(errorChain(sdkErr), errorChain(directErr)):
		return fmt.Sprintf("error chains differ:\n SDK    %v\n direct %v", errorChain(sdkErr), errorChain(directErr))
	case classify(sdkErr) != classify(directErr):
		return fmt.Sprintf("classify: SDK %v, direct %v", classify(sdkErr), classify(directErr))
	case explain(sdkErr).Error() != explain(directErr).Error():
		return fmt.Sprintf("explain: SDK %q, direct %q", explain(sdkErr), explain(directErr))
	}
	for _, target := range []any{new(*types.TooManyRequestsException), new(*types.ResourceNotFoundException),
		new(*types.InvalidRequestContentException), new(*types.RequestTooLargeException), new(*types.ServiceException),
		new(*types.EC2ThrottledException), new(*smithy.GenericAPIError)} {
		a, b := reflect.New(reflect.TypeOf(target).Elem()), reflect.New(reflect.TypeOf(target).Elem())
		okA, okB := errors.As(sdkErr, a.Interface()), errors.As(directErr, b.Interface())
		if okA != okB || okA && !reflect.DeepEqual(a.Elem().Interface(), b.Elem().Interface()) {
			return fmt.Sprintf("as %v: SDK %v %+v, direct %v %+v", a.Elem().Type(), okA, a.Elem().Interface(), okB, b.Elem().Interface())
		}
	}
	var sa, da *smithyhttp.ResponseError
	if errors.As(sdkErr, &sa) && errors.As(directErr, &da) && sa.HTTPStatusCode() != da.HTTPStatusCode() {
		return fmt.Sprintf("status: SDK %d, direct %d", sa.HTTPStatusCode(), da.HTTPStatusCode())
	}
	return ""
}

// TestDirectInvokeMatchesTheSDK is the direct Invoke's specification: for
// every answer Lambda, the emulators or the network give, it returns what
// the SDK's Invoke returns — the same output, or an error with the same
// text, the same chain of types and typed exception, sorted the same by
// classify and explained the same — having sent the same request, signed,
// exactly once.
func TestDirectInvokeMatchesTheSDK(t *testing.T) {
	srv := &scriptedLambda{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	sdk, direct := sdkAndDirect(t, hs.URL)
	in := &lambda.InvokeInput{FunctionName: aws.String("f"), InvocationType: types.InvocationTypeRequestResponse,
		LogType: types.LogTypeTail, Payload: []byte(`{"trial":{"number":3}}`)}
	names := make([]string, 0, len(answers))
	for name := range answers {
		names = append(names, name)
	}
	sort.Strings(names)
	layers := directLayers(sdk, direct)
	for _, name := range names {
		for _, layer := range []string{"conns", "net/http"} {
			t.Run(name+"/"+layer, func(t *testing.T) {
				srv.script(name)
				sdkOut, sdkErr := sdk.Invoke(context.Background(), in, noSDKRetries)
				sdkSent := srv.requests()
				srv.script(name)
				out, err := layers[layer].Invoke(context.Background(), in, noSDKRetries)
				sent := srv.requests()
				if msg := sameError(sdkErr, err); msg != "" {
					t.Error(msg)
				}
				if sdkOut != nil {
					sdkOut.ResultMetadata = middleware.Metadata{}
				}
				if !reflect.DeepEqual(sdkOut, out) {
					t.Errorf("outputs differ:\n SDK    %+v\n direct %+v", sdkOut, out)
				}
				if len(sent) != 1 || len(sdkSent) != 1 {
					t.Fatalf("requests sent: SDK %d, direct %d; want 1 each", len(sdkSent), len(sent))
				}
				if msg := sameRequest(sdkSent[0], sent[0]); msg != "" {
					t.Error(msg)
				}
				if id := sent[0].header.Get("Amz-Sdk-Invocation-Id"); id != "" {
					t.Errorf("the request carries the SDK's invocation id %q: it went through the SDK, not the direct path", id)
				}
			})
		}
	}
	if direct.conns.unusable.Load() {
		t.Error("the direct Invoke's connections fell back to net/http")
	}
}

// sameRequest reports how the direct Invoke's request differs from the
// SDK's in what Lambda reads of it, or that either is not validly signed.
func sameRequest(sdk, direct receivedRequest) string {
	var diffs []string
	if sdk.badSig != "" {
		diffs = append(diffs, "SDK request: "+sdk.badSig)
	}
	if direct.badSig != "" {
		diffs = append(diffs, "direct request: "+direct.badSig)
	}
	if sdk.method != direct.method || sdk.uri != direct.uri || sdk.body != direct.body {
		diffs = append(diffs, fmt.Sprintf("request line or body: SDK %s %s %q, direct %s %s %q",
			sdk.method, sdk.uri, sdk.body, direct.method, direct.uri, direct.body))
	}
	for _, h := range []string{"Content-Type", "Content-Length", "X-Amz-Invocation-Type", "X-Amz-Log-Type",
		"X-Amz-Client-Context", "X-Amz-Security-Token", "Accept-Encoding"} {
		if a, b := sdk.header.Values(h), direct.header.Values(h); !reflect.DeepEqual(a, b) {
			diffs = append(diffs, fmt.Sprintf("%s: SDK %q, direct %q", h, a, b))
		}
	}
	// The SDK also signs its own bookkeeping headers (an invocation id and
	// the attempt number), which Lambda does not read.
	if a, b := signedHeaders(sdk.header, "amz-sdk-"), signedHeaders(direct.header, "amz-sdk-"); a != b {
		diffs = append(diffs, fmt.Sprintf("signed headers: SDK %s, direct %s", a, b))
	}
	return strings.Join(diffs, "\n")
}

// signedHeaders is the SignedHeaders list of h's Authorization, without
// the headers that start with skip.
func signedHeaders(h http.Header, skip string) string {
	_, list, _ := strings.Cut(h.Get("Authorization"), "SignedHeaders=")
	list, _, _ = strings.Cut(list, ",")
	var keep []string
	for _, name := range strings.Split(list, ";") {
		if !strings.HasPrefix(name, skip) {
			keep = append(keep, name)
		}
	}
	return strings.Join(keep, ";")
}

// TestDirectInvokeMatchesTheSDKWhenRefused: a connection refused is the
// same error, sorted unreachable, from both.
func TestDirectInvokeMatchesTheSDKWhenRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	_ = l.Close()
	sdk, direct := sdkAndDirect(t, url)
	in := &lambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte(`{}`)}
	_, sdkErr := sdk.Invoke(context.Background(), in, noSDKRetries)
	_, directErr := direct.Invoke(context.Background(), in, noSDKRetries)
	if sdkErr == nil || classify(sdkErr) != unreachable {
		t.Fatalf("SDK error %v, classified %v; want a refused connection (unreachable)", sdkErr, classify(sdkErr))
	}
	if msg := sameError(sdkErr, directErr); msg != "" {
		t.Error(msg)
	}
}

// TestDirectInvokeBuildsTheSDKsRequest: names that need escaping (an ARN,
// a partial ARN, a name with a qualifier), qualifiers, client context,
// invocation and log types, and no payload, go out as the SDK sends them.
func TestDirectInvokeBuildsTheSDKsRequest(t *testing.T) {
	srv := &scriptedLambda{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	sdk, direct := sdkAndDirect(t, hs.URL)
	for _, in := range []*lambda.InvokeInput{
		{FunctionName: aws.String("hpsearch-worker"), Payload: []byte(`{"a":1}`)},
		{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:my-fn"), Qualifier: aws.String("$LATEST"),
			InvocationType: types.InvocationTypeRequestResponse, LogType: types.LogTypeTail, Payload: []byte(`{"a":1}`)},
		{FunctionName: aws.String("123456789012:function:my-fn:prod"), InvocationType: types.InvocationTypeDryRun,
			LogType: types.LogTypeNone, ClientContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom":{"a":"b"}}`)))},
		{FunctionName: aws.String("odd name/with?chars&=+%"), Qualifier: aws.String("a b&c"), Payload: []byte{}},
	} {
		t.Run(*in.FunctionName, func(t *testing.T) {
			srv.script("success")
			if _, err := sdk.Invoke(context.Background(), in, noSDKRetries); err != nil {
				t.Fatal(err)
			}
			sdkSent := srv.requests()
			srv.script("success")
			if _, err := direct.Invoke(context.Background(), in, noSDKRetries); err != nil {
				t.Fatal(err)
			}
			sent := srv.requests()
			if len(sent) != 1 || len(sdkSent) != 1 {
				t.Fatalf("requests sent: SDK %d, direct %d; want 1 each", len(sdkSent), len(sent))
			}
			if msg := sameRequest(sdkSent[0], sent[0]); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// TestDirectInvokeLeavesOtherCallsToTheSDK: a call whose options allow
// the SDK's retries, or change its region or endpoint, is the SDK's own
// Invoke, retries and all.
func TestDirectInvokeLeavesOtherCallsToTheSDK(t *testing.T) {
	srv := &scriptedLambda{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	_, direct := sdkAndDirect(t, hs.URL)
	in := &lambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte(`{}`)}
	srv.script("500 service exception")
	if _, err := direct.Invoke(context.Background(), in, func(o *lambda.Options) {
		o.Retryer = retry.AddWithMaxBackoffDelay(retry.AddWithMaxAttempts(o.Retryer, 2), time.Millisecond)
	}); err == nil {
		t.Fatal("no error from a 500")
	}
	if got := srv.requests(); len(got) != 2 || got[0].header.Get("Amz-Sdk-Invocation-Id") == "" {
		t.Errorf("a call allowing 2 attempts sent %d requests (want 2, the SDK's, with its invocation id)", len(got))
	}
	srv.script("success")
	if _, err := direct.Invoke(context.Background(), in, noSDKRetries, func(o *lambda.Options) { o.Region = "eu-west-1" }); err != nil {
		t.Fatal(err)
	}
	if got := srv.requests(); len(got) != 1 || !strings.Contains(got[0].header.Get("Authorization"), "/eu-west-1/lambda/") {
		t.Errorf("a call for another region was not the SDK's, signed for eu-west-1: %v", got)
	}
}

// TestExecuteIsTheSameThroughEitherInvoke: what a user sees of a trial —
// its result, or the error Execute returns — does not depend on which
// Invoke ran it. (Throttling, which Execute waits out, is covered by the
// differential test above and by classify.)
func TestExecuteIsTheSameThroughEitherInvoke(t *testing.T) {
	srv := &scriptedLambda{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	sdk, direct := sdkAndDirect(t, hs.URL)
	cfg := Config{Function: "f", Concurrency: 2, MaxRetries: -1}
	exSDK := NewWithClients(cfg, Clients{Lambda: sdk, Rand: rand.New(rand.NewPCG(1, 2))})
	exDirect := NewWithClients(cfg, Clients{Lambda: direct, Rand: rand.New(rand.NewPCG(1, 2))})
	tr := trial.Trial{Number: 3, Model: "noop", Params: trial.Params{"x": 0.5}, Seed: 1}
	for name := range answers {
		if answers[name].status == http.StatusTooManyRequests {
			continue // Execute waits throttling out
		}
		t.Run(name, func(t *testing.T) {
			srv.script(name)
			a, errA := exSDK.Execute(context.Background(), tr)
			srv.script(name)
			b, errB := exDirect.Execute(context.Background(), tr)
			if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
				t.Fatalf("Execute's errors differ:\n SDK    %v\n direct %v", errA, errB)
			}
			if errA != nil && errors.Is(errA, trial.ErrUnavailable) != errors.Is(errB, trial.ErrUnavailable) {
				t.Errorf("ErrUnavailable: SDK %v, direct %v", errors.Is(errA, trial.ErrUnavailable), errors.Is(errB, trial.ErrUnavailable))
			}
			a.Seconds, b.Seconds = 0, 0 // wall time of each call
			if _, report := answers[name].headers["X-Amz-Log-Result"]; !report {
				// Without a REPORT line the cost is the call's wall time's.
				delete(a.Backend, scheduler.CostKey)
				delete(b.Backend, scheduler.CostKey)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("results differ:\n SDK    %+v\n direct %+v", a, b)
			}
		})
	}
}

// TestDirectInvokeCorrectsClockSkew: as the SDK does, the direct Invoke
// signs at the local time until an answer's Date shows the server's clock
// elsewhere, and from then on at the server's time; a cached answer (Age)
// teaches nothing, and DisableClockSkewCorrection turns it off.
func TestDirectInvokeCorrectsClockSkew(t *testing.T) {
	const ahead = 2 * time.Hour
	var age atomic.Bool
	var mu sync.Mutex
	var signedAt []time.Time
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil {
			t.Errorf("X-Amz-Date: %v", err)
		}
		mu.Lock()
		signedAt = append(signedAt, at)
		mu.Unlock()
		w.Header().Set("Date", time.Now().Add(ahead).UTC().Format(http.TimeFormat))
		if age.Load() {
			w.Header().Set("Age", "10")
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	defer hs.Close()
	in := &lambda.InvokeInput{FunctionName: aws.String("f"), Payload: []byte(`{}`)}
	// Whether a signing time is near the server's clock rather than ours:
	// the hour between them dwarfs any test machine's slowness.
	serverTime := func(at time.Time) bool { return at.Sub(time.Now()) > ahead/2 }
	for _, tc := range []struct {
		name      string
		cached    bool
		disable   bool
		corrected bool
	}{
		{name: "corrected", corrected: true},
		{name: "cached answers", cached: true},
		{name: "correction disabled", disable: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			age.Store(tc.cached)
			c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
				Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), DisableClockSkewCorrection: tc.disable},
				withConnections(aws.Config{}, 1))
			for _, api := range []LambdaAPI{c, newDirectInvoke(context.Background(), c)} {
				mu.Lock()
				signedAt = nil
				mu.Unlock()
				for range 2 {
					if _, err := api.Invoke(context.Background(), in, noSDKRetries); err != nil {
						t.Fatal(err)
					}
				}
				mu.Lock()
				first, second := serverTime(signedAt[0]), serverTime(signedAt[1])
				mu.Unlock()
				if first || second != tc.corrected {
					t.Errorf("%T: signed first at the server's time %v, then %v; want false, then %v", api, first, second, tc.corrected)
				}
			}
		})
	}
}

// TestNewChoosesTheInvoke: New's executor invokes directly, at the
// endpoint AWS_ENDPOINT_URL_LAMBDA names, unless HPSEARCH_SDK_INVOKE=1.
func TestNewChoosesTheInvoke(t *testing.T) {
	srv := &scriptedLambda{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", hs.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "a")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "b")
	t.Setenv("AWS_SESSION_TOKEN", "session-token")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, sdkInvoke := range []string{"", "1"} {
		t.Run(EnvSDKInvoke+"="+sdkInvoke, func(t *testing.T) {
			t.Setenv(EnvSDKInvoke, sdkInvoke)
			ex, err := New(context.Background(), Config{Function: "f"}, os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			srv.script("success")
			res, err := ex.Execute(context.Background(), trial.Trial{Number: 3, Model: "noop", Params: trial.Params{"x": 0.5}})
			if err != nil || res.State != trial.Complete {
				t.Fatalf("Execute = %+v, %v", res, err)
			}
			got := srv.requests()
			if len(got) != 1 {
				t.Fatalf("%d requests reached AWS_ENDPOINT_URL_LAMBDA, want 1", len(got))
			}
			if got[0].badSig != "" {
				t.Error(got[0].badSig)
			}
			viaSDK := got[0].header.Get("Amz-Sdk-Invocation-Id") != ""
			if want := sdkInvoke == "1"; viaSDK != want {
				t.Errorf("sent by the SDK's Invoke: %v, want %v", viaSDK, want)
			}
		})
	}
}
