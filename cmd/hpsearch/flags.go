package main

import (
	"math"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/hpsearch/hpsearch/search"
)

// intBound is the range of values a numeric flag accepts when it is
// given. A flag left out keeps its default, which need not be in the
// range (--seed's -1, "the spec's"), so only flags given are checked.
type intBound struct {
	name     string
	min, max int64
}

// maxCalibrate is the most trials --calibrate runs.
const maxCalibrate = 1000

// Bounds shared by the commands. --parallel and --max-trials take the
// bounds of the spec's search.parallel and search.max_trials, so a flag
// accepts exactly what the spec would; --concurrency sets the parallelism
// on Lambda, so it takes --parallel's.
var (
	parallelBound    = intBound{"parallel", 1, search.MaxParallel}
	maxTrialsBound   = intBound{"max-trials", 1, search.MaxTrialsLimit}
	concurrencyBound = intBound{"concurrency", 1, search.MaxParallel}
	seedBound        = intBound{"seed", 0, math.MaxInt64}
	// calibrateBound: a calibration is a few trials, run and not recorded.
	calibrateBound = intBound{"calibrate", 1, maxCalibrate}
	// topBound: --top 0 shows every row, as documented.
	topBound = intBound{"top", 0, math.MaxInt64}
)

// givenFloat returns &v if the flag name of fs was given, else nil.
func givenFloat(fs *pflag.FlagSet, name string, v float64) *float64 {
	given := false
	fs.Visit(func(f *pflag.Flag) { given = given || f.Name == name })
	if !given {
		return nil
	}
	return &v
}

// checkInts checks the numeric flags of fs that were given against their
// bounds: a value out of range is a usage error naming the flag, not a
// default in disguise.
func checkInts(fs *pflag.FlagSet, bounds ...intBound) error {
	given := map[string]string{}
	fs.Visit(func(f *pflag.Flag) { given[f.Name] = f.Value.String() })
	for _, b := range bounds {
		s, ok := given[b.name]
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return usageErr("--%s %s: not an integer", b.name, s)
		}
		switch {
		case n < b.min:
			return usageErr("--%s must be at least %d, not %d", b.name, b.min, n)
		case n > b.max:
			return usageErr("--%s must be at most %d, not %d", b.name, b.max, n)
		}
	}
	return nil
}
