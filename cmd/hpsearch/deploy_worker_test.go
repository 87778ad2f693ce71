package main

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/serverless/deploy"
)

// fakeELF writes the headers of a Linux executable for machine (dynamically
// linked against interp, when not empty) and returns its path.
func fakeELF(t *testing.T, machine elf.Machine, interp string) string {
	t.Helper()
	const ehsize, phsize = 64, 56
	var phnum uint16
	if interp != "" {
		phnum = 1
	}
	b := make([]byte, ehsize+int(phnum)*phsize)
	copy(b, elf.ELFMAG)
	b[elf.EI_CLASS], b[elf.EI_DATA], b[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(b[16:], uint16(elf.ET_EXEC))
	le.PutUint16(b[18:], uint16(machine))
	le.PutUint32(b[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(b[32:], ehsize)
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], phnum)
	le.PutUint16(b[58:], 64)
	if interp != "" {
		ph := b[ehsize:]
		le.PutUint32(ph[0:], uint32(elf.PT_INTERP))
		le.PutUint64(ph[8:], uint64(len(b)))
		le.PutUint64(ph[32:], uint64(len(interp)+1))
		le.PutUint64(ph[40:], uint64(len(interp)+1))
		b = append(append(b, interp...), 0)
	}
	p := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// asRunning makes deploy take x for the running executable.
func asRunning(t *testing.T, x deploy.Executable) {
	t.Helper()
	old := runningExecutable
	runningExecutable = func() (deploy.Executable, error) { return x, nil }
	t.Cleanup(func() { runningExecutable = old })
}

// packaged returns the bootstrap inside a package deploy --zip wrote.
func packaged(t *testing.T, zipPath string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("package holds %v, want just bootstrap", zr.File)
	}
	r, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeployPackagesTheRunningExecutable: when hpsearch itself is a static
// Linux binary of the function's architecture, the dry run packages it as
// the bootstrap and says so; builds nothing.
func TestDeployPackagesTheRunningExecutable(t *testing.T) {
	noAWS(t)
	t.Setenv("PATH", t.TempDir()) // no go: nothing could be built
	for _, tc := range []struct{ arch, goarch string }{{"arm64", "arm64"}, {"x86_64", "amd64"}} {
		t.Run(tc.arch, func(t *testing.T) {
			machine := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}[tc.goarch]
			self := fakeELF(t, machine, "")
			asRunning(t, deploy.Executable{Path: self, GOOS: "linux", GOARCH: tc.goarch})
			zipPath := filepath.Join(t.TempDir(), "worker.zip")
			code, out, stderr := run(t, "deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--arch", tc.arch,
				"--zip", zipPath, "--dry-run")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(out, "worker       this executable ("+self+")") {
				t.Errorf("the plan does not say it packages this executable:\n%s", out)
			}
			want, _ := os.ReadFile(self)
			if got := packaged(t, zipPath); !bytes.Equal(got, want) {
				t.Errorf("the package's bootstrap is not the running executable")
			}
			if strings.Contains(stderr, "building") {
				t.Errorf("built something: %s", stderr)
			}
		})
	}
}

// TestDeployWorkerThatDoesNotFit: a running executable of another
// architecture, or linked with cgo, is not packaged; with no Go to build
// the worker, deploy says why and to give --worker (exit 1), and --worker
// of the wrong architecture is bad input (exit 2).
func TestDeployWorkerThatDoesNotFit(t *testing.T) {
	noAWS(t)
	t.Setenv("PATH", t.TempDir()) // no go
	for _, tc := range []struct {
		name string
		self deploy.Executable
		why  string
	}{
		{"another architecture", deploy.Executable{Path: "/opt/hpsearch", GOOS: "linux", GOARCH: "amd64"}, "linux/amd64 and the function (--arch arm64) needs linux/arm64"},
		{"linked with cgo", deploy.Executable{Path: "/opt/hpsearch", GOOS: "linux", GOARCH: "arm64", Interp: "/lib/ld-linux-aarch64.so.1"}, "dynamically linked"},
		{"not Linux", deploy.Executable{Path: "/opt/hpsearch", GOOS: "darwin", GOARCH: "arm64"}, "darwin/arm64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asRunning(t, tc.self)
			code, out, stderr := run(t, "deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--dry-run")
			if code != 1 || out != "" {
				t.Fatalf("exit %d, stdout %q: want exit 1 and no plan", code, out)
			}
			for _, want := range []string{tc.why, "go is not on PATH", "--worker PATH", "GOARCH=arm64"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, stderr)
				}
			}
		})
	}
	t.Run("--worker of another architecture", func(t *testing.T) {
		code, _, stderr := run(t, "deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--dry-run",
			"--worker", fakeELF(t, elf.EM_X86_64, ""))
		if code != 2 || !strings.Contains(stderr, "linux/amd64") {
			t.Errorf("exit %d: %s; want 2 naming the worker's platform", code, stderr)
		}
	})
}

// TestInstalledBinaryDeployWithoutGo: the real hpsearch binary, run
// where there is no go command, packages itself when it fits and
// otherwise refuses saying what to do.
func TestInstalledBinaryDeployWithoutGo(t *testing.T) {
	bin := buildCLI(t)
	self, err := deploy.Inspect(bin)
	if err != nil {
		t.Fatal(err)
	}
	arch := map[string]string{"amd64": "x86_64", "arm64": "arm64"}[self.GOARCH]
	if arch == "" {
		t.Skipf("no Lambda architecture for %s", self.GOARCH)
	}
	cmd := exec.Command(bin, "deploy", "--bucket", "hp-data", "--region", "eu-west-1", "--arch", arch, "--dry-run")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir(), "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if self.Interp == "" {
		// A static build (CGO_ENABLED=0) packages itself.
		if err != nil || !strings.Contains(string(out), "worker       this executable ("+bin+")") {
			t.Fatalf("static %s: %v\n%s", bin, err, out)
		}
		return
	}
	// Built with cgo, as go build is by default where a C compiler is.
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("dynamically linked %s: %v, want exit 1\n%s", bin, err, out)
	}
	for _, want := range []string{"dynamically linked", "--worker PATH", "go is not on PATH"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
}
