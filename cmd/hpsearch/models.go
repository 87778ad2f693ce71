package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/trainers"
	_ "github.com/hpsearch/hpsearch/trainers/zoo" // registers every model family
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newModelsCmd) }

// newModelsCmd builds "hpsearch models".
func newModelsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models [--json] [MODEL...]",
		Short: "list the model families with their parameters",
		Long: `Lists every model family: the tasks it handles and each parameter's type,
allowed range or choices, and default. Parameters marked [budget] can be
used as the training budget of successive halving.`,
		Example: "  hpsearch models knn random_forest",
	}
	asJSON := cmd.Flags().Bool("json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, names []string) error {
		infos := trainers.Catalog.Models()
		if len(names) > 0 {
			infos = infos[:0:0]
			for _, n := range names {
				info, ok := trainers.Catalog.Model(n)
				if !ok {
					return fmt.Errorf("%w %q; known models: %s", trial.ErrUnknownModel, n, strings.Join(trainers.Names(), ", "))
				}
				infos = append(infos, info)
			}
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(infos)
		}
		for i, m := range infos {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			tasks := make([]string, len(m.Tasks))
			for j, t := range m.Tasks {
				tasks[j] = string(t)
			}
			kind := strings.Join(tasks, ", ")
			if m.Objective {
				kind = "test objective, minimized, no dataset"
			}
			fmt.Fprintf(e.stdout, "%s (%s)\n", m.Name, kind)
			if m.Help != "" {
				fmt.Fprintf(e.stdout, "  %s\n", m.Help)
			}
			switch {
			case m.FreeForm && m.Extra != nil:
				fmt.Fprintf(e.stdout, "  accepts more parameters, each %s %s\n", m.Extra.Kind, trainers.RangeString(*m.Extra))
			case m.FreeForm:
				fmt.Fprintln(e.stdout, "  accepts any float, int or categorical parameters")
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, p := range m.Param {
				allowed := trainers.RangeString(p)
				if p.Kind == trial.Categorical {
					cs := make([]string, len(p.Choices))
					for j, c := range p.Choices {
						cs[j] = trial.FormatValue(c)
					}
					allowed = strings.Join(cs, "|")
					if p.AlsoNumeric {
						allowed += " or " + trainers.RangeString(p)
					}
				}
				if p.Kind == trial.Bool {
					allowed = "true|false"
				}
				budget := ""
				if p.Budget {
					budget = "[budget]"
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\tdefault %s\t%s\n", p.Name, p.Kind, allowed, trial.FormatValue(p.Default), budget)
			}
			tw.Flush()
		}
		return nil
	}
	return cmd
}
