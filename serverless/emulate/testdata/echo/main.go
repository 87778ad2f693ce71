// Command echo is a Lambda bootstrap used by the emulate tests. Its request
// says what to do: echo the message back, sleep, panic, return an error,
// allocate memory, exit the process, or report an environment variable.
// With ECHO_EXIT_IN_INIT_ONCE set, its first start in an environment (one
// $TMPDIR) exits before it asks for an invocation, as a runtime whose
// init fails without posting an error does.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type request struct {
	Message string `json:"message,omitempty"`
	SleepMS int    `json:"sleep_ms,omitempty"`
	Panic   string `json:"panic,omitempty"`
	Error   string `json:"error,omitempty"`
	AllocMB int    `json:"alloc_mb,omitempty"`
	Exit    int    `json:"exit,omitempty"`
	Env     string `json:"env,omitempty"`
	Log     string `json:"log,omitempty"`
}

type response struct {
	Message string `json:"message,omitempty"`
	Env     string `json:"env,omitempty"`
	PID     int    `json:"pid"`
}

var sink [][]byte

func handle(_ context.Context, r request) (response, error) {
	if r.Log != "" {
		fmt.Println(r.Log)
	}
	if r.SleepMS > 0 {
		// Deliberately deaf to ctx: a handler that overruns its deadline.
		time.Sleep(time.Duration(r.SleepMS) * time.Millisecond)
	}
	if r.AllocMB > 0 {
		for i := 0; i < r.AllocMB; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j)
			}
			sink = append(sink, b)
		}
	}
	if r.Panic != "" {
		panic(r.Panic)
	}
	if r.Exit != 0 {
		os.Exit(r.Exit)
	}
	if r.Error != "" {
		return response{}, errors.New(r.Error)
	}
	return response{Message: r.Message, Env: os.Getenv(r.Env), PID: os.Getpid()}, nil
}

func main() {
	if os.Getenv("ECHO_EXIT_IN_INIT_ONCE") != "" {
		mark := filepath.Join(os.TempDir(), "echo-exited-in-init")
		if _, err := os.Stat(mark); err != nil {
			_ = os.WriteFile(mark, nil, 0o644)
			os.Exit(2)
		}
	}
	lambda.Start(handle)
}
