package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/serverless/emulate"
)

// TestEmulateRefusesBadFaults: a bad --faults spec exits 2 naming the
// entry, before anything is built or started.
func TestEmulateRefusesBadFaults(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown kind", []string{"--faults", "429=0.1,5x=0.05"}, []string{`"5x=0.05"`, `did you mean "5xx"?`}},
		{"rate above 1", []string{"--faults", "crash=2"}, []string{`"crash=2"`, "outside [0, 1]"}},
		{"negative rate", []string{"--faults", "lost=-0.1"}, []string{`"lost=-0.1"`, "outside [0, 1]"}},
		{"sum above 1", []string{"--faults", "429=0.5,5xx=0.3,timeout=0.3"}, []string{"sum to 1.1"}},
		{"repeated kind", []string{"--faults", "429=0.1,429=0.1"}, []string{"twice"}},
		{"not a rate", []string{"--faults", "timeout=soon"}, []string{`"timeout=soon"`, "not a number"}},
		{"empty", []string{"--faults", ""}, []string{"empty"}},
		{"bad seed", []string{"--faults", "429=0.1", "--seed", "-1"}, []string{"seed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"emulate"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not contain %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "msg=\"building") {
				t.Errorf("built something before refusing the flags: %s", stderr)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEmulate runs emulate with args in this process until its export
// lines are out, and returns its output, the endpoint of the Lambda API,
// and a stop function that interrupts it and returns its exit code.
func startEmulate(t *testing.T, args ...string) (stdout, stderr *syncBuffer, endpoint string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	exited := make(chan int, 1)
	go func() {
		exited <- runMain(ctx, &env{stdout: stdout, stderr: stderr}, append([]string{"emulate"}, args...))
	}()
	stop = func() int {
		cancel()
		return <-exited
	}
	for endpoint == "" {
		for line := range strings.Lines(stdout.String()) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export AWS_ENDPOINT_URL_LAMBDA="); ok {
				endpoint = v
			}
		}
		select {
		case code := <-exited:
			cancel()
			t.Fatalf("emulate exited %d: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return stdout, stderr, endpoint, stop
}

// TestEmulateInjectsFaults: the faults of --faults reach the router.
// Every invocation is throttled, so none reaches the bootstrap, which can
// be any executable.
func TestEmulateInjectsFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS emulation")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, endpoint, stop := startEmulate(t, "--port", "0", "--workers", "1", "--dir", t.TempDir(), "--bootstrap", self, "--faults", "429=1", "--seed", "3")
	c := lambda.New(lambda.Options{
		Region:       emulate.DefaultRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(emulate.DefaultAccessKey, emulate.DefaultSecretKey, ""),
		Retryer:      aws.NopRetryer{},
	})
	for i := range 3 {
		_, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(emulate.DefaultFunction), Payload: []byte(`{}`)})
		var tm *types.TooManyRequestsException
		if !errors.As(err, &tm) {
			t.Errorf("invocation %d under --faults 429=1: %v, want TooManyRequestsException", i, err)
		}
	}
	stop()
	if !strings.Contains(stderr.String(), `faults="429=1"`) || !strings.Contains(stderr.String(), "faults_injected=3") {
		t.Errorf("stderr does not say which faults it injected, and how many: %s", stderr.String())
	}
}

// TestEmulateReadyMessage: with a relative --dir the emulation starts (the
// gateway, which runs in another directory, gets the absolute path) and
// keeps its S3 data there; without --dir it says the data is deleted on
// exit. Both warn that the export lines replace the shell's AWS
// credentials.
func TestEmulateReadyMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the AWS emulation")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	tests := []struct {
		name string
		args []string
		want []string // in stdout and stderr together
	}{
		{"relative dir", []string{"--dir", "emu"}, []string{
			"# S3 data: " + filepath.Join(work, "emu", "s3") + ", kept after the emulation stops",
			"S3 data is kept", "s3_data=" + filepath.Join(work, "emu", "s3"),
		}},
		{"temporary dir", nil, []string{
			"deleted when the emulation stops (--dir DIR keeps it)",
			"S3 data is deleted when it stops (--dir DIR keeps it)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, _, stop := startEmulate(t, append([]string{"--port", "0", "--workers", "1", "--bootstrap", self}, tt.args...)...)
			if code := stop(); code != 130 && code != 0 {
				t.Errorf("exit %d after Ctrl-C: %s", code, stderr)
			}
			out := stdout.String() + stderr.String()
			for _, w := range append(tt.want,
				"# These lines replace the shell's own AWS credentials: paste them in a subshell or a separate terminal.",
				`level=WARN msg="the export lines replace the shell's own AWS credentials`) {
				if !strings.Contains(out, w) {
					t.Errorf("output does not contain %q:\n%s", w, out)
				}
			}
			if i, j := strings.Index(stdout.String(), "# These lines replace"), strings.Index(stdout.String(), "export "); i < 0 || j < i {
				t.Errorf("the warning is not before the export lines:\n%s", stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(work, "emu", "s3", emulate.DefaultBucket)); err != nil {
		t.Errorf("the bucket is not kept under the relative --dir: %v", err)
	}
}

// TestEmulatePortInUse: a port another program holds fails at once, before
// anything is built, naming the service and port and the flag that moves
// it.
func TestEmulatePortInUse(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, port, _ := net.SplitHostPort(held.Addr().String())
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"lambda", []string{"--port", port}, []string{"Lambda API port " + port, "in use", "--port 0"}},
		{"s3", []string{"--s3-port", port}, []string{"S3 port " + port, "in use", "--s3-port 0", "--port 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"emulate"}, tt.args...)...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not contain %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "building") {
				t.Errorf("built something before refusing the port: %s", stderr)
			}
		})
	}
	code, _, stderr := run(t, "emulate", "--port", "9100", "--s3-port", "9100")
	if code != 2 || !strings.Contains(stderr, "both 9100") {
		t.Errorf("the same port twice: exit %d, %s", code, stderr)
	}
}

// TestInstalledBinaryEmulatesElsewhere: the hpsearch binary, run outside
// the source tree with a relative --dir and --bootstrap, finds the
// emulator's tools and serves S3 from that directory. (The tools never
// need the source tree: see TestInstallToolsWithGoInstall; the worker's
// build does, and says so: TestModuleRootWithoutSource.)
func TestInstalledBinaryEmulatesElsewhere(t *testing.T) {
	bin := buildCLI(t)
	elsewhere := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(elsewhere, "bootstrap")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "emulate", "--port", "0", "--workers", "1", "--dir", "emu", "--bootstrap", "bootstrap")
	cmd.Dir = elsewhere
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	env := map[string]string{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && env["HPSEARCH_FUNCTION"] == "" {
		if kv, ok := strings.CutPrefix(sc.Text(), "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	if env["AWS_ENDPOINT_URL_S3"] == "" {
		t.Fatalf("no export lines; stderr: %s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	c := emulate.NewS3Client(env["AWS_ENDPOINT_URL_S3"], env["AWS_REGION"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
	if _, err := c.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(env["HPSEARCH_BUCKET"])}); err != nil {
		t.Errorf("S3 of the emulation: %v", err)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "emu", "s3", env["HPSEARCH_BUCKET"])); err != nil {
		t.Errorf("the bucket is not under the relative --dir: %v", err)
	}
}
