package main

import (
	"context"
	"fmt"

	"github.com/hpsearch/hpsearch/search"
)

func init() {
	register(&command{
		name:    "validate",
		summary: "check a spec and print the size of its space",
		usage: `Usage: hpsearch validate SPEC.yaml

Checks a spec completely, as run does before any trial: the YAML, every
model and parameter against the models' declarations, the metric against
the task, the dataset file and its target column. Prints the size of the
space: the number of grid points, or "continuous". Exits 2 with the file,
line and field of the first problem.

Example:
  hpsearch validate examples/digits-knn-grid.yaml
`,
		run: runValidate,
	})
}

func runValidate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("validate")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one SPEC.yaml, got %d arguments", len(pos))
	}
	spec, _, err := loadSpec(ctx, pos[0], nil)
	if err != nil {
		return err
	}
	n, continuous := spec.Size()
	size := fmt.Sprintf("%d points", n)
	if continuous {
		size = "continuous"
	}
	fmt.Fprintf(e.stdout, "%s: ok\n  study: %s\n  models: %s\n  metric: %s (%s)\n  space: %s\n  search: %s, %d trials, %d in parallel, seed %d\n",
		pos[0], spec.Name, modelNames(spec), spec.Metric, spec.Direction, size,
		spec.Search.Method, spec.Search.MaxTrials, spec.Search.Parallel, spec.Search.Seed)
	return nil
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
