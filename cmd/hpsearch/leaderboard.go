package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newLeaderboardCmd) }

// newLeaderboardCmd builds "hpsearch leaderboard".
func newLeaderboardCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "leaderboard STUDY_DIR [--top K] [--format table|csv|json]",
		Short: "rank the trials of a study",
		Long: `Ranks a study's trials from its journal: complete trials best first, then
pruned, then failed. It reads the journal only, so it works while the study
is running and after a crash. STUDY_DIR may be the s3:// URL of a study
kept in S3 (run --dir s3://BUCKET/PREFIX). json prints an array, best first, each with
trial, state, model, params, score, seconds, fold_scores, fold_mean and
fold_std; the table's MEAN ± STD and csv's fold_mean and fold_std are the
folds' mean and population standard deviation (scikit-learn's
mean_test_score and std_test_score). The table shows control
characters in names and values as escapes (\x1b); in csv, a text cell that
starts with =, +, - or @ gets a leading ' so that spreadsheets do not run
it as a formula (numbers such as -0.5 stay numbers).`,
		Example: `  hpsearch leaderboard hpsearch-runs/digits-knn-grid --top 5
  hpsearch leaderboard s3://my-bucket/runs/digits-knn-grid`,
	}
	fs := cmd.Flags()
	top := fs.Int("top", 20, "show the best `K` trials (0 = all)")
	format := fs.String("format", "table", "`F`ormat: table, csv or json")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		if err := checkInts(fs, topBound); err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageErr("want one STUDY_DIR, got %d arguments", len(pos))
		}
		if *format != "table" && *format != "csv" && *format != "json" {
			return usageErr("--format must be table, csv or json, got %q", *format)
		}
		spec, rows, err := loadTop(ctx, e, pos[0], *top)
		if err != nil {
			return err
		}
		switch *format {
		case "csv":
			return results.WriteCSV(e.stdout, rows)
		case "json":
			return results.WriteJSON(e.stdout, rows)
		}
		return writeTable(e.stdout, rows, 0, spec.Metric)
	}
	return cmd
}

// loadStudy reads a study — a directory, or an s3:// URL — with every
// event (report.Load, loadS3Events), for the commands that need them
// (refit, estimate), printing the journal's warnings (a torn last record)
// on stderr.
func loadStudy(ctx context.Context, e *env, dir string) (*report.Study, error) {
	return readStudyWith(ctx, e, dir, report.Load, loadS3Events)
}

// readStudy reads a study directory with load (report.LoadTrials for
// what the report and the dashboard show, streamed), or an s3:// study
// streamed the same way (loadS3Study), printing the journal's warnings on
// stderr.
func readStudy(ctx context.Context, e *env, dir string, load func(context.Context, string) (*report.Study, error)) (*report.Study, error) {
	return readStudyWith(ctx, e, dir, load, loadS3Study)
}

// readStudyWith reads a study directory with load and an s3:// study
// with loadS3, printing the journal's warnings on stderr.
func readStudyWith(ctx context.Context, e *env, dir string, load, loadS3 func(context.Context, string) (*report.Study, error)) (*report.Study, error) {
	st, err := interruptible(ctx, phaseStudy, func(ctx context.Context) (*report.Study, error) {
		if s3journal.IsURL(dir) {
			return loadS3(ctx, dir)
		}
		return load(ctx, dir)
	})
	if err != nil {
		return nil, err
	}
	for _, w := range st.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", results.Printable(w))
	}
	return st, nil
}

// loadTop reads what leaderboard shows: the spec and the top rows (all
// when top <= 0) of a study directory, streaming its journal
// (results.ReadTop keeps the top rows, not the study: 100,000 trials in
// bounded memory), or of an s3:// study, streamed the same way by
// loadS3Top; the journal's warnings go to stderr.
func loadTop(ctx context.Context, e *env, dir string, top int) (*search.Spec, []results.Row, error) {
	if s3journal.IsURL(dir) {
		type loaded struct {
			spec *search.Spec
			rows []results.Row
		}
		l, err := interruptible(ctx, phaseStudy, func(ctx context.Context) (loaded, error) {
			spec, rows, err := loadS3Top(ctx, dir, top)
			return loaded{spec, rows}, err
		})
		return l.spec, l.rows, err
	}
	type loaded struct {
		spec     *search.Spec
		rows     []results.Row
		warnings []string
	}
	l, err := interruptible(ctx, phaseStudy, func(ctx context.Context) (loaded, error) {
		spec, err := studyDirSpec(dir)
		if err != nil {
			return loaded{}, err
		}
		rows, warnings, err := results.ReadTop(ctx, dir, spec.Direction, top)
		return loaded{spec, rows, warnings}, err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, w := range l.warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", results.Printable(w))
	}
	return l.spec, l.rows, nil
}

// studyDirSpec reads the spec of the study directory dir, or says that
// dir is no study directory (it has no spec.json or no journal), as
// report.Load does.
func studyDirSpec(dir string) (*search.Spec, error) {
	specPath := filepath.Join(dir, results.SpecJSONFile)
	b, err := os.ReadFile(specPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("%w: %s is not a study directory (it has no %s)", trial.ErrBadInput, dir, results.SpecJSONFile)
		}
		return nil, err
	}
	var spec search.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", trial.ErrBadInput, specPath, err)
	}
	if _, err := os.Stat(filepath.Join(dir, results.JournalFile)); err != nil {
		return nil, fmt.Errorf("%w: %s is not a study directory: %v", trial.ErrBadInput, dir, err)
	}
	return &spec, nil
}
