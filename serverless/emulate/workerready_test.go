package emulate

import (
	"context"
	"errors"
	"os/exec"
	"testing"
)

func TestWorkerBuildReady(t *testing.T) {
	t.Run("ready with go on PATH and the source tree at hand", func(t *testing.T) {
		if _, err := exec.LookPath("go"); err != nil {
			t.Skip("no go on PATH")
		}
		if err := WorkerBuildReady(context.Background()); err != nil {
			t.Fatalf("WorkerBuildReady in the source tree = %v, want nil", err)
		}
	})
	t.Run("not ready without go", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		if err := WorkerBuildReady(context.Background()); !errors.Is(err, ErrNoGo) {
			t.Fatalf("WorkerBuildReady without go = %v, want ErrNoGo", err)
		}
	})
}
