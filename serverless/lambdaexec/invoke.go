package lambdaexec

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithyauth "github.com/aws/smithy-go/auth"
	"github.com/aws/smithy-go/encoding/httpbinding"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// EnvSDKInvoke, set to 1, makes New invoke the function through the AWS
// SDK's client (its middleware stack) instead of the direct Invoke, for
// comparing the two.
const EnvSDKInvoke = "HPSEARCH_SDK_INVOKE"

// directInvoke is Lambda's Invoke without the SDK's per-call middleware
// stack: the request the SDK would build, signed with the SDK's SigV4
// signer, sent once on the pooled HTTP client, or on connPool's
// connections where that behaves as the client would. The SDK builds ~25
// middlewares and copies its options into several of them for every
// call, which at 1,000 invocations in flight was most of the scheduler's
// CPU besides the network and the journal. With the direct path
// BenchmarkExecute counts half the allocations (190 and 17 KB a trial,
// its test server's included, against 404 and 33 KB), most of the
// client's that are left being the signer's and net/http's; over
// connPool's connections, 156 and 14 KB.
//
// Its contract is the SDK client's, for what the executor uses:
//   - The endpoint is resolved once, at construction, by the client's own
//     EndpointResolverV2 from its Region, BaseEndpoint (which holds
//     AWS_ENDPOINT_URL_LAMBDA when set) and FIPS and dual-stack options,
//     with the signing name and region the endpoint's auth options give.
//   - Requests are signed at the local time corrected by the clock skew
//     learned from the last response's Date header, as the SDK's retry
//     middleware does, unless the client disables skew correction.
//   - A 2xx answer whose body arrives whole is decoded here, as the SDK
//     decodes it (ResultMetadata is left empty). Every other outcome — an
//     error status, a failed send, a body cut short — is handed to the
//     SDK client as the answer its HTTP client received, so its own
//     deserialisers turn it into exactly the error the SDK returns
//     (smithy.OperationError around the typed exception, RequestSendError
//     and so on). Nothing is sent twice.
//   - It sends one request: only a call whose options allow one attempt
//     (as the executor's noSDKRetries does; the executor owns its retries)
//     and keep the client's region and endpoint goes the direct way; any
//     other goes to the SDK client whole, with its retries. Other options
//     apply only when an answer is handed to the SDK.
//   - What it cannot do exactly as the SDK would (no credentials to sign
//     with, anonymous credentials, a legacy v1 endpoint resolver, an
//     endpoint that does not resolve) it leaves to the SDK client whole,
//     before anything is sent.
//
// It is safe for concurrent use. GetFunction goes to the SDK client.
type directInvoke struct {
	sdk *lambda.Client
	// base is sdk's options, for the options of each call.
	base lambda.Options
	// http sends the requests: the pooled client the SDK client uses,
	// without oneWrite, since a request built here already has its body
	// in memory.
	http lambda.HTTPClient
	// conns, when not nil, sends them instead, on connections of its own
	// (see connPool); nil when http's transport has settings connPool
	// does not implement, or HPSEARCH_NETHTTP_INVOKE=1.
	conns *connPool
	// usable is false when every Invoke must go to sdk (see the contract).
	usable bool
	// endpoint is the resolved endpoint (RawPath always set), which the
	// operation's path is joined to.
	endpoint        url.URL
	endpointHeaders http.Header
	signingName     string
	signingRegion   string
	creds           aws.CredentialsProvider
	signer          *v4.Signer
	skewCorrection  bool
	userAgent       []string // shared by every request, as headerValues
	// path is the escaped and unescaped path of the last function name.
	path atomic.Pointer[invokePath]
	// skew is the server's clock minus ours (nanoseconds), from the last
	// answer with a Date header.
	skew atomic.Int64
}

var _ LambdaAPI = (*directInvoke)(nil)

// invokePath is the URL path of a function's invocations.
type invokePath struct{ name, path, raw string }

// newDirectInvoke returns the direct Invoke of client's configuration.
// It resolves the endpoint now; if that fails, or the configuration is one
// it does not handle, every call goes to client.
func newDirectInvoke(ctx context.Context, client *lambda.Client) *directInvoke {
	o := client.Options()
	d := &directInvoke{sdk: client, base: o, http: o.HTTPClient, creds: o.Credentials, signer: v4.NewSigner(),
		skewCorrection: !o.DisableClockSkewCorrection, signingName: "lambda", signingRegion: o.Region,
		userAgent: []string{"aws-sdk-go-v2/" + aws.SDKVersion + " ua/2.1 os/" + runtime.GOOS + " lang/go#" +
			strings.TrimPrefix(runtime.Version(), "go") + " md/GOOS#" + runtime.GOOS + " md/GOARCH#" + runtime.GOARCH +
			" api/lambda m/hpsearch-direct-invoke"}[:1:1]}
	if ow, ok := d.http.(oneWrite); ok {
		d.http = ow.next
	}
	if d.http == nil || o.Credentials == nil || aws.IsCredentialsProvider(o.Credentials, aws.AnonymousCredentials{}) ||
		o.EndpointResolver != nil || o.EndpointResolverV2 == nil {
		return d
	}
	params := lambda.EndpointParameters{
		UseDualStack: aws.Bool(o.EndpointOptions.UseDualStackEndpoint == aws.DualStackEndpointStateEnabled),
		UseFIPS:      aws.Bool(o.EndpointOptions.UseFIPSEndpoint == aws.FIPSEndpointStateEnabled),
		Endpoint:     o.BaseEndpoint,
	}
	if o.Region != "" {
		params.Region = aws.String(o.Region)
	}
	ep, err := o.EndpointResolverV2.ResolveEndpoint(ctx, params)
	if err != nil {
		return d
	}
	if ep.URI.RawPath == "" {
		ep.URI.RawPath = ep.URI.Path
	}
	d.endpoint = ep.URI
	d.endpointHeaders = ep.Headers
	authOpts, _ := smithyauth.GetAuthOptions(&ep.Properties)
	for _, ao := range authOpts {
		if ao.SchemeID != smithyauth.SchemeIDSigV4 {
			continue
		}
		if name, ok := smithyhttp.GetSigV4SigningName(&ao.SignerProperties); ok {
			d.signingName = name
		}
		if region, ok := smithyhttp.GetSigV4SigningRegion(&ao.SignerProperties); ok {
			d.signingRegion = region
		}
	}
	d.usable = d.signingRegion != ""
	d.conns = newConnPool(d.http, d.endpoint)
	return d
}

// GetFunction implements LambdaAPI with the SDK client.
func (d *directInvoke) GetFunction(ctx context.Context, in *lambda.GetFunctionInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	return d.sdk.GetFunction(ctx, in, opts...)
}

// Invoke implements LambdaAPI: see directInvoke for how it differs from
// the SDK client's Invoke, which is only in what it costs.
func (d *directInvoke) Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	if !d.usable || !d.direct(opts) || in == nil || in.FunctionName == nil || *in.FunctionName == "" || in.DurableExecutionName != nil || in.TenantId != nil {
		return d.sdk.Invoke(ctx, in, opts...)
	}
	creds, err := d.creds.Retrieve(ctx)
	if err != nil {
		// The SDK reports the failure, or sends unsigned, its own way.
		return d.sdk.Invoke(ctx, in, opts...)
	}
	req, err := d.request(ctx, in)
	if err != nil {
		return d.sdk.Invoke(ctx, in, opts...)
	}
	sum := sha256.Sum256(in.Payload)
	if err := d.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), d.signingName, d.signingRegion,
		time.Now().Add(time.Duration(d.skew.Load()))); err != nil {
		return d.sdk.Invoke(ctx, in, opts...)
	}
	requestAt := time.Now()
	var resp *http.Response
	if d.conns != nil {
		resp, err = d.conns.Do(req, in.Payload)
	} else {
		resp, err = d.http.Do(req)
	}
	if err != nil {
		return d.replay(ctx, in, opts, &answer{err: err})
	}
	d.learnSkew(resp, requestAt, time.Now())
	body, readErr := readBody(resp)
	if readErr != nil || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return d.replay(ctx, in, opts, &answer{resp: resp, body: body, err: readErr})
	}
	out := &lambda.InvokeOutput{StatusCode: int32(resp.StatusCode)}
	if len(body) > 0 {
		out.Payload = body
	}
	out.DurableExecutionArn = header(resp.Header, "X-Amz-Durable-Execution-Arn")
	out.ExecutedVersion = header(resp.Header, "X-Amz-Executed-Version")
	out.FunctionError = header(resp.Header, "X-Amz-Function-Error")
	out.LogResult = header(resp.Header, "X-Amz-Log-Result")
	return out, nil
}

// direct reports whether a call with opts may take the direct path: it
// allows one attempt, and keeps the client's region and endpoint.
func (d *directInvoke) direct(opts []func(*lambda.Options)) bool {
	o := d.base
	o.APIOptions = o.APIOptions[:len(o.APIOptions):len(o.APIOptions)] // an option's append must not write into base's
	for _, f := range opts {
		f(&o)
	}
	attempts := 0
	if o.Retryer != nil {
		attempts = o.Retryer.MaxAttempts()
	}
	if o.RetryMaxAttempts != 0 && o.RetryMaxAttempts != d.base.RetryMaxAttempts {
		attempts = o.RetryMaxAttempts // as the SDK's finalizeOperationRetryMaxAttempts applies it
	}
	return attempts == 1 && o.Region == d.base.Region && aws.ToString(o.BaseEndpoint) == aws.ToString(d.base.BaseEndpoint)
}

// request builds the HTTP request the SDK's REST-JSON serialiser builds
// for in (its URI, query and header bindings), at the resolved endpoint.
func (d *directInvoke) request(ctx context.Context, in *lambda.InvokeInput) (*http.Request, error) {
	name := *in.FunctionName
	p := d.path.Load()
	if p == nil || p.name != name {
		p = &invokePath{name: name,
			path: smithyhttp.JoinPath(d.endpoint.Path, "/2015-03-31/functions/"+name+"/invocations"),
			raw:  smithyhttp.JoinPath(d.endpoint.RawPath, "/2015-03-31/functions/"+httpbinding.EscapePath(name, true)+"/invocations")}
		d.path.Store(p)
	}
	u := d.endpoint
	u.Path, u.RawPath = p.path, p.raw
	if in.Qualifier != nil {
		u.RawQuery = url.Values{"Qualifier": {*in.Qualifier}}.Encode()
	} else {
		u.RawQuery = ""
	}
	// Built by hand rather than by http.NewRequest, which would parse the
	// URL again and lose the escaping computed above.
	req := &http.Request{Method: http.MethodPost, URL: &u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, 10), Host: u.Host}
	if p := in.Payload; len(p) > 0 {
		// An in-memory body net/http recognises, so that it writes the
		// headers and the body in one write (see oneWrite).
		req.ContentLength = int64(len(p))
		req.Body = io.NopCloser(bytes.NewReader(p))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(p)), nil }
	}
	req = req.WithContext(ctx)
	h := req.Header
	for k := range d.endpointHeaders {
		h.Set(k, d.endpointHeaders.Get(k))
	}
	if in.ClientContext != nil {
		h["X-Amz-Client-Context"] = []string{*in.ClientContext}
	}
	if in.InvocationType != "" {
		h["X-Amz-Invocation-Type"] = headerValue(string(in.InvocationType))
	}
	if in.LogType != "" {
		h["X-Amz-Log-Type"] = headerValue(string(in.LogType))
	}
	h["Content-Type"] = headerValue("application/octet-stream")
	h["User-Agent"] = d.userAgent
	return req, nil
}

// headerValues are the header values every request carries, shared
// between requests to save an allocation each: net/http and the signer
// replace a header's slice (Header.Set), never write into it, and the
// capacity of one keeps an append from writing into it either.
var headerValues = map[string][]string{}

func init() {
	for _, v := range []string{"application/octet-stream", string(types.InvocationTypeRequestResponse),
		string(types.InvocationTypeEvent), string(types.InvocationTypeDryRun), string(types.LogTypeTail), string(types.LogTypeNone)} {
		headerValues[v] = []string{v}[:1:1]
	}
}

// headerValue returns the header value v, shared if it is one of
// headerValues.
func headerValue(v string) []string {
	if s, ok := headerValues[v]; ok {
		return s
	}
	return []string{v}
}

// learnSkew records the clock skew an answer shows, as the SDK does: the
// server's Date minus the time the answer arrived, unless the answer came
// from a cache (Age), took longer than 15 minutes, or has no usable Date.
func (d *directInvoke) learnSkew(resp *http.Response, requestAt, responseAt time.Time) {
	if !d.skewCorrection || resp.Header.Get("Age") != "" || responseAt.Sub(requestAt) > 15*time.Minute {
		return
	}
	date := resp.Header.Get("Date")
	if date == "" {
		return
	}
	server, err := smithyhttp.ParseTime(date)
	if err != nil {
		return
	}
	d.skew.Store(int64(server.Sub(responseAt)))
}

// readBody reads and closes resp's body as the SDK's deserialiser does
// (to io.EOF; any other error ends it), into one buffer when the length
// is known. On an error it returns what was read before it.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	size := 512
	if resp.ContentLength > 0 && resp.ContentLength <= 2*MaxPayload {
		// One byte more, so that reading the end needs no larger buffer.
		size = int(resp.ContentLength) + 1
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := resp.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// header returns h's first value of key, trimmed, as the SDK's
// deserialisers read a header binding; nil when there is none.
func header(h http.Header, key string) *string {
	v := h[key]
	if len(v) == 0 {
		return nil
	}
	s := strings.TrimSpace(v[0])
	return &s
}

// answer is what the HTTP client gave one request: a response whose body
// was read (body, ending with err if the read failed), or only err when
// the request could not be sent.
type answer struct {
	resp *http.Response
	body []byte
	err  error
}

// replay has the SDK client decode a, as if its HTTP client had received
// it, and returns what the SDK's Invoke returns. The SDK builds and signs
// its own request for in as usual; it is not sent.
func (d *directInvoke) replay(ctx context.Context, in *lambda.InvokeInput, opts []func(*lambda.Options), a *answer) (*lambda.InvokeOutput, error) {
	opts = append(opts[:len(opts):len(opts)], func(o *lambda.Options) {
		o.HTTPClient = a
		// One attempt, as one request was sent; a retryable error is
		// reported as the SDK reports it when its attempts run out.
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1)
	})
	return d.sdk.Invoke(ctx, in, opts...)
}

// Do implements lambda.HTTPClient, answering with a.
func (a *answer) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	if a.resp == nil {
		return nil, a.err
	}
	resp := *a.resp
	resp.Request = r
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(a.body), errReader{a.err}))
	return &resp, nil
}

// errReader ends a replayed body as the original ended: with io.EOF, or
// the error reading it met.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err == nil {
		return 0, io.EOF
	}
	return 0, r.err
}
