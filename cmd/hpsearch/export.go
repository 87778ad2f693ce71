package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
)

func init() { register(newExportCmd) }

// exportFormats maps --format to the TrialTable writer.
var exportFormats = map[string]func(*results.TrialTable, io.Writer) error{
	"csv":     (*results.TrialTable).WriteCSV,
	"jsonl":   (*results.TrialTable).WriteJSONL,
	"parquet": (*results.TrialTable).WriteParquet,
}

// newExportCmd builds "hpsearch export".
func newExportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export STUDY_DIR [--format csv|jsonl|parquet] [--output FILE]",
		Short: "write every trial of a study as CSV, JSON Lines or Parquet",
		Long: `Writes one row per trial, in trial order, for pandas, R or a spreadsheet:
number, state, model, seed, one params_NAME column per parameter (as
Optuna's trials_dataframe), score, fold_mean and fold_std (population
standard deviation, as scikit-learn's std_test_score), fold_0, fold_1, ...,
seconds, budget_name, budget and rung (early stopping), cost_usd (where the
backend reports it) and error (of a failed trial). A missing value is an
empty cell in CSV and null in JSON Lines and Parquet. pandas reads them
with read_csv, read_json(lines=True) and read_parquet, R with read.csv,
jsonlite::stream_in and arrow::read_parquet, without options. Text is
written as recorded (use leaderboard --format csv for a spreadsheet).

--format defaults to the --output file's extension (.csv, .jsonl,
.parquet), else csv. Parquet goes to a file (--output), not a terminal.
STUDY_DIR may be the s3:// URL of a study kept in S3.`,
		Example: `  hpsearch export hpsearch-runs/digits-knn-grid > trials.csv
  hpsearch export hpsearch-runs/digits-knn-grid --output trials.parquet
  python3 -c 'import pandas; print(pandas.read_csv("trials.csv").describe())'`,
	}
	fs := cmd.Flags()
	format := fs.String("format", "csv", "`F`ormat: csv, jsonl or parquet")
	output := fs.String("output", "", "write to `FILE` instead of stdout")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if len(pos) != 1 {
			return usageErr("want one STUDY_DIR, got %d arguments", len(pos))
		}
		if !fs.Changed("format") && *output != "" {
			if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(*output)), "."); exportFormats[ext] != nil {
				*format = ext
			}
		}
		write, ok := exportFormats[*format]
		if !ok {
			return usageErr("--format must be csv, jsonl or parquet, got %q", *format)
		}
		if *format == "parquet" && *output == "" && e.stdoutTTY {
			return usageErr("parquet is binary: give --output FILE (or redirect stdout)")
		}
		// The rows are most of what export holds: the soft memory limit
		// that report runs under (reportMemoryLimit, or heapPacer for an
		// s3:// study) keeps the heap near their size, not twice it,
		// while they are read and written.
		if limit := reportMemoryLimit(pos[0]); limit > 0 {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
		}
		pacer := newHeapPacer()
		defer pacer.restore()
		table, err := loadTable(cmd.Context(), e, pos[0], pacer.each)
		if err != nil {
			return err
		}
		if *output == "" {
			return write(table, e.stdout)
		}
		return writeFileAtomic(*output, func(w io.Writer) error { return write(table, w) })
	}
	return cmd
}

// loadTable reads the export table of a study — a directory, or an s3://
// URL — streaming its journal into the table's rows (a row a trial, not
// the events), and prints the journal's warnings on stderr. each, if not
// nil, is called after every event of an s3:// study.
func loadTable(ctx context.Context, e *env, dir string, each func()) (*results.TrialTable, error) {
	type loaded struct {
		table    *results.TrialTable
		warnings []string
	}
	l, err := interruptible(ctx, phaseStudy, func(ctx context.Context) (loaded, error) {
		if s3journal.IsURL(dir) {
			t, err := loadS3Table(ctx, dir, each)
			return loaded{table: t}, err
		}
		if _, err := studyDirSpec(dir); err != nil {
			return loaded{}, err
		}
		t, warnings, err := results.ReadTrialTable(ctx, dir)
		return loaded{t, warnings}, err
	})
	if err != nil {
		return nil, err
	}
	for _, w := range l.warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", results.Printable(w))
	}
	return l.table, nil
}

// writeFileAtomic writes path through write: to a temporary file in the
// same directory, renamed over path once complete, so that a failed
// export leaves no half-written file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, removes nothing
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
