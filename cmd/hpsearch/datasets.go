package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newDatasetsCmd) }

// bundledDataset is one element of "datasets --json", in the snake_case
// keys of every JSON hpsearch prints.
type bundledDataset struct {
	Name     string     `json:"name"`
	Task     trial.Task `json:"task"`
	Rows     int        `json:"rows"`
	Features int        `json:"features"`
	// Classes is 0 for a regression dataset.
	Classes int    `json:"classes"`
	Target  string `json:"target"`
	Source  string `json:"source"`
}

// newDatasetsCmd builds "hpsearch datasets" and its subcommand push.
func newDatasetsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "datasets [--json]",
		Short: "list the bundled datasets, or push one to S3",
		Long: `Without a subcommand, lists the datasets built into hpsearch; a spec names
one with "dataset: NAME". "push" converts a dataset to hpsearch's compact
binary form and stores it in S3 under datasets/<sha256>, once.`,
		Example: `  hpsearch datasets
  hpsearch datasets push digits --bucket my-hpsearch-bucket`,
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	cmd.AddCommand(newDatasetsPushCmd(e))
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if len(pos) > 0 {
			return usageErr("unexpected argument %q", pos[0])
		}
		infos := datasets.Bundled()
		if *asJSON {
			out := make([]bundledDataset, len(infos))
			for i, d := range infos {
				out[i] = bundledDataset{Name: d.Name, Task: d.Task, Rows: d.Rows, Features: d.Features,
					Classes: d.Classes, Target: d.Target, Source: d.Source}
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTASK\tROWS\tFEATURES\tCLASSES\tTARGET\tSOURCE")
		for _, d := range infos {
			classes := "-"
			if d.Classes > 0 {
				classes = fmt.Sprint(d.Classes)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\n", d.Name, d.Task, d.Rows, d.Features, classes, d.Target, d.Source)
		}
		return tw.Flush()
	}
	return cmd
}
