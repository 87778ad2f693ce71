package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- runMain(ctx, &env{stdout: &stdout, stderr: &stderr},
			[]string{"emulate", "--port", "0", "--workers", "1", "--dir", t.TempDir(), "--bootstrap", self, "--faults", "429=1", "--seed", "3"})
	}()
	var endpoint string
	for endpoint == "" {
		for line := range strings.Lines(stdout.String()) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export AWS_ENDPOINT_URL_LAMBDA="); ok {
				endpoint = v
			}
		}
		select {
		case code := <-exited:
			t.Fatalf("emulate exited %d: %s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	c := lambda.New(lambda.Options{
		Region:       emulate.DefaultRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(emulate.DefaultAccessKey, emulate.DefaultSecretKey, ""),
		Retryer:      aws.NopRetryer{},
	})
	for i := range 3 {
		_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(emulate.DefaultFunction), Payload: []byte(`{}`)})
		var tm *types.TooManyRequestsException
		if !errors.As(err, &tm) {
			t.Errorf("invocation %d under --faults 429=1: %v, want TooManyRequestsException", i, err)
		}
	}
	cancel()
	<-exited
	if !strings.Contains(stderr.String(), `faults="429=1"`) || !strings.Contains(stderr.String(), "faults_injected=3") {
		t.Errorf("stderr does not say which faults it injected, and how many: %s", stderr.String())
	}
}
