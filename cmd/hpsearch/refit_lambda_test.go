package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestRefitOnEmulatedLambdaMatchesLocal: a study run on the emulated
// Lambda ends in the same model file, byte for byte, as the same study
// run locally; its refit was one more invocation.
func TestRefitOnEmulatedLambdaMatchesLocal(t *testing.T) {
	startEmulation(t, 2)
	tmp := t.TempDir()
	spec := writeFile(t, tmp, "iris-forest.yaml", refitForestSpec)
	for _, backend := range []string{"local", "lambda"} {
		code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(tmp, backend), "--backend", backend, "--quiet", "--parallel", "2")
		if code != 0 {
			t.Fatalf("%s run: exit %d: %s", backend, code, stderr)
		}
	}
	local, lambda := filepath.Join(tmp, "local", "iris-forest"), filepath.Join(tmp, "lambda", "iris-forest")
	if info := readInfo(t, lambda); info.Backend != "lambda" {
		t.Errorf("the Lambda study's model was fitted on %q", info.Backend)
	}
	if !bytes.Equal(readModelFile(t, local), readModelFile(t, lambda)) {
		t.Error("the study on Lambda ended in another model file than the same study run locally")
	}
	// hpsearch refit, in this process, gives the Lambda refit's bytes too.
	want := readModelFile(t, lambda)
	if code, _, stderr := run(t, "refit", lambda); code != 0 {
		t.Fatalf("refit: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(readModelFile(t, lambda), want) {
		t.Error("hpsearch refit of the Lambda study gave another model file")
	}
}
