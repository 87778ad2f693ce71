package trial

import (
	"errors"
	"fmt"
)

// Sentinel errors shared across packages. Test for them with errors.Is.
var (
	// ErrBadInput marks an error caused by the user's input (a spec, a
	// dataset, a flag). The CLI maps it to exit code 2.
	ErrBadInput = errors.New("bad input")
	// ErrUnknownModel is returned for a model name no trainer registers.
	ErrUnknownModel = errors.New("unknown model")
	// ErrUnknownParam is returned for a parameter a model does not declare.
	ErrUnknownParam = errors.New("unknown parameter")
	// ErrStudyExists is returned when a study directory already exists.
	ErrStudyExists = errors.New("study already exists")
	// ErrInterrupted is returned when a study was stopped by the user.
	ErrInterrupted = errors.New("interrupted")
)

// InputError is bad input located in a file: the file, the 1-based line
// (0 when unknown), the field path (such as "parameters.n_neighbors.min")
// and what is wrong. It wraps ErrBadInput and, where given, a more
// specific sentinel.
type InputError struct {
	File  string
	Line  int
	Field string
	Msg   string
	Err   error // optional specific sentinel, such as ErrUnknownModel
}

func (e *InputError) Error() string {
	loc := e.File
	if loc == "" {
		loc = "<input>"
	}
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Unwrap lets errors.Is find ErrBadInput and the specific sentinel.
func (e *InputError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrBadInput, e.Err}
	}
	return []error{ErrBadInput}
}
