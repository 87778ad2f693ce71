package deploy

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeELF writes a minimal 64-bit little-endian ELF executable header
// for machine, with a PT_INTERP program header naming interp when it is
// not empty, and returns its path.
func writeELF(tb testing.TB, name string, machine elf.Machine, interp string) string {
	tb.Helper()
	const ehsize, phsize = 64, 56
	var phnum uint16
	if interp != "" {
		phnum = 1
	}
	buf := make([]byte, ehsize+int(phnum)*phsize)
	copy(buf, elf.ELFMAG)
	buf[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	buf[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	buf[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	le := binary.LittleEndian
	le.PutUint16(buf[16:], uint16(elf.ET_EXEC))
	le.PutUint16(buf[18:], uint16(machine))
	le.PutUint32(buf[20:], uint32(elf.EV_CURRENT))
	le.PutUint64(buf[32:], ehsize) // phoff
	le.PutUint16(buf[52:], ehsize)
	le.PutUint16(buf[54:], phsize)
	le.PutUint16(buf[56:], phnum)
	le.PutUint16(buf[58:], 64) // shentsize
	if interp != "" {
		ph := buf[ehsize:]
		le.PutUint32(ph[0:], uint32(elf.PT_INTERP))
		le.PutUint64(ph[8:], uint64(len(buf))) // offset
		le.PutUint64(ph[32:], uint64(len(interp)+1))
		le.PutUint64(ph[40:], uint64(len(interp)+1))
		buf = append(append(buf, interp...), 0)
	}
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, buf, 0o755); err != nil {
		tb.Fatal(err)
	}
	return path
}

// fakeBuilder is a Builder that is ready when notReady is nil.
type fakeBuilder struct{ notReady error }

func (b fakeBuilder) Ready(context.Context) error { return b.notReady }
func (b fakeBuilder) Build(context.Context, string, string) error {
	return errors.New("fakeBuilder does not build")
}

func TestInspectReadsPlatformAndLoader(t *testing.T) {
	for _, tc := range []struct {
		machine elf.Machine
		interp  string
		goarch  string
	}{
		{elf.EM_AARCH64, "", "arm64"},
		{elf.EM_X86_64, "/lib64/ld-linux-x86-64.so.2", "amd64"},
	} {
		x, err := Inspect(writeELF(t, "bin", tc.machine, tc.interp))
		if err != nil {
			t.Fatal(err)
		}
		if x.GOOS != "linux" || x.GOARCH != tc.goarch || x.Interp != tc.interp {
			t.Errorf("Inspect(%v, %q) = %s/%s interp %q", tc.machine, tc.interp, x.GOOS, x.GOARCH, x.Interp)
		}
	}
	if x, err := Inspect(mustScript(t)); err != nil || x.GOOS != "" {
		t.Errorf("Inspect(script) = %+v, %v; want no GOOS, no error", x, err)
	}
	if _, err := Inspect(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Inspect(missing file) gave no error")
	}
}

func TestPlanWorker(t *testing.T) {
	arm := Config{Bucket: "b", Region: "us-east-1", Arch: "arm64"}
	staticArm := Executable{Path: "/bin/hpsearch", GOOS: "linux", GOARCH: "arm64"}
	staticAmd := Executable{Path: "/bin/hpsearch", GOOS: "linux", GOARCH: "amd64"}
	dynamicArm := Executable{Path: "/bin/hpsearch", GOOS: "linux", GOARCH: "arm64", Interp: "/lib/ld-linux-aarch64.so.1"}
	darwin := Executable{Path: "/bin/hpsearch", GOOS: "darwin", GOARCH: "arm64"}
	noGo := fakeBuilder{errors.New("go is not on PATH")}
	ready := fakeBuilder{}

	t.Run("the running executable when it is a static linux binary of the function's arch", func(t *testing.T) {
		p, err := PlanWorker(context.Background(), arm, "", staticArm, noGo)
		if err != nil || p.Path != "/bin/hpsearch" || p.Build {
			t.Fatalf("plan = %+v, %v; want to package /bin/hpsearch", p, err)
		}
		if !strings.Contains(p.Why, "this executable") {
			t.Errorf("why = %q", p.Why)
		}
	})
	for _, tc := range []struct {
		name string
		self Executable
		why  string
	}{
		{"another arch", staticAmd, "linux/amd64 and the function (--arch arm64) needs linux/arm64"},
		{"dynamically linked", dynamicArm, "dynamically linked"},
		{"another OS", darwin, "darwin/arm64"},
	} {
		t.Run("a build when the running executable is of "+tc.name+" and Go and the source are at hand", func(t *testing.T) {
			p, err := PlanWorker(context.Background(), arm, "", tc.self, ready)
			if err != nil || !p.Build || p.Path != "" {
				t.Fatalf("plan = %+v, %v; want a build", p, err)
			}
			if !strings.Contains(p.Why, tc.why) {
				t.Errorf("why = %q, want it to say %q", p.Why, tc.why)
			}
		})
		t.Run("an error naming --worker when the running executable is of "+tc.name+" and nothing can build", func(t *testing.T) {
			_, err := PlanWorker(context.Background(), arm, "", tc.self, noGo)
			if !errors.Is(err, ErrNoWorker) {
				t.Fatalf("err = %v, want ErrNoWorker", err)
			}
			for _, want := range []string{tc.why, "go is not on PATH", "--worker PATH", "GOARCH=arm64"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
	t.Run("a nil builder cannot build", func(t *testing.T) {
		if _, err := PlanWorker(context.Background(), arm, "", staticAmd, nil); !errors.Is(err, ErrNoWorker) {
			t.Fatalf("err = %v, want ErrNoWorker", err)
		}
	})
	t.Run("a static executable of the other arch suggests that arch", func(t *testing.T) {
		_, err := PlanWorker(context.Background(), arm, "", staticAmd, noGo)
		if err == nil || !strings.Contains(err.Error(), "--arch x86_64") {
			t.Fatalf("err = %v, want it to suggest --arch x86_64", err)
		}
	})
	t.Run("--worker is packaged as given when it fits", func(t *testing.T) {
		w := writeELF(t, "bootstrap", elf.EM_AARCH64, "")
		p, err := PlanWorker(context.Background(), arm, w, staticAmd, noGo)
		if err != nil || p.Path != w || p.Build {
			t.Fatalf("plan = %+v, %v; want to package %s", p, err, w)
		}
	})
	for _, tc := range []struct {
		name, file, why string
	}{
		{"of another arch", writeELF(t, "bootstrap", elf.EM_X86_64, ""), "linux/amd64"},
		{"dynamically linked", writeELF(t, "bootstrap", elf.EM_AARCH64, "/lib/ld-linux-aarch64.so.1"), "dynamically linked"},
		{"not a Linux binary", mustScript(t), "not a Linux binary"},
		{"missing", filepath.Join(t.TempDir(), "missing"), "no such file"},
	} {
		t.Run("--worker "+tc.name+" is invalid config", func(t *testing.T) {
			_, err := PlanWorker(context.Background(), arm, tc.file, staticArm, ready)
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("err = %v, want ErrInvalidConfig saying %q", err, tc.why)
			}
		})
	}
}

func mustScript(tb testing.TB) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "script")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestRunningIsThisProcess(t *testing.T) {
	x, err := Running()
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	if x.Path != self || x.GOOS == "" || x.GOARCH == "" {
		t.Errorf("Running() = %+v, want %s with its platform", x, self)
	}
}

func TestPackageSizeLimit(t *testing.T) {
	pkg := make([]byte, 1000)
	if err := checkPackageSize(pkg, 1000); err != nil {
		t.Errorf("a package at the limit: %v", err)
	}
	if err := checkPackageSize(pkg, 999); !errors.Is(err, ErrPackageTooLarge) || !strings.Contains(err.Error(), "--worker") {
		t.Errorf("a package over the limit: %v, want ErrPackageTooLarge naming --worker", err)
	}
	if MaxPackageBytes != 50<<20 {
		t.Errorf("MaxPackageBytes = %d, want Lambda's 50 MB", MaxPackageBytes)
	}
}
