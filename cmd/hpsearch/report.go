package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"

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
		// An s3:// study's size is not known before it is read: the
		// limit follows the read instead.
		pacer := newHeapPacer()
		defer pacer.restore()
		st, err := readStudyWith(ctx, e, pos[0], report.LoadTrials, func(ctx context.Context, url string) (*report.Study, error) {
			return scanS3Study(ctx, url, pacer.each)
		})
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

// heapPacer is reportMemoryLimit for a read whose size is not known
// before it ends (a study kept in S3): every paceEvents events it sets
// the soft memory limit paceHeadroom above what the heap held live at
// the last collection, so that the collector runs each time the heap
// has grown by the headroom rather than when it has doubled (the default
// GOGC), and what a read keeps (a 100,000-trial study's trials or table
// rows, about 90 MB) peaks near its size plus the headroom. The limit
// only follows what is live, so a read is never held back by it. A nil
// heapPacer (GOMEMLIMIT sets a limit) does nothing.
type heapPacer struct {
	n      int
	old    int64
	sample []metrics.Sample
	// setLimit is debug.SetMemoryLimit.
	setLimit func(int64) int64
}

const (
	paceEvents   = 4096
	paceHeadroom = 40 << 20
)

// newHeapPacer returns a heapPacer, or nil when GOMEMLIMIT sets a limit.
func newHeapPacer() *heapPacer {
	if os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	p := &heapPacer{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, setLimit: debug.SetMemoryLimit}
	p.old = p.setLimit(-1) // a negative limit reads it
	return p
}

// each is called after each event read.
func (p *heapPacer) each() {
	if p == nil {
		return
	}
	if p.n++; p.n%paceEvents != 0 {
		return
	}
	metrics.Read(p.sample)
	if p.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p.setLimit(paceHeadroom + int64(p.sample[0].Value.Uint64()))
}

// restore puts back the limit there was before newHeapPacer, if the
// pacer changed it.
func (p *heapPacer) restore() {
	if p != nil && p.n >= paceEvents {
		p.setLimit(p.old)
	}
}
