package worker

import (
	"context"
	"errors"
	"testing"
)

// TestServeOutsideLambda: Serve in a process no Lambda runtime started
// returns ErrNotInLambda at once, rather than the runtime client's fatal
// exit, and reads nothing else of the environment.
func TestServeOutsideLambda(t *testing.T) {
	var read []string
	getenv := func(k string) string {
		read = append(read, k)
		return ""
	}
	err := Serve(context.Background(), getenv)
	if !errors.Is(err, ErrNotInLambda) {
		t.Fatalf("Serve outside Lambda: %v, want ErrNotInLambda", err)
	}
	if len(read) != 1 || read[0] != "AWS_LAMBDA_RUNTIME_API" {
		t.Errorf("Serve read %q of the environment, want only AWS_LAMBDA_RUNTIME_API", read)
	}
}
