package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/bestconfig"
)

func init() { register(newBestCmd) }

// newBestCmd builds "hpsearch best".
func newBestCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "best STUDY_DIR [--format json|yaml|sklearn]",
		Short: "print the best trial's configuration (JSON, spec YAML or scikit-learn)",
		Long: `Prints the configuration of the study's best trial (the first of its
leaderboard): its model family and every parameter, defaults filled in and
an early-stopping budget applied, with the preprocessing it ran with.
STUDY_DIR may be the s3:// URL of a study kept in S3.

  json     one object: study, trial, model, task, metric, params,
           preprocess, seed, score, fold_mean and fold_std (the default)
  yaml     model, preprocess and parameters as constants, to paste into a spec
  sklearn  a runnable Python snippet that assigns the equivalent
           scikit-learn estimator to estimator: a Pipeline with the same
           imputer and scaler, parameters translated (max_depth 0 is None,
           ...), comments where a family has no exact equivalent; the
           mapping of every family is in docs/sklearn.md

A study without a complete trial is exit 1; --format sklearn for a test
objective (branin, noop, ...) is exit 2.`,
		Example: `  hpsearch best hpsearch-runs/digits-knn-grid
  hpsearch best hpsearch-runs/digits-knn-grid --format sklearn > best.py
  hpsearch best s3://my-bucket/runs/digits-knn-grid --format yaml`,
	}
	fs := cmd.Flags()
	format := fs.String("format", "json", "`F`ormat: json, yaml or sklearn")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if len(pos) != 1 {
			return usageErr("want one STUDY_DIR, got %d arguments", len(pos))
		}
		if *format != "json" && *format != "yaml" && *format != "sklearn" {
			return usageErr("--format must be json, yaml or sklearn, got %q", *format)
		}
		// The leaderboard's first row, streamed as leaderboard --top 1
		// reads it: a 100,000-trial study in the memory of one row.
		spec, rows, err := loadTop(cmd.Context(), e, pos[0], 1)
		if err != nil {
			return err
		}
		best, err := bestconfig.Best(rows)
		if err != nil {
			return fmt.Errorf("%s has %w", pos[0], err)
		}
		c, err := bestconfig.FromResult(best, bestconfig.Study{
			Name: spec.Name, Task: spec.Task, Metric: spec.Metric, Preprocess: spec.Preprocess,
		})
		if err != nil {
			return err
		}
		switch *format {
		case "yaml":
			return bestconfig.WriteYAML(e.stdout, c)
		case "sklearn":
			return bestconfig.WriteSklearn(e.stdout, c)
		}
		return bestconfig.WriteJSON(e.stdout, c)
	}
	return cmd
}
