// Command hpsearch runs hyperparameter searches described in YAML, on this
// machine or with one AWS Lambda invocation per trial.
//
// Each subcommand lives in its own file and registers itself in init. This
// file maps errors to exit codes, the only place that does: 0 ok, 1 runtime
// failure, 2 bad input or usage, 130 interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
)

// command is one subcommand. run gets the arguments after the command name
// and returns an error; it never calls os.Exit.
type command struct {
	name    string
	summary string
	usage   string // full help text, with an example
	run     func(ctx context.Context, env *env, args []string) error
}

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

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("hpsearch: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks a usage error (exit code 2); its message is printed with
// the command's usage.
var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stdoutTTY: isTerminal(os.Stdout)}
	os.Exit(runMain(ctx, e, os.Args[1:]))
}

// runMain runs the command line args and returns the exit code.
func runMain(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		// A usage error: the overview goes where errors go.
		writeOverview(e.stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprint(e.stdout, c.usage)
				return 0
			}
		}
		writeOverview(e.stdout)
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "-v" {
		args = append([]string{"version"}, args[1:]...)
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "hpsearch: unknown command %q\n\n", args[0])
		writeOverview(e.stderr)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	return exitCode(ctx, e, c, err)
}

// exitCode prints err, if any, and returns the exit code for it. A
// command that fails after ctx was cancelled (Ctrl-C, SIGTERM) was
// interrupted, whatever its error says: a phase that noticed the
// cancellation may have reported it in its own words.
func exitCode(ctx context.Context, e *env, c *command, err error) int {
	switch {
	case err == nil:
		return 0
	case ctx.Err() != nil && !errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "hpsearch %s: %s\n", c.name, printable(err))
		return 130
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, c.usage)
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(e.stderr, "hpsearch %s: %s\n\n%s", c.name, strings.TrimPrefix(printable(err), "usage: "), c.usage)
		return 2
	case errors.Is(err, trial.ErrUnavailable):
		// Before ErrInterrupted: a study that stopped because its backend
		// stayed unavailable was not stopped by the user.
		fmt.Fprintf(e.stderr, "hpsearch %s: %s\n", c.name, printable(err))
		return 1
	case errors.Is(err, trial.ErrInterrupted) || errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "hpsearch %s: %s\n", c.name, printable(err))
		return 130
	case isBadInput(err):
		fmt.Fprintf(e.stderr, "hpsearch %s: %s\n", c.name, printable(err))
		return 2
	default:
		fmt.Fprintf(e.stderr, "hpsearch %s: %s\n", c.name, printable(err))
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

func writeOverview(w io.Writer) {
	fmt.Fprint(w, "hpsearch - hyperparameter search, locally or on AWS Lambda\n\nUsage: hpsearch COMMAND [ARGS]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nRun 'hpsearch COMMAND --help' for a command's flags and an example,\n'hpsearch --version' for the version.\n")
}

// newFlags returns a FlagSet for command c that reports errors instead of
// exiting, and prints nothing itself.
func newFlags(c string) *flag.FlagSet {
	flags := flag.NewFlagSet(c, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	return flags
}

// parseFlags parses args, allowing flags after positional arguments
// (hpsearch run spec.yaml --parallel 4), and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageErr("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
