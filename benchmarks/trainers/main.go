// Command trainers benchmarks every hpsearch model family against its
// scikit-learn counterpart on the same data, the same folds and the same
// per-fold preprocessing, single-threaded on both sides.
//
// Our side runs each setting through worker.New(nil).Run, the code a trial
// runs, so the times include the worker's own overhead (gathering folds,
// fitting the scaler, scoring). The folds come from worker.Splits (5-fold,
// seed 0) and are written to JSON for the Python side (sklearn_side.py),
// which runs as a co-process when --peer is given: the two sides alternate
// repetition by repetition, so both see the same machine load.
//
//	go run ./benchmarks/trainers --data digits --peer --reps 3
//	go run ./benchmarks/trainers --data diabetes,synth20k --families ridge,knn --peer
//	go run ./benchmarks/trainers --gen-load /tmp/load --rows 1000000 --cols 50
//	go run ./benchmarks/trainers --load /tmp/load/load-1000000.parquet
//
// The table (markdown) goes to stdout, progress to stderr. The family
// table is rows in families.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "trainers:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "trainers:", err)
		if ctx.Err() != nil {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage:
  trainers [--data digits,diabetes,synth20k] [--families a,b] [--reps N] [--budget D] [--peer] [--python P] [--work DIR]
  trainers --gen-load DIR --rows N [--cols 50]   write DIR/load-N.csv and its Parquet twin DIR/load-N.parquet
  trainers --load FILE [--target label]          load FILE once; print seconds and peak RSS (VmHWM)
  trainers --to-binary FILE.csv                  write the loaded FILE's binary form (what a push uploads) to FILE.hpds
  trainers --load FILE.hpds [--whole]            decode it streamed from the file, as a worker does (--whole: read it all, then decode)

example:
  go run ./benchmarks/trainers --data digits --families knn,mlp --reps 3 --peer
`

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("trainers", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	var (
		data     = fs.String("data", "digits", "comma-separated data sets: digits, diabetes, synth20k (a classification and a regression set)")
		families = fs.String("families", "", "comma-separated families to run (default: all rows for the data)")
		reps     = fs.Int("reps", 3, "repetitions per row; the time is the minimum")
		budget   = fs.Duration("budget", 3*time.Minute, "stop repeating a row after this much time on both sides (at least one repetition)")
		peer     = fs.Bool("peer", false, "also run scikit-learn (sklearn_side.py) and compare")
		python   = fs.String("python", "/usr/bin/python3", "Python with scikit-learn, for --peer")
		work     = fs.String("work", "", "directory for the generated data, folds and plan (default: a temporary one, removed)")
		genLoad  = fs.String("gen-load", "", "write a load-benchmark CSV and Parquet pair into this directory and exit")
		rows     = fs.Int("rows", 1_000_000, "rows for --gen-load")
		cols     = fs.Int("cols", 50, "feature columns for --gen-load")
		load     = fs.String("load", "", "load this file with datasets.Load, print seconds and VmHWM, and exit")
		target   = fs.String("target", "label", "target column for --load")
		toBinary = fs.String("to-binary", "", "load this file and write its binary form beside it as .hpds, and exit")
		whole    = fs.Bool("whole", false, "for --load of a .hpds file: read the whole file into memory, then decode it (the worker before streaming)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	switch {
	case *load != "" && strings.HasSuffix(*load, ".hpds"):
		return measureBinaryLoad(os.Stdout, *load, *whole)
	case *load != "":
		return measureLoad(os.Stdout, *load, *target)
	case *toBinary != "":
		return writeBinary(*toBinary, *target)
	case *genLoad != "":
		return generateLoadPair(*genLoad, *rows, *cols)
	}
	if *reps < 1 {
		return fmt.Errorf("%w: --reps must be at least 1", errUsage)
	}
	rowsToRun, err := selectRows(split(*data), split(*families))
	if err != nil {
		return err
	}
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "hpsearch-trainers-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	b := &bench{dir: dir, reps: *reps, budget: *budget, log: log}
	if *peer {
		b.python = *python
	}
	return b.run(ctx, os.Stdout, rowsToRun)
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
