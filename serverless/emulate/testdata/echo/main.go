// Command echo is a Lambda bootstrap used by the emulate tests. Its request
// says what to do: echo the message back, sleep, panic, return an error,
// allocate memory, exit the process, or report an environment variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
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

func main() { lambda.Start(handle) }
