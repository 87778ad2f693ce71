package emulate

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Account is the account ID in the ARNs the emulation reports.
const Account = "000000000000"

// logResultBytes is how much of the log X-Amz-Log-Result carries.
const logResultBytes = 4 << 10

// reasonEmulated is the Reason of the emulation's throttles: all its
// environments are busy.
const reasonEmulated = "ConcurrentInvocationLimitExceeded"

// router serves the Lambda API for one function backed by a fleet of
// environments. An environment is in idle when no invocation uses it.
type router struct {
	function, region string
	memory           int
	timeout          time.Duration
	idle             chan *environment
	faults           atomic.Pointer[faultsBox]
	stats            statsCounter
	// running tracks invocations so that Close waits for them.
	running sync.WaitGroup
}

type faultsBox struct{ f Faults }

func (rt *router) arn() string {
	return "arn:aws:lambda:" + rt.region + ":" + Account + ":function:" + rt.function
}

func (rt *router) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", rt.invoke)
	mux.HandleFunc("GET /2015-03-31/functions/{name}", rt.getFunction)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "User",
			fmt.Sprintf("the emulator does not implement %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// known reports whether name (a name, a name:qualifier, or an ARN) with
// the request's Qualifier is this function's $LATEST.
func (rt *router) known(r *http.Request) bool {
	name := r.PathValue("name")
	if i := strings.LastIndex(name, ":function:"); i >= 0 {
		name = name[i+len(":function:"):]
	}
	name, qual, _ := strings.Cut(name, ":")
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qual = q
	}
	return name == rt.function && (qual == "" || qual == "$LATEST")
}

func (rt *router) notFound(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotFound, "ResourceNotFoundException", "User",
		"Function not found: arn:aws:lambda:"+rt.region+":"+Account+":function:"+r.PathValue("name"))
}

func (rt *router) invoke(w http.ResponseWriter, r *http.Request) {
	rt.running.Add(1)
	defer rt.running.Done()
	payload, fault, ok := rt.admit(w, r, time.After, reasonEmulated)
	if !ok {
		return
	}
	var env *environment
	select {
	case env = <-rt.idle:
	default:
		rt.throttle(w, reasonEmulated)
		return
	}
	id := newRequestID()
	rt.stats.running.Add(1)
	inv := rt.run(r.Context(), env, fault, id, payload, r.Header.Get("X-Amz-Client-Context"))
	rt.stats.running.Add(-1)
	rt.idle <- env // never blocks: the pool has room for every environment
	if inv.functionError != "" {
		rt.stats.functionErrors.Add(1)
	}
	rt.respond(w, r, fault, id, inv.payload, inv.functionError, inv.log)
}

// admit is what the router does first with every Invoke request, the
// emulation's and the simulation's alike: it counts the request, answers
// one for another function or one it refuses, draws the request's fault
// and waits for its delay (on after, the emulation's clock), and answers
// the faults that need no environment (Throttle, with reason, and
// ServerError). It returns the payload and the fault to apply, or ok
// false when it has answered.
func (rt *router) admit(w http.ResponseWriter, r *http.Request, after func(time.Duration) <-chan time.Time, reason string) (payload []byte, fault Fault, ok bool) {
	rt.stats.invocations.Add(1)
	if !rt.known(r) {
		rt.notFound(w, r)
		return nil, fault, false
	}
	if payload, ok = readInvoke(w, r); !ok {
		return nil, fault, false
	}
	if fb := rt.faults.Load(); fb != nil && fb.f != nil {
		fault = fb.f.Inject(rt.function)
	}
	if fault.Delay > 0 {
		select {
		case <-after(fault.Delay):
		case <-r.Context().Done():
			return nil, fault, false
		}
	}
	switch fault.Kind {
	case Throttle:
		rt.stats.injected.Add(1)
		rt.throttle(w, reason)
		return nil, fault, false
	case ServerError:
		rt.stats.injected.Add(1)
		apiError(w, http.StatusInternalServerError, "ServiceException", "Service", "injected fault: internal service error")
		return nil, fault, false
	}
	return payload, fault, true
}

// respond answers invocation id as Lambda does, with payload, the
// function error if any and the tail of log when the request asked for
// it, or drops the connection for a DropResponse fault.
func (rt *router) respond(w http.ResponseWriter, r *http.Request, fault Fault, id string, payload []byte, functionError string, log []byte) {
	if fault.Kind == DropResponse {
		rt.stats.injected.Add(1)
		dropConnection(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-RequestId", id)
	h.Set("X-Amz-Executed-Version", "$LATEST")
	if functionError != "" {
		h.Set("X-Amz-Function-Error", functionError)
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(logTail(log, logResultBytes)))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
}

// readInvoke reads an Invoke request's payload, or answers it (a DryRun,
// or an error as Lambda gives for a request it refuses) and returns false.
func readInvoke(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	switch t := r.Header.Get("X-Amz-Invocation-Type"); t {
	case "", "RequestResponse":
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return nil, false
	default:
		apiError(w, http.StatusBadRequest, "InvalidParameterValueException", "User",
			"the emulator supports only RequestResponse and DryRun invocations, not "+t)
		return nil, false
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, 6<<20+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "User", "reading payload: "+err.Error())
		return nil, false
	}
	if len(payload) > 6<<20 {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "User",
			"Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return nil, false
	}
	if len(payload) > 0 && !json.Valid(payload) {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "User", "Could not parse request body into json")
		return nil, false
	}
	return payload, true
}

// throttle answers 429 TooManyRequestsException with reason, as Lambda
// does when a function is at a limit; the SDK decodes it as
// *types.TooManyRequestsException.
func (rt *router) throttle(w http.ResponseWriter, reason string) {
	rt.stats.throttled.Add(1)
	w.Header().Set("Retry-After", "1")
	w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]string{"Reason": reason, "Type": "User", "message": "Rate Exceeded."})
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // makes net/http drop the connection
}

// getFunction answers GetFunction with the configuration, enough for a
// caller to check that the function exists and read its settings.
func (rt *router) getFunction(w http.ResponseWriter, r *http.Request) {
	if !rt.known(r) {
		rt.notFound(w, r)
		return
	}
	arch := "x86_64"
	if runtime.GOARCH == "arm64" {
		arch = "arm64"
	}
	cfg := map[string]any{
		"FunctionName":     rt.function,
		"FunctionArn":      rt.arn(),
		"Runtime":          "provided.al2023",
		"Handler":          "bootstrap",
		"MemorySize":       rt.memory,
		"Timeout":          timeoutSeconds(rt.timeout),
		"Version":          "$LATEST",
		"State":            "Active",
		"LastUpdateStatus": "Successful",
		"PackageType":      "Zip",
		"Architectures":    []string{arch},
		"Role":             "arn:aws:iam::" + Account + ":role/" + rt.function + "-emulated",
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"Configuration": cfg,
		"Code":          map[string]string{"RepositoryType": "S3", "Location": ""},
	})
}

// apiError writes a Lambda API error the SDK decodes to the typed
// exception named by code.
func apiError(w http.ResponseWriter, status int, code, typ, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": typ, "message": msg})
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Stats counts what the router did since the emulation started.
type Stats struct {
	// Invocations is the number of Invoke requests received.
	Invocations int64
	// Throttled is the number answered 429, whether because every
	// environment was busy or by an injected fault.
	Throttled int64
	// FunctionErrors is the number that ran and failed.
	FunctionErrors int64
	// Injected is the number of faults injected (delays not counted).
	Injected int64
	// Running is the number of invocations running in an environment
	// now (a fault that holds one, such as Timeout, included).
	Running int64
}

type statsCounter struct {
	invocations, throttled, functionErrors, injected, running atomic.Int64
}

func (s *statsCounter) snapshot() Stats {
	return Stats{
		Invocations:    s.invocations.Load(),
		Throttled:      s.throttled.Load(),
		FunctionErrors: s.functionErrors.Load(),
		Injected:       s.injected.Load(),
		Running:        s.running.Load(),
	}
}
