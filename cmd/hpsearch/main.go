// Command hpsearch runs hyperparameter searches described in YAML, on this
// machine or with one AWS Lambda invocation per trial.
//
// The command line is a tree of spf13/cobra commands with pflag flags
// (flags may follow the positional arguments; --flag value and
// --flag=value both work). Each subcommand lives in its own file, which
// holds a constructor and registers it from init:
//
//	func init() { register(newPredictCmd) }
//
//	// newPredictCmd builds "hpsearch predict". It only declares flags:
//	// the work happens in RunE, so building the tree stays cheap.
//	func newPredictCmd(e *env) *cobra.Command {
//		cmd := &cobra.Command{
//			Use:     "predict STUDY_DIR DATA.csv [flags]",
//			Short:   "one line for the command list",
//			Long:    "What it does, paragraphs; its exit codes.",
//			Example: "  hpsearch predict hpsearch-runs/digits-knn-grid new.csv",
//		}
//		fs := cmd.Flags()
//		out := fs.StringP("out", "o", "-", "write the predictions to `FILE`")
//		cmd.RunE = func(cmd *cobra.Command, pos []string) error {
//			ctx := cmd.Context()
//			... // return errors (usageErr for usage); never os.Exit
//		}
//		return cmd
//	}
//
// Nothing else needs to change: help, completion and the suggestions for
// mistyped commands and flags come with the tree. A command writes to
// e.stdout and e.stderr (not os.Stdout), so tests can run it through
// runMain.
//
// This file maps errors to exit codes, the only place that does (exitCode):
// 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hpsearch/hpsearch/internal/editdist"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// env is what a command may touch of the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// stdoutTTY reports whether stdout is a terminal.
	stdoutTTY bool
	// specNames maps the path of a temporary copy of a spec to the name
	// its messages give (the s3:// URL of a study's spec.yaml).
	specNames map[string]string
	// datasetPaths maps the path of a study's spec.yaml to the absolute
	// path of the dataset file the study recorded (see datasetFile): the
	// spec may name it relative to a spec file that is elsewhere.
	datasetPaths map[string]string
}

// commands holds the constructors of the subcommands, in the order their
// files registered them (help lists them sorted by name).
var commands []func(*env) *cobra.Command

// register adds the constructor of a subcommand; call it from init. The
// constructor runs for every invocation (runMain builds a fresh tree, so
// no flag values leak between runs): it must only declare the command and
// its flags, and leave all work to RunE.
func register(newCmd func(*env) *cobra.Command) {
	commands = append(commands, newCmd)
}

// errUsage marks a usage error (exit code 2); its message is printed with
// the command's usage.
var errUsage = errors.New("usage")

// errNoCommand is bare "hpsearch": a usage error whose message is the
// usage itself.
var errNoCommand = fmt.Errorf("%w: no command", errUsage)

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

func main() {
	// First, and at the cost of one getenv: in a Lambda runtime this
	// executable is the function's bootstrap, not a command line.
	if lambdaBootstrap(os.Getenv, os.Args) {
		os.Exit(serveLambda())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stdoutTTY: isTerminal(os.Stdout)}
	os.Exit(runMain(ctx, e, os.Args[1:]))
}

// runMain runs the command line args and returns the exit code.
func runMain(ctx context.Context, e *env, args []string) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if cmd == nil {
		cmd = root
	}
	return exitCode(ctx, e, cmd, err)
}

// newRootCmd builds the command tree for one invocation.
func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "hpsearch",
		Short: "hyperparameter search, locally or on AWS Lambda",
		Long: `hpsearch - hyperparameter search, locally or on AWS Lambda

Runs the search a YAML spec describes, on this machine's cores or with one
AWS Lambda invocation per trial, and ranks the trials. Exit codes: 0 ok,
1 failure, 2 bad input or usage, 130 interrupted.`,
		Example: `  hpsearch run examples/digits-knn-grid.yaml --parallel 2
  source <(hpsearch completion bash)`,
		// Root runs only to print the version or to refuse what is not
		// a command, with a suggestion (cobra's own message is not a
		// usage error).
		Args:                       cobra.ArbitraryArgs,
		SuggestionsMinimumDistance: 2,
		SilenceErrors:              true, // exitCode prints them
		SilenceUsage:               true, // exitCode prints it, for usage errors only
	}
	version := root.Flags().BoolP("version", "v", false, "print the version and the revision hpsearch was built from")
	root.RunE = func(cmd *cobra.Command, args []string) error {
		switch {
		case *version:
			return runVersion(e)
		case len(args) == 0:
			return errNoCommand
		}
		msg := fmt.Sprintf("unknown command %q", args[0])
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += fmt.Sprintf("; did you mean %q?", s[0])
		}
		return usageErr("%s", msg)
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetIn(e.stdin)
	root.SetFlagErrorFunc(flagError)
	root.SetUsageTemplate(usageTemplate())
	seen := map[string]bool{}
	for _, newCmd := range commands {
		c := newCmd(e)
		if seen[c.Name()] {
			panic("hpsearch: command registered twice: " + c.Name())
		}
		seen[c.Name()] = true
		root.AddCommand(c)
	}
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c.Name() == "completion" {
		// cobra's completion command only prints its help when the
		// shell is missing or unknown: that is a usage error.
		c.Example = `  source <(hpsearch completion bash)                     # this shell
  hpsearch completion bash > /etc/bash_completion.d/hpsearch
  hpsearch completion zsh > "${fpath[1]}/_hpsearch"
  hpsearch completion fish > ~/.config/fish/completions/hpsearch.fish`
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("name a shell: bash, zsh, fish or powershell")
			}
			return usageErr("no completion for %q: the shells are bash, zsh, fish and powershell", args[0])
		}
	}
	return root
}

// hideDefault keeps help from showing the defaults of the named flags of
// fs: they are sentinels for "not given" (--seed -1 is the spec's seed),
// which the flag's usage explains in words.
func hideDefault(fs *pflag.FlagSet, names ...string) {
	for _, n := range names {
		fs.Lookup(n).DefValue = "0"
	}
}

// exitCode prints err, if any, and returns the exit code for it. A
// command that fails after ctx was cancelled (Ctrl-C, SIGTERM) was
// interrupted, whatever its error says: a phase that noticed the
// cancellation may have reported it in its own words.
func exitCode(ctx context.Context, e *env, cmd *cobra.Command, err error) int {
	name := cmd.CommandPath()
	switch {
	case err == nil:
		return 0
	case ctx.Err() != nil && !errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "%s: %s\n", name, printable(err))
		return 130
	case errors.Is(err, pflag.ErrHelp):
		// --help met by a flag set parsed outside cobra's own parsing (no
		// command does so today: cobra answers --help itself).
		cmd.SetOut(e.stdout)
		if err := cmd.Help(); err != nil {
			return 1
		}
		return 0
	case errors.Is(err, errNoCommand):
		fmt.Fprintf(e.stderr, "%s\n\n%s", cmd.Long, cmd.UsageString())
		return 2
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "%s: %s\n\n%s", name, strings.TrimPrefix(printable(err), "usage: "), cmd.UsageString())
		return 2
	case errors.Is(err, trial.ErrUnavailable):
		// Before ErrInterrupted: a study that stopped because its backend
		// stayed unavailable was not stopped by the user.
		fmt.Fprintf(e.stderr, "%s: %s\n", name, printable(err))
		return 1
	case errors.Is(err, trial.ErrInterrupted) || errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "%s: %s\n", name, printable(err))
		return 130
	case isBadInput(err):
		fmt.Fprintf(e.stderr, "%s: %s\n", name, printable(err))
		return 2
	default:
		fmt.Fprintf(e.stderr, "%s: %s\n", name, printable(err))
		return 1
	}
}

// isBadInput reports whether err is the user's to fix (exit 2): bad input,
// an existing study, a model or parameter name no family declares, or a
// file the user named that is missing or unreadable (a spec, a study
// directory, --from, --prices).
func isBadInput(err error) bool {
	for _, target := range []error{trial.ErrBadInput, trial.ErrStudyExists, trial.ErrUnknownModel,
		trial.ErrUnknownParam, fs.ErrNotExist, fs.ErrPermission} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// printable is err's message fit for a terminal: it may quote a spec, a
// journal or a path, whose control characters are shown as escapes.
func printable(err error) string { return results.PrintableLines(err.Error()) }

// flagError turns an error of pflag's into a usage error (exit 2) in
// hpsearch's words: an unknown flag gets the nearest flag of cmd as a
// suggestion ("--paralel" and Go's single-dash "-parallel" both suggest
// --parallel), and a value that does not parse names its flag.
func flagError(cmd *cobra.Command, err error) error {
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist):
		typed := notExist.GetSpecifiedName()
		if s := notExist.GetSpecifiedShortnames(); s != "" {
			typed = s // -parallel: pflag reads p, a, r, ... as shorthands
		}
		if s := nearestFlag(cmd.Flags(), typed); s != "" {
			return usageErr("%s; did you mean --%s?", err, s)
		}
	case errors.As(err, &invalid):
		// pflag says "invalid argument "x" for "--parallel" flag: must
		// be an integer"; say it as hpsearch's own checks do.
		name, value, cause := invalid.GetFlag().Name, invalid.GetValue(), errors.Unwrap(invalid)
		if strings.Contains(cause.Error(), value) {
			return usageErr("--%s: %w", name, cause) // --bucket: bucket name "X": ...
		}
		return usageErr("--%s %s: %w", name, value, cause)
	}
	return usageErr("%w", err)
}

// nearestFlag returns the name of the flag of fs that typed most likely
// meant, or "" when none is near: at most a third of its letters differ
// (at least one), or typed begins it.
func nearestFlag(fs *pflag.FlagSet, typed string) string {
	typed = strings.TrimLeft(typed, "-")
	if name, _, ok := strings.Cut(typed, "="); ok {
		typed = name
	}
	best, bestD := "", -1
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editdist.Levenshtein(typed, f.Name)
		if len(typed) >= 3 && strings.HasPrefix(f.Name, typed) {
			d = min(d, 1)
		}
		if bestD < 0 || d < bestD || d == bestD && f.Name < best {
			best, bestD = f.Name, d
		}
	})
	if bestD < 0 || bestD > max(1, len(typed)/3) {
		return ""
	}
	return best
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
