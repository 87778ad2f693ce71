package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// subcommand returns the command name of a fresh tree built for e.
func subcommand(tb testing.TB, e *env, name string) *cobra.Command {
	tb.Helper()
	c, _, err := newRootCmd(e).Find([]string{name})
	if err != nil || c.Name() != name {
		tb.Fatalf("no command %q: %v", name, err)
	}
	return c
}

// The command line's conventions: help on stdout when asked for (exit 0),
// usage on stderr when it reports a mistake (exit 2), a suggestion for a
// mistyped command or flag, --version, and shell completion.
func TestCommandLine(t *testing.T) {
	spec := "../../examples/digits-knn-grid.yaml"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout []string // parts of stdout; nil: stdout is empty
		stderr []string // parts of stderr; nil: stderr is empty
	}{
		{name: "bare", args: nil, code: 2,
			stderr: []string{"Usage:", "Available Commands:", "run ", "Flags:"}},
		{name: "help", args: []string{"--help"}, code: 0,
			stdout: []string{"Usage:", "Available Commands:", "completion", "resume"}},
		{name: "help run", args: []string{"help", "run"}, code: 0,
			stdout: []string{"Usage:\n  hpsearch run SPEC.yaml [flags]", "Examples:\n  hpsearch run examples/digits-knn-grid.yaml --parallel 2", "--parallel N", "--backend B"}},
		{name: "run --help", args: []string{"run", "--help"}, code: 0,
			stdout: []string{"Runs the study:", "Examples:", "--max-trials N"}},
		{name: "run -h", args: []string{"run", "-h"}, code: 0, stdout: []string{"Runs the study:"}},
		{name: "resume --help", args: []string{"resume", "--help"}, code: 0,
			stdout: []string{"Continues a study", "hpsearch resume hpsearch-runs/digits-knn-grid --parallel 4"}},
		{name: "datasets push --help", args: []string{"datasets", "push", "--help"}, code: 0,
			stdout: []string{"hpsearch datasets push FILE_OR_NAME --bucket BUCKET", "--allow-missing"}},
		{name: "mistyped command", args: []string{"rnu", spec}, code: 2,
			stderr: []string{`hpsearch: unknown command "rnu"; did you mean "run"?`, "Usage:"}},
		{name: "mistyped flag", args: []string{"run", spec, "--paralel", "2"}, code: 2,
			stderr: []string{"hpsearch run: unknown flag: --paralel; did you mean --parallel?", "Usage:\n  hpsearch run SPEC.yaml [flags]"}},
		{name: "Go's single-dash flag", args: []string{"run", spec, "-parallel", "2"}, code: 2,
			stderr: []string{"did you mean --parallel?"}},
		{name: "mistyped flag with value", args: []string{"leaderboard", "x", "--fromat=json"}, code: 2,
			stderr: []string{"unknown flag: --fromat; did you mean --format?"}},
		{name: "mistyped flag of a subcommand", args: []string{"datasets", "push", "iris", "--bukket", "b"}, code: 2,
			stderr: []string{"did you mean --bucket?", "hpsearch datasets push FILE_OR_NAME"}},
		{name: "flag far from any", args: []string{"run", spec, "--zzzzzzzz"}, code: 2,
			stderr: []string{"unknown flag: --zzzzzzzz\n"}},
		{name: "value not a number", args: []string{"run", spec, "--parallel", "two"}, code: 2,
			stderr: []string{"--parallel two: must be an integer"}},
		{name: "flag=value", args: []string{"leaderboard", "x", "--format=yaml"}, code: 2,
			stderr: []string{`--format must be table, csv or json, got "yaml"`}},
		{name: "--version", args: []string{"--version"}, code: 0, stdout: []string{"hpsearch ", "linux/"}},
		{name: "-v", args: []string{"-v"}, code: 0, stdout: []string{"hpsearch "}},
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"hpsearch "}},
		{name: "version with an argument", args: []string{"version", "x"}, code: 2, stderr: []string{`unexpected argument "x"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, s := range []struct {
				name, got string
				want      []string
			}{{"stdout", stdout, tc.stdout}, {"stderr", stderr, tc.stderr}} {
				if s.want == nil && s.got != "" {
					t.Errorf("%s is not empty:\n%s", s.name, s.got)
				}
				for _, w := range s.want {
					if !strings.Contains(s.got, w) {
						t.Errorf("%s lacks %q:\n%s", s.name, w, s.got)
					}
				}
			}
		})
	}
}

// Every help text shows the same sections, from one template: each
// command's description, its usage line, an example and its flags.
func TestEveryCommandHelpHasOneStyle(t *testing.T) {
	for _, c := range newRootCmd(&env{}).Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		code, out, stderr := run(t, c.Name(), "--help")
		if code != 0 || stderr != "" {
			t.Errorf("%s --help: exit %d, stderr %q", c.Name(), code, stderr)
		}
		for _, want := range []string{"Usage:\n  hpsearch " + c.Name(), "Examples:\n  ", "Flags:\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s --help lacks %q:\n%s", c.Name(), want, out)
			}
		}
		if strings.Contains(out, "[=true|false]") {
			t.Errorf("%s --help shows pflag's [=true|false]:\n%s", c.Name(), out)
		}
		if c.Long == "" || !strings.HasPrefix(out, c.Long) {
			t.Errorf("%s --help does not start with its description:\n%s", c.Name(), out)
		}
	}
}

// hpsearch completion SHELL prints a completion script for the shell.
func TestCompletion(t *testing.T) {
	for _, tc := range []struct{ shell, marker string }{
		{"bash", "complete -o default -F __start_hpsearch hpsearch"},
		{"zsh", "#compdef hpsearch"},
		{"fish", "complete -c hpsearch"},
		{"powershell", "Register-ArgumentCompleter"},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			code, out, stderr := run(t, "completion", tc.shell)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if !strings.Contains(out, tc.marker) {
				t.Errorf("the %s script lacks %q:\n%.400s", tc.shell, tc.marker, out)
			}
		})
	}
	if code, _, stderr := run(t, "completion", "tcsh"); code != 2 || stderr == "" {
		t.Errorf("completion tcsh: exit %d, stderr %q; want 2 and a message", code, stderr)
	}
}

// The completion script asks hpsearch itself for candidates: commands,
// and the flags of the command being typed.
func TestCompletionCandidates(t *testing.T) {
	code, out, _ := run(t, "__complete", "r")
	if code != 0 || !strings.Contains(out, "run\t") || !strings.Contains(out, "resume\t") || !strings.Contains(out, "report\t") {
		t.Errorf("__complete r: exit %d:\n%s", code, out)
	}
	code, out, _ = run(t, "__complete", "run", "spec.yaml", "--par")
	if code != 0 || !strings.Contains(out, "--parallel") {
		t.Errorf("__complete run spec.yaml --par: exit %d:\n%s", code, out)
	}
}
