package emulate

import (
	"bytes"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestToolVersionsMatchGoMod: the versions compiled into the binary, which
// InstallTools builds without the source tree, are the pins of
// tools/go.mod.
func TestToolVersionsMatchGoMod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "tools", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range []tool{rieTool, gatewayTool} {
		if !strings.Contains(string(b), "\t"+tl.module+" "+tl.version+" ") {
			t.Errorf("tools/go.mod does not require %s %s; update the constants with the pin", tl.module, tl.version)
		}
		if !strings.Contains(string(b), "\t"+tl.pkg+"\n") {
			t.Errorf("tools/go.mod has no tool directive for %s", tl.pkg)
		}
		if path.Base(tl.pkg) != tl.name {
			t.Errorf("tool %s is package %s: go install names it %s", tl.name, tl.pkg, path.Base(tl.pkg))
		}
	}
}

func TestIsErrorDocument(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"errorMessage":"boom","errorType":"errorString"}`, true},
		{`{"errorMessage":"boom","errorType":"string","stackTrace":[]}`, true},
		{`{"errorMessage":"boom"}`, true},
		{`{"errorType":"x"}`, false},
		{`{"errorMessage":"boom","score":0.5}`, false},
		{`{"score":0.5}`, false},
		{`"errorMessage"`, false},
		{`not json`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := isErrorDocument([]byte(tt.body)); got != tt.want {
			t.Errorf("isErrorDocument(%s) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

func TestTimeoutSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int
	}{{0, 1}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {15 * time.Minute, 900}}
	for _, tt := range tests {
		if got := timeoutSeconds(tt.d); got != tt.want {
			t.Errorf("timeoutSeconds(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestLogCapture(t *testing.T) {
	var file strings.Builder
	c := newLogCapture(&file)
	c.begin("id-1")
	for _, chunk := range []string{
		"START RequestId: id-1 Version: $LATEST\n26 Nov 2026 07:08:46,493 [INFO] (rapid) INIT START\nhel",
		"lo\nEND RequestId: id-1\nREPORT RequestId: id-1\tDuration: 1.00 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t\n",
	} {
		c.Write([]byte(chunk))
	}
	log := string(setMaxMemoryUsed(c.end(time.Second), 17))
	want := "START RequestId: id-1 Version: $LATEST\nhello\nEND RequestId: id-1\nREPORT RequestId: id-1\tDuration: 1.00 ms\tMemory Size: 128 MB\tMax Memory Used: 17 MB\t\n"
	if log != want {
		t.Errorf("captured\n%q\nwant\n%q", log, want)
	}
	if !strings.Contains(file.String(), "(rapid)") {
		t.Errorf("file log lost the emulator's lines")
	}
}

func TestRandomFaultsIsSeeded(t *testing.T) {
	run := func(seed uint64) []Fault {
		f := &RandomFaults{Seed: seed, Throttle: 0.2, ServerError: 0.2, DropResponse: 0.1, Delay: 0.3, DelayFor: time.Millisecond}
		out := make([]Fault, 200)
		for i := range out {
			out[i] = f.Inject("fn")
		}
		return out
	}
	a, b, c := run(1), run(1), run(2)
	counts := map[FaultKind]int{}
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different fault %d: %v vs %v", i, a[i], b[i])
		}
		same = same && a[i] == c[i]
		counts[a[i].Kind]++
	}
	if same {
		t.Error("different seeds gave the same faults")
	}
	for k, lo := range map[FaultKind]int{NoFault: 70, Throttle: 20, ServerError: 20, DropResponse: 5} {
		if counts[k] < lo {
			t.Errorf("%d faults of kind %d in 200, want at least %d", counts[k], k, lo)
		}
	}
}

// TestEnsureReport: an answer whose REPORT line has not come through the
// emulator's pipe in time (a busy machine) still carries one.
func TestEnsureReport(t *testing.T) {
	const id = "id-1"
	withReport := []byte("hello\nEND RequestId: id-1\nREPORT RequestId: id-1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB\t\n")
	if got := ensureReport(withReport, id, time.Second, 128); !bytes.Equal(got, withReport) {
		t.Errorf("a log with its REPORT line was changed:\n%s", got)
	}
	got := string(ensureReport([]byte("hello\n"), id, 1500*time.Millisecond, 128))
	if !strings.HasPrefix(got, "hello\n") || !strings.Contains(got, "REPORT RequestId: id-1\tDuration: 1500.00 ms\tBilled Duration: 1500 ms\tMemory Size: 128 MB") {
		t.Errorf("no REPORT line made up:\n%s", got)
	}
	// Another invocation's REPORT line does not count.
	if got := string(ensureReport([]byte("REPORT RequestId: id-0\t\n"), id, time.Second, 128)); !strings.Contains(got, "REPORT RequestId: id-1") {
		t.Errorf("no REPORT line made up after another invocation's:\n%s", got)
	}
}

// TestAnswer: what the router answers for each answer of the emulator.
// Every function error carries Lambda's error document, never an empty
// one; the answers that leave the emulator's state in doubt restart the
// environment before its next invocation.
func TestAnswer(t *testing.T) {
	const id = "id-1"
	doc := `{"errorMessage":"boom","errorType":"errorString"}`
	tests := []struct {
		name          string
		status        int
		body          string
		functionError string
		// payload is the answer's payload, or, for a made-up error
		// document, its errorType and errorMessage.
		payload, errorType, errorMessage string
		broken                           bool
	}{
		{"result", 200, `{"score":1}`, "", `{"score":1}`, "", "", false},
		{"handler error", 200, doc, "Unhandled", doc, "", "", false},
		{"runtime error", 502, doc, "Unhandled", doc, "", "", false},
		{"init failed with no error document", 502, "", "Unhandled", "", "Runtime.ExitError",
			"RequestId: id-1 Error: Runtime exited without providing a reason", true},
		{"init failed, blank", 502, " \n", "Unhandled", "", "Runtime.ExitError",
			"RequestId: id-1 Error: Runtime exited without providing a reason", true},
		{"timeout", 200, "Task timed out after 2.00 seconds", "Unhandled", "", "Sandbox.Timedout",
			"RequestId: id-1 Error: Task timed out after 2.00 seconds", false},
		{"emulator refused", 400, "", "Unhandled", "", "Runtime.Unknown", "RequestId: id-1 Error: emulator answered 400: ", true},
		{"gateway timeout", 504, "late", "Unhandled", "", "Runtime.Unknown", "RequestId: id-1 Error: emulator answered 504: late", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, broken := answer(id, tt.status, []byte(tt.body))
			if inv.functionError != tt.functionError || broken != tt.broken {
				t.Errorf("function error %q, broken %v; want %q, %v", inv.functionError, broken, tt.functionError, tt.broken)
			}
			if tt.errorType == "" {
				if string(inv.payload) != tt.payload {
					t.Errorf("payload %s, want %s", inv.payload, tt.payload)
				}
				return
			}
			var got struct{ ErrorType, ErrorMessage string }
			if err := json.Unmarshal(inv.payload, &got); err != nil {
				t.Fatalf("payload %q is not an error document: %v", inv.payload, err)
			}
			if got.ErrorType != tt.errorType || got.ErrorMessage != tt.errorMessage {
				t.Errorf("error document %s, want type %q message %q", inv.payload, tt.errorType, tt.errorMessage)
			}
		})
	}
}
