package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/report"
	"github.com/hpsearch/hpsearch/results"
)

func init() { register(newReportCmd) }

// newReportCmd builds "hpsearch report".
func newReportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report STUDY_DIR -o OUT [--format html|png|svg] [flags]",
		Short: "write a study's report: one self-contained HTML file, or PNG charts",
		Long: `Reads a study directory, or the s3:// URL of a study kept in S3, and
writes its report. html (the default) is one
self-contained file that opens without network access: the charts of
'hpsearch dashboard' (inlined, interactive), the leaderboard,
the best score over time and over trial number, the score against each
parameter (log axes for log parameters), a parallel-coordinates view of the
top trials, the rungs of an early-stopping study, the cost and time, and
the local-versus-Lambda comparison when 'hpsearch compare' ran the study.
png writes the charts as PNG files into the directory OUT, for papers and
READMEs; svg as SVG files.`,
		Example: `  hpsearch report hpsearch-runs/digits-knn-grid -o report.html
  hpsearch report hpsearch-runs/digits-knn-grid --format png -o figures/`,
	}
	fs := cmd.Flags()
	var out string
	fs.StringVarP(&out, "out", "o", "", "the HTML file, or the directory for PNG files, `OUT` (\"-\": stdout, html only)")
	format := fs.String("format", "html", "`F`ormat: html, png or svg")
	top := fs.Int("top", 50, "leaderboard rows `K` in the HTML (0 = all)")
	pricesFile := fs.String("prices", "", "YAML or JSON price overrides `FILE` for the cost section")
	localUSD := fs.Float64("local-usd-per-hour", -1, "price `X` of this machine per hour (default 0.0725)")
	hideDefault(fs, "local-usd-per-hour")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		if err := checkInts(fs, topBound); err != nil {
			return err
		}
		switch {
		case len(pos) != 1:
			return usageErr("want one STUDY_DIR, got %d arguments", len(pos))
		case out == "":
			return usageErr("-o OUT is required")
		case *format != "html" && *format != "png" && *format != "svg":
			return usageErr("--format must be html, png or svg, got %q", *format)
		case *format != "html" && out == "-":
			return usageErr("--format %s writes files into a directory; -o - is for html", *format)
		}
		prices, err := pricesFromFlags(*pricesFile, givenFloat(fs, "local-usd-per-hour", *localUSD), false)
		if err != nil {
			return err
		}
		if limit := reportMemoryLimit(pos[0]); limit > 0 {
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
		}
		st, err := readStudy(ctx, e, pos[0], report.LoadTrials)
		if err != nil {
			return err
		}
		st.Prices = &prices
		if *format == "png" || *format == "svg" {
			write := report.WritePNG
			if *format == "svg" {
				write = report.WriteSVG
			}
			paths, err := write(out, st)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(e.stdout, p)
			}
			return nil
		}
		if out == "-" {
			return report.WriteHTML(e.stdout, st, report.Options{Top: *top})
		}
		// Written beside the target and renamed into place, so a failure
		// leaves an earlier report at that path as it was.
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		f, err := os.CreateTemp(filepath.Dir(out), ".report-*.html")
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer os.Remove(f.Name())
		if err := report.WriteHTML(f, st, report.Options{Top: *top}); err != nil {
			f.Close()
			return err
		}
		if err := f.Chmod(0o644); err != nil {
			f.Close()
			return fmt.Errorf("report: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := os.Rename(f.Name(), out); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintln(e.stdout, out)
		return nil
	}
	return cmd
}

// reportMemoryLimit is the soft memory limit report runs under for the
// study directory dir, unless GOMEMLIMIT sets one (or dir is no
// directory: -1 leaves the runtime's). What a study's trials hold
// streamed is about one and a half times its journal's size; with the
// limit, the collector runs before the heap doubles that (the default
// GOGC), so a 100,000-trial study's report peaks near 140 MB rather than
// 210 MB for the same CPU. A study that holds more than the limit still
// reports: the runtime caps the collector's share of the CPU.
func reportMemoryLimit(dir string) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return -1
	}
	fi, err := os.Stat(filepath.Join(dir, results.JournalFile))
	if err != nil {
		return -1
	}
	return 40<<20 + fi.Size()*3/2
}
