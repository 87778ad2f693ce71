package emulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// environment is one execution environment: an aws-lambda-rie process
// that runs the bootstrap and serves one invocation at a time. It is used
// by one invocation at a time (the router's idle pool hands it out); mu
// guards only what stop, called by Close, may touch meanwhile.
type environment struct {
	id        int
	rieBin    string
	bootstrap string
	env       []string
	memoryMB  int
	timeout   time.Duration // rounded up to whole seconds, as RIE wants
	logFile   *os.File
	log       *logCapture

	mu     sync.Mutex
	proc   *process
	closed bool // stopped for good: never start again
	// stopped is closed with closed set, so that a hang (see Timeout)
	// ends with the emulation instead of outliving it.
	stopped chan struct{}

	addr   string // emulator address, 127.0.0.1:port
	client *http.Client
	broken bool // restart before the next invocation
}

var errClosed = errors.New("emulate: emulation closed")

func (e *environment) current() *process {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.proc
}

// start starts the emulator process and waits until it listens. The
// runtime itself starts on the first invocation, whose REPORT line then
// carries an Init Duration, as a cold start does.
func (e *environment) start(ctx context.Context) error {
	var err error
	for range 3 { // a free port may be taken before the emulator binds it
		if err = e.startOnce(ctx); err == nil || errors.Is(err, errClosed) || ctx.Err() != nil {
			break
		}
	}
	return err
}

func (e *environment) startOnce(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	apiAddr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr,
		e.bootstrap,
	}
	p, err := startProcess(fmt.Sprintf("aws-lambda-rie[%d]", e.id), e.rieBin, args, e.env, filepath.Dir(e.bootstrap), e.log)
	if err != nil {
		return err
	}
	if err := waitListening(ctx, p, addr, 10*time.Second); err != nil {
		p.stop(0)
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		p.stop(0)
		return errClosed
	}
	e.proc, e.addr, e.broken = p, addr, false
	e.client = &http.Client{Timeout: e.timeout + 10*time.Second}
	return nil
}

// restart stops the emulator process, if any, and starts a new one.
func (e *environment) restart(ctx context.Context) error {
	if p := e.current(); p != nil {
		p.stop(0)
	}
	return e.start(ctx)
}

// close stops the emulator process for good; an invocation running on it
// fails at once. It is safe to call concurrently with invoke.
func (e *environment) close() {
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.stopped)
	}
	p := e.proc
	e.mu.Unlock()
	if p != nil {
		p.stop(0)
	}
}

// invocation is what an environment made of one invocation.
type invocation struct {
	payload []byte
	// functionError is "Unhandled" when the function failed; payload is
	// then Lambda's error document.
	functionError string
	log           []byte
}

// invoke runs one invocation. It does not take the caller's context:
// Lambda finishes an invocation whose caller went away, and the emulator
// cannot be interrupted mid-invocation without corrupting its state. It
// is bounded by the function's timeout instead. Any failure of the
// emulator itself becomes a function error, and the environment is
// restarted before its next invocation.
func (e *environment) invoke(ctx context.Context, id string, payload []byte, clientContext string) invocation {
	if p := e.current(); e.broken || p == nil || p.exited() {
		if err := e.restart(ctx); err != nil {
			e.broken = true
			return failure(id, "Runtime.Unavailable", fmt.Sprintf("execution environment could not start: %v", err), nil)
		}
	}
	e.log.begin(id)
	mem := watchMemory(e.current().cmd.Process.Pid, e.memoryMB, 20*time.Millisecond)

	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost,
		"http://"+e.addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(payload))
	if err != nil {
		panic(err) // a constant URL and method
	}
	req.Header.Set("X-Amzn-RequestId", id)
	if clientContext != "" {
		req.Header.Set("X-Amz-Client-Context", clientContext)
	}
	start := time.Now()
	status, body, err := e.roundTrip(req)
	elapsed := time.Since(start)
	peakMB, oom := mem.stop()
	// The emulator prints its REPORT line before it answers 200, but not
	// when the runtime failed; then one is made up from what the router
	// measured, as Lambda reports every invocation.
	// The wait for a REPORT line that the emulator printed is long, so
	// that a busy machine's slow pipe still delivers it (it costs nothing
	// when the line is there); one that has not come in time is made up
	// too, so that every answer carries one whatever the machine's speed.
	var log []byte
	if err == nil && status == http.StatusOK {
		log = e.log.end(5 * time.Second)
	} else {
		log = e.log.end(20 * time.Millisecond)
	}
	log = ensureReport(log, id, elapsed, e.memoryMB)
	if peakMB > 0 {
		log = setMaxMemoryUsed(log, peakMB)
	}

	if err != nil {
		e.broken = true
		return failure(id, "Runtime.ExitError", fmt.Sprintf("execution environment failed: %v", err), log)
	}
	if oom {
		return failure(id, "Runtime.OutOfMemory", "Runtime exited with error: signal: killed", log)
	}
	inv, broken := answer(id, status, body)
	inv.log = log
	e.broken = e.broken || broken
	return inv
}

// answer turns the emulator's answer (status and body) to invocation id
// into Lambda's, and reports whether the environment must restart before
// its next invocation because the emulator's state cannot be trusted.
//
// A function error always carries an error document, as on Lambda. The
// emulator answers 502 with an empty body when an init failed and the
// runtime posted no error (it caches such a failure with an empty
// payload: a runtime that exited while starting, or an init that a reset
// interrupted, as its timeout does): that is Lambda's Runtime.ExitError,
// "Runtime exited without providing a reason", and the environment
// restarts, so that the next invocation does not meet the stale failure.
func answer(id string, status int, body []byte) (inv invocation, broken bool) {
	switch {
	case status == http.StatusBadGateway && len(bytes.TrimSpace(body)) == 0:
		return failure(id, "Runtime.ExitError", "Runtime exited without providing a reason", nil), true
	case status == http.StatusBadGateway:
		// The runtime exited or reported an error through the runtime
		// API's error endpoint; the body is the error document.
		return invocation{payload: body, functionError: "Unhandled"}, false
	case status == http.StatusOK && bytes.HasPrefix(body, []byte("Task timed out after")):
		return failure(id, "Sandbox.Timedout", string(body), nil), false
	case status == http.StatusOK && isErrorDocument(body):
		return invocation{payload: body, functionError: "Unhandled"}, false
	case status == http.StatusOK:
		return invocation{payload: body}, false
	default:
		return failure(id, "Runtime.Unknown", fmt.Sprintf("emulator answered %d: %s", status, bytes.TrimSpace(body)), nil), true
	}
}

func (e *environment) roundTrip(req *http.Request) (int, []byte, error) {
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

// failure is the answer of invocation id that failed with Lambda's error
// document of type typ.
func failure(id, typ, msg string, log []byte) invocation {
	return invocation{payload: errorDocument(id, typ, msg), functionError: "Unhandled", log: log}
}

// errorDocument is the error document Lambda returns for a failure of
// the environment rather than of the handler.
func errorDocument(id, typ, msg string) []byte {
	doc, _ := json.Marshal(map[string]string{
		"errorType":    typ,
		"errorMessage": "RequestId: " + id + " Error: " + msg,
	})
	return doc
}

// isErrorDocument reports whether body is the error document a runtime
// posts for a handler error: the emulator answers it with 200 and drops
// the header that marks it, so the shape is all there is to go on. Only
// documents with errorMessage and nothing but errorType and stackTrace
// besides count.
func isErrorDocument(body []byte) bool {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return false
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	if _, ok := doc["errorMessage"]; !ok {
		return false
	}
	for k := range doc {
		switch k {
		case "errorMessage", "errorType", "stackTrace":
		default:
			return false
		}
	}
	return true
}

// ensureReport returns log with the END and REPORT lines of invocation id
// added, as measured by the router (it took d), unless it has them.
func ensureReport(log []byte, id string, d time.Duration, memoryMB int) []byte {
	if bytes.Contains(log, []byte("REPORT RequestId: "+id)) {
		return log
	}
	return append(log, reportLines(id, d, memoryMB)...)
}

// reportLines are the END and REPORT lines of an invocation that took d.
func reportLines(id string, d time.Duration, memoryMB int) []byte {
	ms := float64(d.Microseconds()) / 1000
	return fmt.Appendf(nil, "END RequestId: %s\nREPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.f ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t\n",
		id, id, ms, math.Ceil(ms), memoryMB, memoryMB)
}

// timeoutSeconds rounds d up to the whole seconds the emulator accepts.
func timeoutSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// environmentVars is the environment an emulator process and so its
// runtime gets: a minimal base (never the caller's AWS settings, which
// would point the worker at a real account), the Lambda variables, and
// extra.
func environmentVars(o *Options, extra map[string]string) []string {
	vars := map[string]string{
		"PATH":                            os.Getenv("PATH"),
		"HOME":                            os.Getenv("HOME"),
		"TMPDIR":                          os.TempDir(),
		"AWS_LAMBDA_FUNCTION_NAME":        o.Function,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(o.Memory),
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     strconv.Itoa(timeoutSeconds(o.Timeout)),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + o.Function,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "$LATEST",
	}
	for k, v := range extra {
		vars[k] = v
	}
	for k, v := range o.Env {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// envName is a short name for log files.
func envName(function string, id int) string {
	return strings.NewReplacer("/", "_", ":", "_").Replace(function) + "-" + strconv.Itoa(id) + ".log"
}
