package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// noopSpec is a small study that needs no dataset.
const noopSpec = "name: prof\nmodel: noop\nsearch: {method: random, max_trials: 20, parallel: 2, seed: 1}\nparameters:\n  x: {min: 0.0, max: 1.0}\n"

func TestRunWritesCPUProfileWhenAsked(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "prof.yaml", noopSpec)
	prof := filepath.Join(dir, "run.prof")
	t.Setenv(envCPUProfile, prof)
	code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"), "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(prof)
	if err != nil {
		t.Fatalf("no profile written: %v", err)
	}
	// A pprof profile is a gzip'd protocol buffer.
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("%s is not a pprof profile (no gzip header): % x", prof, b[:min(len(b), 8)])
	}
}

func TestRunWithUncreatableCPUProfileFailsNamingTheVariable(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "prof.yaml", noopSpec)
	t.Setenv(envCPUProfile, filepath.Join(dir, "missing", "run.prof"))
	code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"), "--quiet")
	// A path that cannot be created is bad input, as a missing spec is.
	if code != 2 || !strings.Contains(stderr, envCPUProfile) {
		t.Errorf("exit %d, stderr %q; want 2 and a message naming %s", code, stderr, envCPUProfile)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", "prof")); err == nil {
		t.Errorf("the study was created although its profile could not be")
	}
}

func TestRunWithoutCPUProfileWritesNone(t *testing.T) {
	stop, err := startCPUProfile(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Errorf("stop = %v, want nil", err)
	}
}

func TestRunWritesHeapProfilesWhenAsked(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "prof.yaml", noopSpec)
	prof := filepath.Join(dir, "run.heap")
	t.Setenv(envMemProfile, prof)
	code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"), "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The profile at exit, and the one at the peak (here the same: the
	// heap of a 20-trial study stays small).
	for _, p := range []string{prof, prof + ".peak"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("no profile written: %v", err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s is not a pprof profile (no gzip header): % x", p, b[:min(len(b), 8)])
		}
	}
}

func TestRunWithUncreatableHeapProfileFailsNamingTheVariable(t *testing.T) {
	dir := t.TempDir()
	spec := writeFile(t, dir, "prof.yaml", noopSpec)
	t.Setenv(envMemProfile, filepath.Join(dir, "missing", "run.heap"))
	code, _, stderr := run(t, "run", spec, "--dir", filepath.Join(dir, "runs"), "--quiet")
	if code != 2 || !strings.Contains(stderr, envMemProfile) {
		t.Errorf("exit %d, stderr %q; want 2 and a message naming %s", code, stderr, envMemProfile)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs", "prof")); err == nil {
		t.Errorf("the study was created although its profile could not be")
	}
}
