package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print hpsearch's version and the revision it was built from",
		Long: `Prints the module version hpsearch was built as ("(devel)" when built from
a checkout), the VCS revision and whether the tree had uncommitted changes,
and the Go version. "hpsearch --version" prints the same.`,
		Example: "  hpsearch --version",
		RunE: func(_ *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageErr("unexpected argument %q", pos[0])
			}
			return runVersion(e)
		},
	}
}

// runVersion prints the version line of the running binary.
func runVersion(e *env) error {
	info, _ := debug.ReadBuildInfo()
	writeVersion(e.stdout, info)
	return nil
}

// writeVersion writes the version line of a binary built as info (nil
// when the binary has no build information):
//
//	hpsearch v1.2.0 (go1.24.1 linux/amd64)
//	hpsearch (devel) revision 0123abcd4567 modified 2026-12-06T19:00:00Z (go1.24.1 linux/amd64)
func writeVersion(w io.Writer, info *debug.BuildInfo) {
	version, goVersion := "unknown", runtime.Version()
	var revision, modified, when string
	if info != nil {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			case "vcs.time":
				when = s.Value
			}
		}
	}
	fmt.Fprintf(w, "hpsearch %s", version)
	if revision != "" {
		fmt.Fprintf(w, " revision %s", revision)
		if modified == "true" {
			fmt.Fprint(w, " modified")
		}
		if when != "" {
			fmt.Fprintf(w, " %s", when)
		}
	}
	fmt.Fprintf(w, " (%s %s/%s)\n", goVersion, runtime.GOOS, runtime.GOARCH)
}
