package emulate

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// The tool versions pinned in the tools module's go.mod (tools/go.mod in
// the source tree), kept here so that a binary installed without the
// source still knows them. A test checks that they match; the cache of
// built binaries is keyed by them.
const (
	RIEVersion       = "v0.0.0-20261030222936-bef5c4ba774d"
	VersityGWVersion = "v1.8.0"
)

const (
	mainModule    = "github.com/hpsearch/hpsearch"
	rieModule     = "github.com/aws/aws-lambda-runtime-interface-emulator"
	riePkg        = rieModule + "/cmd/aws-lambda-rie"
	gatewayModule = "github.com/versity/versitygw"
	gatewayPkg    = gatewayModule + "/cmd/versitygw"
)

// Errors of finding or building the emulator's tools and the worker.
var (
	// ErrNoGo: a tool is neither cached, nor on PATH at the pinned
	// version, nor named by its variable, and there is no go command to
	// build it with.
	ErrNoGo = errors.New("emulate: go is not on PATH")
	// ErrNoSource: building the worker needs the hpsearch source tree,
	// and neither this binary's build nor the working directory leads to
	// it (a binary installed with go install, or built with -trimpath,
	// run outside a checkout).
	ErrNoSource = errors.New("emulate: the hpsearch source tree is not at hand")
)

// A tool is one of the emulator's programs, pinned to a version.
type tool struct {
	name    string // the command's name, as on PATH
	module  string
	pkg     string
	version string
	env     string // the variable that names a binary to use as is
}

func (t tool) cached(dir string) string {
	return filepath.Join(dir, t.name+"-"+t.version+"-"+runtime.GOOS+"-"+runtime.GOARCH)
}

var (
	rieTool     = tool{"aws-lambda-rie", rieModule, riePkg, RIEVersion, "HPSEARCH_RIE"}
	gatewayTool = tool{"versitygw", gatewayModule, gatewayPkg, VersityGWVersion, "HPSEARCH_VERSITYGW"}
)

// DefaultCacheDir returns $HPSEARCH_CACHE, or hpsearch under the user's
// cache directory (~/.cache/hpsearch on Linux), as an absolute path.
func DefaultCacheDir() (string, error) {
	d := os.Getenv("HPSEARCH_CACHE")
	if d == "" {
		u, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("emulate: cache dir: %w", err)
		}
		d = filepath.Join(u, "hpsearch")
	}
	d, err := filepath.Abs(d)
	if err != nil {
		return "", fmt.Errorf("emulate: cache dir: %w", err)
	}
	return d, nil
}

// Tools are the absolute paths of the emulator's two programs.
type Tools struct {
	RIE       string // aws-lambda-rie
	VersityGW string // versitygw
}

// ToolsOptions configures [InstallTools].
type ToolsOptions struct {
	// CacheDir holds the built tools in CacheDir/tools. Empty means
	// [DefaultCacheDir].
	CacheDir string
	// Log receives progress for people: which binary is used and why,
	// and the start and end of a build, which takes a minute or more on
	// a first start. Nil logs nothing.
	Log *slog.Logger
}

// InstallTools finds or builds aws-lambda-rie and versitygw for this
// machine and returns their paths. For each tool it uses, in order:
//
//   - the binary named by $HPSEARCH_RIE or $HPSEARCH_VERSITYGW, as is,
//     whatever its version (the user said so);
//   - the binary cached in CacheDir/tools under a name that carries the
//     pinned version and the platform;
//   - the binary of that name on PATH, if its Go build information says
//     it was built from the pinned module version;
//   - a build of the pinned version with
//     go install MODULE/cmd/TOOL@VERSION into the cache, which needs the
//     go command and network access to the module proxy (or a module
//     cache that has the modules) but not the hpsearch source tree.
//
// A build writes to a temporary directory and renames the binary into
// place, so concurrent and interrupted builds never leave a half-written
// one. The error is [ErrNoGo] when a build is needed and there is no go.
func InstallTools(ctx context.Context, o ToolsOptions) (Tools, error) {
	if o.CacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return Tools{}, err
		}
		o.CacheDir = d
	}
	dir, err := filepath.Abs(filepath.Join(o.CacheDir, "tools"))
	if err != nil {
		return Tools{}, fmt.Errorf("emulate: cache dir: %w", err)
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rie, err := installTool(ctx, rieTool, dir, log)
	if err != nil {
		return Tools{}, err
	}
	gw, err := installTool(ctx, gatewayTool, dir, log)
	if err != nil {
		return Tools{}, err
	}
	return Tools{RIE: rie, VersityGW: gw}, nil
}

// BuildTools is [InstallTools] without progress, returning the two paths.
func BuildTools(ctx context.Context, cacheDir string) (rie, versitygw string, err error) {
	t, err := InstallTools(ctx, ToolsOptions{CacheDir: cacheDir})
	return t.RIE, t.VersityGW, err
}

func installTool(ctx context.Context, t tool, dir string, log *slog.Logger) (string, error) {
	if p := os.Getenv(t.env); p != "" {
		abs, err := executable(p)
		if err != nil {
			return "", fmt.Errorf("emulate: %s=%s: %w", t.env, p, err)
		}
		log.Info("using "+t.name+" named by "+t.env+", whatever its version", "path", abs, "pinned", t.version)
		return abs, nil
	}
	out := t.cached(dir)
	if fi, err := os.Stat(out); err == nil && fi.Mode().IsRegular() {
		return out, nil
	}
	if p, err := exec.LookPath(t.name); err == nil {
		if abs, err := executable(p); err == nil {
			v := builtVersion(abs, t)
			if v == t.version {
				log.Info("using "+t.name+" "+t.version+" found on PATH", "path", abs)
				return abs, nil
			}
			log.Info(t.name+" on PATH is not the pinned version; building the pinned one (set "+t.env+" to use it anyway)",
				"path", abs, "version", v, "pinned", t.version)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%w: %s %s is not in the cache (%s) nor on PATH, and building it needs Go (https://go.dev/dl/); or put %s %s on PATH, or set %s to a %s binary",
			ErrNoGo, t.name, t.version, dir, t.name, t.version, t.env, t.name)
	}
	start := time.Now()
	log.Info("building "+t.name+" "+t.version+" with go install (first start only, about a minute)", "into", out)
	if err := goInstall(ctx, goBin, t, out, log); err != nil {
		return "", err
	}
	log.Info("built "+t.name+" in "+time.Since(start).Round(time.Second).String(), "path", out)
	return out, nil
}

// executable returns the absolute path of p if it is an executable file.
func executable(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file", abs)
	}
	return abs, nil
}

// builtVersion returns the version of t's module that the Go binary at
// path was built from, or a description of why there is none: "(devel)"
// for a build from a checkout, "another program" for a binary of another
// package, "unknown" for one without Go build information.
func builtVersion(path string, t tool) string {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return pinnedVersion(bi, t)
}

func pinnedVersion(bi *debug.BuildInfo, t tool) string {
	if bi.Path != t.pkg || bi.Main.Path != t.module {
		return "another program"
	}
	return bi.Main.Version
}

// goInstall runs go install t.pkg@t.version into a temporary GOBIN beside
// out and renames the binary to out. While it runs, a line every 30
// seconds says it is still going.
func goInstall(ctx context.Context, goBin string, t tool, out string, log *slog.Logger) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("emulate: build %s: %w", t.name, err)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(out), ".build-*")
	if err != nil {
		return fmt.Errorf("emulate: build %s: %w", t.name, err)
	}
	defer os.RemoveAll(tmpDir)
	cmd := exec.CommandContext(ctx, goBin, "install", t.pkg+"@"+t.version)
	cmd.Dir = tmpDir // outside any module or workspace
	cmd.Env = append(os.Environ(), "GOBIN="+tmpDir, "CGO_ENABLED=0", "GOWORK=off",
		"GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("emulate: go install %s@%s: %w", t.pkg, t.version, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	start := time.Now()
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("emulate: go install %s@%s: %w\n%s", t.pkg, t.version, err, bytes.TrimSpace(stderr.Bytes()))
			}
			if err := os.Rename(filepath.Join(tmpDir, t.name), out); err != nil {
				return fmt.Errorf("emulate: build %s: %w", t.name, err)
			}
			return nil
		case <-tick.C:
			log.Info("still building "+t.name, "for", time.Since(start).Round(time.Second))
		}
	}
}

// moduleRoot returns the directory of the hpsearch main module: the one
// this package's source file sits in, which works for tests and for
// binaries built in a checkout without -trimpath, or else the one
// containing the working directory (go env GOMOD), which works for a
// trimmed binary run inside the checkout. Otherwise the error is
// [ErrNoSource].
func moduleRoot(ctx context.Context) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	return moduleRootFrom(ctx, file)
}

// moduleRootFrom is moduleRoot for this source file at file, which a
// -trimpath build records as an import path.
func moduleRootFrom(ctx context.Context, file string) (string, error) {
	if filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if mod, err := modulePath(filepath.Join(root, "go.mod")); err == nil && mod == mainModule {
			return filepath.Clean(root), nil
		}
	}
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w: go env GOMOD: %v", ErrNoSource, err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("%w: the working directory is not inside a checkout of %s", ErrNoSource, mainModule)
	}
	if mod, _ := modulePath(gomod); mod != mainModule {
		return "", fmt.Errorf("%w: %s is module %q, not %s", ErrNoSource, gomod, mod, mainModule)
	}
	return filepath.Dir(gomod), nil
}

func modulePath(gomod string) (string, error) {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", gomod)
}

// WorkerBuildReady reports, without building, whether BuildWorker can
// run here: nil, or an error wrapping [ErrNoGo] when there is no go
// command, or [ErrNoSource] when the source tree is not at hand. The
// deploy command asks it before choosing to cross-compile.
func WorkerBuildReady(ctx context.Context) error {
	if _, err := exec.LookPath("go"); err != nil {
		return fmt.Errorf("%w (building the worker needs Go: https://go.dev/dl/)", ErrNoGo)
	}
	_, err := moduleRoot(ctx)
	return err
}

// BuildWorker builds the Lambda bootstrap in package pkg (an import path,
// or a path relative to the main module's root such as ./cmd/worker) for
// linux/goarch, statically linked and stripped, with the lambda.norpc tag
// that provided.al2023 functions use, and writes it to out. It needs the
// hpsearch source tree (see moduleRoot); without it the error is
// [ErrNoSource].
func BuildWorker(ctx context.Context, pkg, out, goarch string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if goarch == "" {
		goarch = runtime.GOARCH
	}
	return goBuild(ctx, root, out, []string{"GOOS=linux", "GOARCH=" + goarch},
		"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", pkg)
}

// goBuild runs go build -C dir, writing to a temporary name beside out and
// renaming it, so that concurrent builds and interrupted ones never leave
// a half-written binary at out.
func goBuild(ctx context.Context, dir, out string, env []string, args ...string) error {
	out, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("emulate: build: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("emulate: build: %w", err)
	}
	tmpDir, err := os.MkdirTemp(filepath.Dir(out), ".build-*")
	if err != nil {
		return fmt.Errorf("emulate: build: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmp := filepath.Join(tmpDir, filepath.Base(out))
	argv := append([]string{"build", "-C", dir, "-o", tmp}, args...)
	cmd := exec.CommandContext(ctx, "go", argv...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	cmd.Env = append(cmd.Env, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("emulate: go build %s: %w\n%s", args[len(args)-1], err, stderr.Bytes())
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("emulate: build: %w", err)
	}
	return nil
}
