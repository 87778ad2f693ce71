package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

// Phases of a command that call code which may not honour cancellation:
// spec parsing and validation, dataset loaders that read a whole file,
// preparing the backend (pushing the dataset to S3), and reading a
// study's journal. Their names are those of EnvTestStall.
const (
	phaseSpec    = "spec"
	phaseDataset = "dataset"
	phaseBackend = "backend"
	phaseStudy   = "study"
)

// phaseDoing says what each phase does, for the message of an
// interruption.
var phaseDoing = map[string]string{
	phaseSpec:    "reading the spec",
	phaseDataset: "loading the dataset",
	phaseBackend: "preparing the backend",
	phaseStudy:   "reading the study",
}

// EnvTestStall is for tests only: when it names a phase (spec, dataset,
// backend or study), that phase writes "hpsearch: test: stalling in
// PHASE" on stderr and then never returns, ignoring cancellation, as a
// loader blocked on a file that never ends would. Tests use it to check
// that Ctrl-C is honoured in every phase without racing a clock.
const EnvTestStall = "HPSEARCH_TEST_STALL"

// interruptible runs f, one phase of a command, and returns its result,
// or, as soon as ctx is done, an error wrapping trial.ErrInterrupted that
// says which phase was interrupted. f gets ctx and should honour it, but
// need not: the loaders of spec files and datasets read to the end of
// their input. If it does not, it keeps running in its goroutine after
// interruptible has returned; the caller must then return at once,
// writing nothing, and the process exits (code 130) with f unfinished.
// That is why phases that write (creating a study) never run through
// interruptible: each of them finishes or undoes its writes itself.
func interruptible[T any](ctx context.Context, phase string, f func(ctx context.Context) (T, error)) (T, error) {
	type outcome struct {
		v   T
		err error
	}
	if ctx.Err() != nil {
		var zero T
		return zero, interruptedIn(phase)
	}
	done := make(chan outcome, 1) // buffered: an abandoned f does not block
	go func() {
		stallForTest(phase)
		v, err := f(ctx)
		done <- outcome{v, err}
	}()
	select {
	case o := <-done:
		if o.err != nil && ctx.Err() != nil {
			// f noticed the cancellation, perhaps without wrapping it.
			return o.v, interruptedIn(phase)
		}
		return o.v, o.err
	case <-ctx.Done():
		var zero T
		return zero, interruptedIn(phase)
	}
}

// interruptedIn is the error of an interruption during phase.
func interruptedIn(phase string) error {
	doing := phaseDoing[phase]
	if doing == "" {
		doing = phase
	}
	return fmt.Errorf("%w while %s; nothing was written", trial.ErrInterrupted, doing)
}

// stallForTest implements EnvTestStall.
func stallForTest(phase string) {
	if os.Getenv(EnvTestStall) != phase {
		return
	}
	fmt.Fprintf(os.Stderr, "hpsearch: test: stalling in %s\n", phase)
	time.Sleep(time.Duration(math.MaxInt64))
}
