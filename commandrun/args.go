package commandrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// ErrNotRunnable is wrapped by Check's error for a program that is not
// found or cannot be executed.
var ErrNotRunnable = errors.New("command cannot run")

// placeholder is {name} in an argument, as search validates it.
var placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Args returns the command's arguments (after the program) for params:
// each {name} naming a parameter replaced by its value (see ArgValue).
// A {name} naming no parameter is left as it is (the spec's validation
// refuses such a command).
func Args(command []string, params trial.Params) []string {
	out := make([]string, len(command))
	for i, a := range command {
		if !strings.Contains(a, "{") {
			out[i] = a
			continue
		}
		out[i] = placeholder.ReplaceAllStringFunc(a, func(m string) string {
			v, ok := params[m[1:len(m)-1]]
			if !ok {
				return m
			}
			return ArgValue(v)
		})
	}
	return out
}

// ArgValue renders a parameter value as a command argument: a float in
// the fewest digits that read back the same float64 (1e-06, 0.5, 3), an
// int in decimal, a bool as true or false, a string as it is.
func ArgValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// Check resolves the program, command[0], as the executor will: a name
// without a slash is looked up in PATH, a relative path is taken from
// dir (the spec file's directory). It returns the path to run, or an
// error wrapping ErrNotRunnable saying why it cannot be: not found, a
// directory, or not executable.
func Check(command []string, dir string) (string, error) {
	if len(command) == 0 || command[0] == "" {
		return "", fmt.Errorf("commandrun: %w: the command is empty", ErrNotRunnable)
	}
	prog := command[0]
	if !strings.Contains(prog, "/") {
		path, err := exec.LookPath(prog)
		if err != nil {
			return "", fmt.Errorf("commandrun: %w: %q is not found in PATH (give its path, such as ./%s, or install it)", ErrNotRunnable, prog, prog)
		}
		return path, nil
	}
	path := prog
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("commandrun: %w: %s does not exist (relative paths are taken from the spec file's directory, %s)", ErrNotRunnable, path, dir)
	case err != nil:
		return "", fmt.Errorf("commandrun: %w: %v", ErrNotRunnable, err)
	case fi.IsDir():
		return "", fmt.Errorf("commandrun: %w: %s is a directory", ErrNotRunnable, path)
	case fi.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("commandrun: %w: %s is not executable (chmod +x %s, or run it through its interpreter: [python3, %s])", ErrNotRunnable, path, prog, prog)
	}
	return path, nil
}
