package emulate

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A gateway that cannot start fails Start with an error, and releases
// the Lambda API's address, rather than panicking while it cleans up.
func TestStartWhoseGatewayFailsReturnsAnError(t *testing.T) {
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bootstrap, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, simulate := range []bool{false, true} {
		o := Options{
			Bootstrap:  bootstrap,
			Dir:        filepath.Join(dir, "emu"),
			LambdaAddr: "127.0.0.1:0",
			Tools:      Tools{RIE: "/bin/false", VersityGW: "/bin/false"},
		}
		if simulate {
			o.Simulate = &Simulated{}
		}
		e, err := Start(context.Background(), o)
		if err == nil {
			e.Close()
			t.Fatalf("simulate %v: Start with a gateway that exits at once succeeded", simulate)
		}
		t.Logf("simulate %v: %v", simulate, err)
	}
}
