package lambdaexec

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// scriptedAnswer is how the scripted Lambda answers one request.
type scriptedAnswer struct {
	status  int
	headers map[string]string
	body    string
	// drop closes the connection without an answer; truncate sends the
	// headers and part of the body, then closes it.
	drop, truncate bool
}

// answers are the scripted Lambda's answers by name: what Lambda, the
// runtime interface emulator and the simulator send, and what a network
// does to them.
var answers = map[string]scriptedAnswer{
	"success": {status: 200, body: `{"number":3,"state":"complete","model":"noop","params":{"x":0.5},"seed":1,"score":0.25,"seconds":0.1,"s3_gets":0,"environment":"e1","stored":""}`,
		headers: map[string]string{"X-Amz-Executed-Version": "$LATEST", "X-Amz-Log-Result": base64.StdEncoding.EncodeToString([]byte(
			"START RequestId: 1\nREPORT RequestId: 1\tDuration: 2000.00 ms\tBilled Duration: 2100 ms\tMemory Size: 1769 MB\tMax Memory Used: 20 MB\tInit Duration: 100.00 ms\t\n"))}},
	"empty success": {status: 200},
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
	"500 not JSON":          {status: 500, body: `<html>oops</html>`},
	"connection dropped":    {drop: true},
	"body cut short":        {status: 200, body: `{"number":3,"state":"complete"}`, truncate: true},
	"error body cut short":  {status: 500, body: `{"Type":"Service","Message":"internal error"}`, truncate: true},
	"unknown error code":    {status: 409, body: `{"message":"conflict"}`, headers: map[string]string{"X-Amzn-ErrorType": "SomethingNewException"}},
	"request id": {status: 404, body: `{"Message":"gone"}`, headers: map[string]string{"X-Amzn-ErrorType": "ResourceNotFoundException", "X-Amzn-Requestid": "abc-123"}},
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
	if a.drop || a.truncate {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
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
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
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
	return c, d
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
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			srv.script(name)
			sdkOut, sdkErr := sdk.Invoke(context.Background(), in, noSDKRetries)
			sdkSent := srv.requests()
			srv.script(name)
			out, err := direct.Invoke(context.Background(), in, noSDKRetries)
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
