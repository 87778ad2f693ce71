package deploy

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"runtime"
)

// ErrNoWorker marks a deployment with no binary to package: the running
// executable does not fit the function, no --worker was given, and the
// worker cannot be cross-compiled here.
var ErrNoWorker = errors.New("deploy: no worker binary for the function")

// Executable describes a binary that could be the function's bootstrap.
type Executable struct {
	Path string
	// GOOS and GOARCH are the platform the binary runs on ("linux",
	// "arm64"); GOOS is empty for a file that is not a Linux binary.
	GOOS, GOARCH string
	// Interp is the dynamic loader the binary asks for, such as
	// /lib64/ld-linux-x86-64.so.2, or empty for a statically linked
	// binary. A binary built with cgo links the C library of the machine
	// that built it, which provided.al2023 may not have: such a binary
	// is not packaged.
	Interp string
}

// Running returns the running executable (os.Executable) with the
// platform it was built for.
func Running() (Executable, error) {
	path, err := os.Executable()
	if err != nil {
		return Executable{}, fmt.Errorf("deploy: running executable: %w", err)
	}
	x := Executable{Path: path, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	if runtime.GOOS == "linux" {
		if i, err := Inspect(path); err == nil {
			x.Interp = i.Interp
		}
	}
	return x, nil
}

// Inspect reads the platform and dynamic loader of the binary at path
// from its ELF headers. A file that is not an ELF binary has an empty
// GOOS; an error is returned only when the file cannot be read.
func Inspect(path string) (Executable, error) {
	x := Executable{Path: path}
	f, err := os.Open(path)
	if err != nil {
		return x, fmt.Errorf("deploy: %w", err)
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		return x, nil // not ELF: not a Linux binary
	}
	x.GOOS = "linux"
	switch ef.Machine {
	case elf.EM_X86_64:
		x.GOARCH = "amd64"
	case elf.EM_AARCH64:
		x.GOARCH = "arm64"
	default:
		x.GOARCH = ef.Machine.String()
	}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err == nil {
			x.Interp = string(trimNUL(b))
		} else {
			x.Interp = "a dynamic loader"
		}
	}
	return x, nil
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// fits returns "" when x can run as c's bootstrap, else why not.
func (x Executable) fits(c Config) string {
	want := "linux/" + c.GOARCH()
	switch {
	case x.GOOS == "":
		return "it is not a Linux binary, and the function needs a " + want + " one"
	case x.GOOS+"/"+x.GOARCH != want:
		return fmt.Sprintf("it is %s/%s and the function (--arch %s) needs %s", x.GOOS, x.GOARCH, c.Arch, want)
	case x.Interp != "":
		return "it is dynamically linked (built with cgo, it needs " + x.Interp + "), and Lambda's " + Runtime + " may not have that C library"
	}
	return ""
}

// A Builder cross-compiles the worker from source.
type Builder interface {
	// Ready reports, without building, whether Build can run here: nil,
	// or an error saying what is missing (the go command, the hpsearch
	// source tree).
	Ready(ctx context.Context) error
	// Build writes the worker, a statically linked binary for
	// linux/goarch, to out.
	Build(ctx context.Context, out, goarch string) error
}

// WorkerPlan is the binary a deployment packages, and why.
type WorkerPlan struct {
	// Path is the binary to package. Empty when Build is set.
	Path string
	// Build says the worker must first be cross-compiled with the
	// Builder.
	Build bool
	// Why says, for people, where the binary comes from.
	Why string
}

// PlanWorker decides which binary deploys as c's bootstrap, in order:
//
//   - worker, when given (--worker): it must be a statically linked
//     Linux binary for the function's architecture, else the error wraps
//     ErrInvalidConfig;
//   - self, the running hpsearch, which serves Lambda invocations when it
//     finds itself in a Lambda runtime, when it is a statically linked
//     binary for linux and the function's architecture;
//   - a cross-compiled worker, when b is ready (Go and the source tree
//     are at hand);
//   - otherwise none: the error wraps ErrNoWorker and says why self does
//     not fit, why nothing can be built, and to give --worker.
//
// b may be nil, meaning nothing can be built.
func PlanWorker(ctx context.Context, c Config, worker string, self Executable, b Builder) (WorkerPlan, error) {
	c = c.WithDefaults()
	if worker != "" {
		x, err := Inspect(worker)
		if err != nil {
			return WorkerPlan{}, fmt.Errorf("%w: worker: %w", ErrInvalidConfig, err)
		}
		if why := x.fits(c); why != "" {
			return WorkerPlan{}, fmt.Errorf("%w: worker %s: %s", ErrInvalidConfig, worker, why)
		}
		return WorkerPlan{Path: worker, Why: "the worker given (" + worker + ")"}, nil
	}
	why := self.fits(c)
	if why == "" {
		return WorkerPlan{Path: self.Path, Why: "this executable (" + self.Path + "), which serves Lambda invocations as the function's bootstrap"}, nil
	}
	var notReady error = errors.New("no worker builder")
	if b != nil {
		notReady = b.Ready(ctx)
	}
	if notReady == nil {
		return WorkerPlan{Build: true, Why: "a build of the worker for linux/" + c.GOARCH() + ": this executable does not fit, as " + why}, nil
	}
	hint := ""
	if self.GOOS == "linux" && self.Interp == "" && (self.GOARCH == "amd64" || self.GOARCH == "arm64") {
		hint = fmt.Sprintf(", or deploy with --arch %s, this executable's", map[string]string{"amd64": "x86_64", "arm64": "arm64"}[self.GOARCH])
	}
	return WorkerPlan{}, fmt.Errorf("%w: this executable (%s) cannot be packaged, as %s; and the worker cannot be cross-compiled here: %v.\n"+
		"Give --worker PATH, a statically linked linux/%s build of hpsearch (in a checkout of the source: CGO_ENABLED=0 GOOS=linux GOARCH=%s go build -o bootstrap ./cmd/hpsearch)%s",
		ErrNoWorker, self.Path, why, notReady, c.GOARCH(), c.GOARCH(), hint)
}
