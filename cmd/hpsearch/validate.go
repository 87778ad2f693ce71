package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/search"
)

func init() { register(newValidateCmd) }

// newValidateCmd builds "hpsearch validate".
func newValidateCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate SPEC.yaml",
		Short: "check a spec and print the size of its space",
		Long: `Checks a spec completely, as run does before any trial: the YAML, every
model and parameter against the models' declarations, the metric against
the task, the dataset file and its target column. Prints the size of the
space: a grid's number of points, or for the other methods the number of
configurations they can propose, or "continuous". Exits 2 with the file,
line and field of the first problem.

With --estimate it also prints the expected wall time and, on Lambda, the
invocations, GB-seconds and cost range, as 'run --estimate' does: from
--calibrate N trials (default 3, run but not recorded) or from an earlier
study (--from STUDY_DIR). The backend flags of 'run' choose the backend.`,
		Example: `  hpsearch validate examples/digits-knn-grid.yaml
  hpsearch validate examples/digits-knn-grid.yaml --estimate --backend lambda`,
	}
	fs := cmd.Flags()
	est := fs.Bool("estimate", false, "also print the expected wall time and cost")
	calibrateN := fs.Int("calibrate", 3, "with --estimate, run `N` trials (not recorded) to measure them")
	from := fs.String("from", "", "with --estimate, measure the trials of an earlier study `STUDY_DIR`")
	var bf backendFlags
	bf.register(fs)
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		if err := checkInts(fs, calibrateBound, concurrencyBound); err != nil {
			return err
		}
		if len(pos) != 1 {
			return usageErr("want one SPEC.yaml, got %d arguments", len(pos))
		}
		spec, base, err := loadSpec(ctx, pos[0], nil)
		if err != nil {
			return err
		}
		for _, w := range spec.Warnings() {
			fmt.Fprintf(e.stderr, "warning: %s\n", w)
		}
		size := spaceSize(spec)
		fmt.Fprintf(e.stdout, "%s: ok\n  study: %s\n  models: %s\n  metric: %s (%s)\n  space: %s\n  search: %s, %d trials, %d in parallel, seed %d\n",
			pos[0], spec.Name, modelNames(spec), spec.Metric, spec.Direction, size,
			spec.Search.Method, spec.Search.MaxTrials, spec.Search.Parallel, spec.Search.Seed)
		if !*est {
			return nil
		}
		exec, parallel, err := newExecutor(ctx, spec, base, &bf, 0)
		if err != nil {
			return err
		}
		return estimate(ctx, e, spec, exec, parallel, *from, *calibrateN)
	}
	return cmd
}

// spaceSize describes the space the spec's search explores: a grid's
// number of points (a float range counts as its grid_points), the number
// of configurations random and the other methods can propose when the
// space is finite, or "continuous".
func spaceSize(s *search.Spec) string {
	if s.Search.Method == "grid" {
		n, _ := s.Size()
		return plural(n, "point")
	}
	if n, finite := s.Configurations(); finite {
		return plural(n, "configuration")
	}
	return "continuous"
}

// plural is "1 point", "2 points".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func modelNames(s *search.Spec) string {
	out := ""
	for i, m := range s.Models {
		if i > 0 {
			out += ", "
		}
		out += m.Model
	}
	return out
}
