package emulate

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// fakeGo puts on PATH, alone, a go command that "installs" a package by
// writing a script named after it into $GOBIN, and records each call's
// arguments and environment in the returned log file. With fail set it
// fails instead, as a build without network would.
func fakeGo(tb testing.TB, fail bool) (log string) {
	tb.Helper()
	bin := tb.TempDir()
	log = filepath.Join(tb.TempDir(), "calls")
	script := `#!/bin/sh
echo "$* GOBIN=$GOBIN CGO_ENABLED=$CGO_ENABLED GOWORK=$GOWORK GOOS=$GOOS PWD=$(pwd)" >> "$FAKE_GO_LOG"
`
	if fail {
		script += "echo 'go: module lookup disabled' >&2\nexit 1\n"
	} else {
		script += `pkg=${2%@*}
printf '#!/bin/sh\n' > "$GOBIN/${pkg##*/}"
/bin/chmod +x "$GOBIN/${pkg##*/}"
`
	}
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("PATH", bin)
	tb.Setenv("FAKE_GO_LOG", log)
	tb.Setenv("HPSEARCH_RIE", "")
	tb.Setenv("HPSEARCH_VERSITYGW", "")
	return log
}

func readCalls(tb testing.TB, log string) []string {
	tb.Helper()
	b, err := os.ReadFile(log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestInstallToolsWithGoInstall: with neither a cache nor the tools on
// PATH, and no source tree needed, each tool is built once with go
// install of its pinned version into the cache (a relative cache is made
// absolute), saying so on the log; a second call uses the cache.
func TestInstallToolsWithGoInstall(t *testing.T) {
	calls := fakeGo(t, false)
	work := t.TempDir()
	t.Chdir(work)
	var progress bytes.Buffer
	log := slog.New(slog.NewTextHandler(&progress, nil))
	tools, err := InstallTools(context.Background(), ToolsOptions{CacheDir: "cache", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	plat := runtime.GOOS + "-" + runtime.GOARCH
	want := Tools{
		RIE:       filepath.Join(work, "cache", "tools", "aws-lambda-rie-"+RIEVersion+"-"+plat),
		VersityGW: filepath.Join(work, "cache", "tools", "versitygw-"+VersityGWVersion+"-"+plat),
	}
	if tools != want {
		t.Errorf("tools %+v, want %+v", tools, want)
	}
	for _, p := range []string{tools.RIE, tools.VersityGW} {
		if _, err := executable(p); err != nil {
			t.Errorf("no tool installed: %v", err)
		}
	}
	got := readCalls(t, calls)
	if len(got) != 2 {
		t.Fatalf("go ran %d times, want 2: %q", len(got), got)
	}
	for i, tl := range []tool{rieTool, gatewayTool} {
		for _, w := range []string{"install " + tl.pkg + "@" + tl.version + " ", "CGO_ENABLED=0", "GOWORK=off", "GOOS=" + runtime.GOOS, "GOBIN=" + filepath.Join(work, "cache", "tools", ".build-")} {
			if !strings.Contains(got[i], w) {
				t.Errorf("go call %q does not contain %q", got[i], w)
			}
		}
		for _, w := range []string{"building " + tl.name + " " + tl.version + " with go install (first start only, about a minute)", "built " + tl.name + " in "} {
			if !strings.Contains(progress.String(), w) {
				t.Errorf("progress does not say %q:\n%s", w, progress.String())
			}
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(work, "cache", "tools", ".build-*")); len(entries) > 0 {
		t.Errorf("build directories left behind: %v", entries)
	}

	progress.Reset()
	again, err := InstallTools(context.Background(), ToolsOptions{CacheDir: "cache", Log: log})
	if err != nil || again != want {
		t.Errorf("second call: %+v, %v; want %+v", again, err, want)
	}
	if n := len(readCalls(t, calls)); n != 2 {
		t.Errorf("go ran again with the tools cached (%d calls)", n)
	}
	if progress.Len() > 0 {
		t.Errorf("a cached start logged: %s", progress.String())
	}
}

// TestInstallToolsRefuses: the errors say what is missing and what to do.
func TestInstallToolsRefuses(t *testing.T) {
	t.Run("no go", func(t *testing.T) {
		fakeGo(t, false)
		t.Setenv("PATH", t.TempDir())
		_, err := InstallTools(context.Background(), ToolsOptions{CacheDir: t.TempDir()})
		if !errors.Is(err, ErrNoGo) {
			t.Fatalf("error %v, want ErrNoGo", err)
		}
		for _, w := range []string{"aws-lambda-rie " + RIEVersion, "go.dev/dl", "HPSEARCH_RIE"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
	})
	t.Run("go install fails", func(t *testing.T) {
		fakeGo(t, true)
		_, err := InstallTools(context.Background(), ToolsOptions{CacheDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "go install "+riePkg+"@"+RIEVersion) || !strings.Contains(err.Error(), "module lookup disabled") {
			t.Errorf("error %v, want the go install command and its output", err)
		}
	})
	t.Run("named binary missing", func(t *testing.T) {
		fakeGo(t, false)
		t.Setenv("HPSEARCH_VERSITYGW", filepath.Join(t.TempDir(), "nope"))
		_, err := InstallTools(context.Background(), ToolsOptions{CacheDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "HPSEARCH_VERSITYGW=") {
			t.Errorf("error %v, want one naming HPSEARCH_VERSITYGW", err)
		}
	})
}

// TestInstallToolsNamedAndOnPath: a binary named by HPSEARCH_RIE is used
// as is (made absolute); one on PATH only at the pinned version, so a
// versitygw of unknown version on PATH is built over, saying why.
func TestInstallToolsNamedAndOnPath(t *testing.T) {
	calls := fakeGo(t, false)
	work := t.TempDir()
	t.Chdir(work)
	if err := os.WriteFile("my-rie", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HPSEARCH_RIE", "my-rie")
	onPath := filepath.Join(work, "path")
	if err := os.Mkdir(onPath, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(onPath, "versitygw"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+onPath)
	var progress bytes.Buffer
	tools, err := InstallTools(context.Background(), ToolsOptions{CacheDir: "cache", Log: slog.New(slog.NewTextHandler(&progress, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if tools.RIE != filepath.Join(work, "my-rie") {
		t.Errorf("rie %s, want the one HPSEARCH_RIE names", tools.RIE)
	}
	if tools.VersityGW != gatewayTool.cached(filepath.Join(work, "cache", "tools")) {
		t.Errorf("versitygw %s, want the pinned build", tools.VersityGW)
	}
	got := readCalls(t, calls)
	if len(got) != 1 || !strings.Contains(got[0], gatewayPkg+"@") {
		t.Errorf("go calls %q, want one, for versitygw", got)
	}
	if !strings.Contains(progress.String(), "versitygw on PATH is not the pinned version") || !strings.Contains(progress.String(), "HPSEARCH_VERSITYGW") {
		t.Errorf("progress does not say why versitygw on PATH was not used:\n%s", progress.String())
	}
}

func TestPinnedVersion(t *testing.T) {
	bi := func(path, mod, v string) *debug.BuildInfo {
		return &debug.BuildInfo{Path: path, Main: debug.Module{Path: mod, Version: v}}
	}
	tests := []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{bi(gatewayPkg, gatewayModule, VersityGWVersion), VersityGWVersion},
		{bi(gatewayPkg, gatewayModule, "v1.7.0"), "v1.7.0"},
		{bi(gatewayPkg, gatewayModule, "(devel)"), "(devel)"},
		{bi("example.com/versitygw", "example.com", VersityGWVersion), "another program"},
		{bi(riePkg, rieModule, RIEVersion), "another program"},
	}
	for _, tt := range tests {
		if got := pinnedVersion(tt.bi, gatewayTool); got != tt.want {
			t.Errorf("pinnedVersion(%s %s %s) = %q, want %q", tt.bi.Path, tt.bi.Main.Path, tt.bi.Main.Version, got, tt.want)
		}
	}
}

// TestModuleRootWithoutSource: a binary built with -trimpath (which
// records this file as an import path) run outside the source tree cannot
// build the worker, and says so with ErrNoSource; inside the checkout it
// finds the module root.
func TestModuleRootWithoutSource(t *testing.T) {
	const trimmed = "github.com/hpsearch/hpsearch/serverless/emulate/tools.go"
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("in the checkout", func(t *testing.T) {
		t.Chdir(filepath.Join(root, "serverless"))
		if got, err := moduleRootFrom(context.Background(), trimmed); err != nil || got != root {
			t.Errorf("moduleRootFrom = %q, %v; want %s", got, err, root)
		}
	})
	t.Run("elsewhere", func(t *testing.T) {
		t.Chdir(t.TempDir())
		_, err := moduleRootFrom(context.Background(), trimmed)
		if !errors.Is(err, ErrNoSource) {
			t.Errorf("error %v, want ErrNoSource", err)
		}
	})
}
