package preprocess

import (
	"errors"
	"fmt"
	"math"

	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
)

// Errors returned by this package. Both also wrap trial.ErrBadInput: they
// are caused by the spec or the dataset.
var (
	// ErrUnknownMethod is returned for a scaling or imputation name this
	// package does not implement.
	ErrUnknownMethod = errors.New("unknown preprocessing method")
	// ErrMissing is returned when a matrix has missing (NaN) cells and no
	// imputation was asked for.
	ErrMissing = errors.New("missing values")
	// ErrEmpty is returned when a step is fitted on no rows.
	ErrEmpty = errors.New("no rows to fit on")
)

// Step is one preprocessing step. Fit learns its statistics from the
// training rows; Transform returns a new matrix and leaves its input
// untouched. Transform panics when called before Fit or with a different
// number of columns: that is a programming error. A Step is not safe for
// concurrent use while fitting; a fitted Step may Transform concurrently.
type Step interface {
	Fit(X trainers.Matrix) error
	Transform(X trainers.Matrix) trainers.Matrix
}

// Scale names.
const (
	Standard = "standard"
	MinMax   = "minmax"
	None     = "none"
)

// Imputation strategies.
const (
	Mean         = "mean"
	Median       = "median"
	MostFrequent = "most_frequent"
)

// ScaleFor returns the scaling to apply for a spec's scale setting:
// requested itself, or, when it is empty, the family's default (see
// trainers.Scaled), or None.
func ScaleFor(requested string, f trainers.Family) string {
	if requested != "" {
		return requested
	}
	if s, ok := f.(trainers.Scaled); ok {
		return s.DefaultScale()
	}
	return None
}

func badInput(sentinel error, format string, args ...any) error {
	return fmt.Errorf("preprocess: %w: %w: %s", sentinel, trial.ErrBadInput, fmt.Sprintf(format, args...))
}

// checkFitted panics unless stats, one per column, were fitted and X has
// as many columns.
func checkFitted(step string, stats []float64, X trainers.Matrix) {
	if stats == nil {
		panic("preprocess: " + step + ".Transform before Fit")
	}
	if X.Cols != len(stats) {
		panic(fmt.Sprintf("preprocess: %s fitted on %d columns, transforming %d", step, len(stats), X.Cols))
	}
}

// hasMissing returns the first row and column holding a NaN.
func hasMissing(X trainers.Matrix) (row, col int, ok bool) {
	for i, v := range X.Data {
		if math.IsNaN(v) {
			return i / X.Cols, i % X.Cols, true
		}
	}
	return 0, 0, false
}
