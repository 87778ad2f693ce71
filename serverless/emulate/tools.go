package emulate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// The tool versions pinned in the tools module's go.mod. A test checks
// that they match it; the cache of built binaries is keyed by them.
const (
	RIEVersion       = "v0.0.0-20261030222936-bef5c4ba774d"
	VersityGWVersion = "v1.8.0"
)

const (
	toolsModule = "github.com/hpsearch/hpsearch/tools"
	mainModule  = "github.com/hpsearch/hpsearch"
	riePkg      = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	gatewayPkg  = "github.com/versity/versitygw/cmd/versitygw"
)

// DefaultCacheDir returns $HPSEARCH_CACHE, or hpsearch under the user's
// cache directory (~/.cache/hpsearch on Linux).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("HPSEARCH_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("emulate: cache dir: %w", err)
	}
	return filepath.Join(d, "hpsearch"), nil
}

// ToolsDir returns the directory of the tools module, the separate Go
// module that pins the emulator's tools so that their dependencies stay
// out of the main module. It looks, in order, at $HPSEARCH_TOOLS_DIR; at
// ../../tools relative to this source file, which works for tests and for
// binaries built from a checkout without -trimpath; and at tools/ beside
// the go.mod of the main module containing the working directory (go env
// GOMOD), which works for a trimmed binary run inside the checkout.
func ToolsDir(ctx context.Context) (string, error) {
	if d := os.Getenv("HPSEARCH_TOOLS_DIR"); d != "" {
		return checkToolsDir(d)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		if d, err := checkToolsDir(filepath.Join(filepath.Dir(file), "..", "..", "tools")); err == nil {
			return d, nil
		}
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("emulate: locate tools module: go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("emulate: locate tools module: not inside the hpsearch module; run from the checkout or set HPSEARCH_TOOLS_DIR")
	}
	if mod, _ := modulePath(gomod); mod != mainModule {
		return "", fmt.Errorf("emulate: locate tools module: %s is module %q, not %s; set HPSEARCH_TOOLS_DIR", gomod, mod, mainModule)
	}
	return checkToolsDir(filepath.Join(filepath.Dir(gomod), "tools"))
}

// moduleRoot returns the main module's directory, the parent of the tools
// module.
func moduleRoot(ctx context.Context) (string, error) {
	d, err := ToolsDir(ctx)
	if err != nil {
		return "", err
	}
	root := filepath.Dir(d)
	if mod, err := modulePath(filepath.Join(root, "go.mod")); err != nil || mod != mainModule {
		return "", fmt.Errorf("emulate: %s is not the %s module", root, mainModule)
	}
	return root, nil
}

func checkToolsDir(d string) (string, error) {
	d, err := filepath.Abs(d)
	if err != nil {
		return "", fmt.Errorf("emulate: tools dir: %w", err)
	}
	mod, err := modulePath(filepath.Join(d, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("emulate: tools dir: %w", err)
	}
	if mod != toolsModule {
		return "", fmt.Errorf("emulate: tools dir %s holds module %q, want %s", d, mod, toolsModule)
	}
	return d, nil
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

// BuildTools builds aws-lambda-rie and versitygw for this machine from the
// tools module and returns their paths. The binaries are cached in
// cacheDir/tools under names that carry the pinned version and platform,
// so a second call, or a call after a version bump, builds only what is
// missing. An empty cacheDir means [DefaultCacheDir]. A cold build takes
// a minute or two on two cores.
func BuildTools(ctx context.Context, cacheDir string) (rie, versitygw string, err error) {
	if cacheDir == "" {
		if cacheDir, err = DefaultCacheDir(); err != nil {
			return "", "", err
		}
	}
	dir := filepath.Join(cacheDir, "tools")
	plat := runtime.GOOS + "-" + runtime.GOARCH
	rie = filepath.Join(dir, "aws-lambda-rie-"+RIEVersion+"-"+plat)
	versitygw = filepath.Join(dir, "versitygw-"+VersityGWVersion+"-"+plat)
	var tools string
	for _, b := range []struct{ pkg, out string }{{riePkg, rie}, {gatewayPkg, versitygw}} {
		if fi, err := os.Stat(b.out); err == nil && fi.Mode().IsRegular() {
			continue
		}
		if tools == "" {
			if tools, err = ToolsDir(ctx); err != nil {
				return "", "", err
			}
		}
		if err := goBuild(ctx, tools, b.out, nil, b.pkg); err != nil {
			return "", "", err
		}
	}
	return rie, versitygw, nil
}

// BuildWorker builds the Lambda bootstrap in package pkg (an import path,
// or a path relative to the main module's root such as ./cmd/worker) for
// linux/goarch, statically linked and stripped, with the lambda.norpc tag
// that provided.al2023 functions use, and writes it to out.
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
