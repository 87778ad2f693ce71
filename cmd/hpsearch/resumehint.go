package main

import (
	"fmt"
	"strings"
)

// sayResume tells on stderr how to continue the interrupted study in
// dir: the exact command, its directory quoted for a POSIX shell.
func sayResume(e *env, dir string) {
	fmt.Fprintf(e.stderr, "hpsearch: to continue the study: hpsearch resume %s\n", shellQuote(dir))
}

// shellQuote returns s as one word of a POSIX shell: unchanged when it
// holds only characters no shell treats specially, else in single
// quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
