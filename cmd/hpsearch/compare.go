package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

func init() { register(newCompareCmd) }

// newCompareCmd builds "hpsearch compare".
func newCompareCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "compare SPEC.yaml [flags]",
		Short: "run a study locally and on Lambda and compare time and cost",
		Long: `Runs the same study (same seed, same trials) twice, first on this machine
into DIR/NAME-local, then on the Lambda backend into DIR/NAME-lambda, and
prints for each side the wall time, trials per second, compute seconds
(CPU seconds locally, billed seconds on Lambda), cost, cost per trial and
best score, then the speedup and the cost ratio. It writes the comparison
to compare.json in both study directories, where 'hpsearch report' finds
it.

The Lambda side uses the standard AWS configuration and the HPSEARCH_*
variables: real Lambda after 'hpsearch deploy', or the local emulation
after 'hpsearch emulate' (paste its export lines first). The emulation runs
on this machine's cores, so the output adds a projection for real Lambda
at --concurrency: a model from the measured per-trial durations and cold
starts, bounded by Lambda's scaling rate (1,000 new environments per 10 s).

Lambda is priced from each invocation's REPORT line (billed duration, init
phase included, memory) at the us-east-1 list prices; the local machine at
--local-usd-per-hour for the wall time (default 0.0725, a c7g.large
on-demand instance in us-east-1: 2 vCPUs).`,
		Example: `  hpsearch emulate --workers 2 &     # then paste its export lines
  hpsearch compare examples/digits-knn-grid.yaml --concurrency 100`,
	}
	fs := cmd.Flags()
	dir := fs.String("dir", "hpsearch-runs", "parent `DIR` of the study directories")
	o := &overrides{}
	fs.StringVar(&o.name, "name", "", "study `NAME` (default: the spec's); sides are NAME-local, NAME-lambda")
	fs.IntVar(&o.maxTrials, "max-trials", 0, "number of trials `N` (default: the spec's)")
	fs.Int64Var(&o.seed, "seed", -1, "study seed `N` (default: the spec's)")
	concurrency := fs.Int("concurrency", 0, "`N` Lambda invocations at once (default $HPSEARCH_CONCURRENCY,\nthe spec's backend.concurrency, else 10)")
	parallel := fs.Int("parallel", 0, "`N` local trials at once (default: the spec's, else the CPU count)")
	arch := fs.String("arch", "", "price Lambda as `ARCH` arm64 or x86_64 (default: the spec's, else arm64)")
	memory := fs.Int("memory", 0, "price Lambda at `MB` when a REPORT line lacks Memory Size")
	pricesFile := fs.String("prices", "", "YAML or JSON price overrides `FILE` (see package cost)")
	localUSD := fs.Float64("local-usd-per-hour", -1, "price `X` of this machine per hour (default 0.0725)")
	freeTier := fs.Bool("free-tier", false, "subtract the monthly Lambda and S3 free tier")
	quiet := fs.Bool("quiet", false, "no progress output")
	asJSON := fs.Bool("json", false, "print the comparison as one JSON object")
	hideDefault(fs, "seed", "local-usd-per-hour")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		ctx := cmd.Context()
		if err := checkInts(fs, parallelBound, maxTrialsBound, seedBound, concurrencyBound, intBound{"memory", 128, 10240}); err != nil {
			return err
		}
		switch {
		case len(pos) != 1:
			return usageErr("want one SPEC.yaml, got %d arguments", len(pos))
		case s3journal.IsURL(*dir):
			return usageErr("compare keeps its two studies in local directories; --dir s3:// is for run")
		}
		prices, err := pricesFromFlags(*pricesFile, givenFloat(fs, "local-usd-per-hour", *localUSD), *freeTier)
		if err != nil {
			return err
		}
		spec, base, err := loadSpec(ctx, pos[0], o)
		if err != nil {
			return err
		}
		name := spec.Name
		localDir, lambdaDir := filepath.Join(*dir, name+"-local"), filepath.Join(*dir, name+"-lambda")
		for _, d := range []string{localDir, lambdaDir} {
			if _, err := os.Lstat(d); err == nil {
				return fmt.Errorf("compare: %w: %s (choose another name with --name, or another directory with --dir)", trial.ErrStudyExists, d)
			}
		}

		// Make sure the Lambda side can run before spending time on the local one.
		lx, err := interruptible(ctx, phaseBackend, func(ctx context.Context) (*lambdaexec.Executor, error) {
			return lambdaExecutor(ctx, spec, base, &backendFlags{concurrency: *concurrency, arch: *arch, memory: *memory})
		})
		if err != nil {
			if errors.Is(err, lambdaexec.ErrNotReady) {
				return fmt.Errorf("compare: %w%s", err, emulationHint())
			}
			return err
		}
		cfg, lambdaBase := lx.Config(), lx.Base
		var s3Gets, s3Puts int
		if base.Dataset != (worker.DatasetRef{}) {
			s3Gets, s3Puts = cost.DatasetPushGets, cost.DatasetPushPuts
		}

		localParallel := spec.Search.Parallel
		if *parallel > 0 {
			localParallel = *parallel
		}
		cpu0, cpuKnown := cost.ProcessCPUSeconds()
		spec.Name = name + "-local"
		local, err := runStudy(ctx, e, *dir, spec, base, &worker.Local{Worker: localWorker(), Base: *base}, localParallel, *quiet)
		if err != nil {
			return err
		}
		cpu1, _ := cost.ProcessCPUSeconds()

		spec.Name = name + "-lambda"
		lambdaBase.Study = spec.Name
		lx.Base = lambdaBase
		remote, err := runStudy(ctx, e, *dir, spec, base, lx, cfg.Concurrency, *quiet)
		if err != nil {
			return err
		}
		spec.Name = name

		localBackend := cost.Backend{Kind: cost.Local, WallSeconds: local.Wall.Seconds()}
		if cpuKnown {
			localBackend.CPUSeconds = cpu1 - cpu0
		}
		c := cost.Compare(
			cost.Run{Dir: localDir, Results: local.Results, Backend: localBackend},
			cost.Run{Dir: lambdaDir, Results: remote.Results, Backend: cost.Backend{
				Kind: cost.Lambda, MemoryMB: cfg.MemoryMB, Arch: cfg.Arch,
				WallSeconds: remote.Wall.Seconds(), S3Gets: s3Gets, S3Puts: s3Puts}},
			spec.Direction, cfg.Concurrency, prices)
		c.Study, c.Metric, c.Emulated = name, spec.Metric, emulated(os.Getenv)

		doc, err := json.MarshalIndent(c, "", "  ")
		if err != nil {
			return fmt.Errorf("compare: encode: %w", err)
		}
		doc = append(doc, '\n')
		for _, d := range []string{localDir, lambdaDir} {
			if err := os.WriteFile(filepath.Join(d, cost.ComparisonFile), doc, 0o644); err != nil {
				return fmt.Errorf("compare: %w", err)
			}
		}
		if *asJSON {
			_, err := e.stdout.Write(doc)
			return err
		}
		return writeComparison(e.stdout, c)
	}
	return cmd
}

// pricesFromFlags is the default price table with --prices, then the
// other price flags, applied; localUSD is nil when
// --local-usd-per-hour was not given.
func pricesFromFlags(file string, localUSD *float64, freeTier bool) (cost.Prices, error) {
	p := cost.DefaultPrices
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return p, fmt.Errorf("%w: --prices: %v", trial.ErrBadInput, err)
		}
		defer f.Close()
		if p, err = cost.ParsePrices(f, p); err != nil {
			var ie *trial.InputError
			if errors.As(err, &ie) && ie.File == "" {
				ie.File = file
				return p, ie
			}
			return p, fmt.Errorf("%s: %w", file, err)
		}
	}
	if localUSD != nil {
		p.LocalUSDPerHour = *localUSD
		p.LocalSource = "--local-usd-per-hour"
	}
	p.FreeTier = p.FreeTier || freeTier
	if err := p.Validate(); err != nil {
		var ie *trial.InputError
		if errors.As(err, &ie) && ie.Field == "local_usd_per_hour" {
			ie.File, ie.Field = "--local-usd-per-hour", ""
		}
		return p, err
	}
	return p, nil
}

// runStudy runs spec on exec into a new study directory dir/spec.Name, as
// hpsearch run does (base, the local request template, gives the dataset
// file spec.json records), and returns the outcome. An interruption is returned
// as an error: a comparison of half a study means nothing.
//
// It shares schedulerConfig with run, so stop rules apply alike.
func runStudy(ctx context.Context, e *env, dir string, spec *search.Spec, base *worker.Request, exec scheduler.Executor, parallel int, quiet bool) (scheduler.Outcome, error) {
	recorded := *spec
	recorded.Backend = recordBackend(spec.Backend, exec)
	specJSON, err := studySpecJSON(&recorded, base)
	if err != nil {
		return scheduler.Outcome{}, err
	}
	journal, err := results.Create(dir, spec.Name, spec.Raw(), specJSON)
	if err != nil {
		return scheduler.Outcome{}, err
	}
	defer journal.Close()
	sampler, err := search.NewSampler(spec)
	if err != nil {
		return scheduler.Outcome{}, err
	}
	cfg := schedulerConfig(spec, sampler, exec, journal, parallel)
	var progress *progressReporter
	if !quiet {
		progress = newProgress(e, spec, 0)
		cfg.Progress = progress.update
	}
	meterCost(progress, &cfg, 0)
	out, runErr := scheduler.Run(ctx, cfg)
	if progress != nil {
		progress.finish()
	}
	if err := journal.Close(); err != nil && runErr == nil {
		runErr = err
	}
	return out, runErr
}

// emulated reports whether the Lambda endpoint is on this machine.
func emulated(getenv func(string) string) bool {
	u, err := url.Parse(getenv("AWS_ENDPOINT_URL_LAMBDA"))
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// emulationHint says what to do when the Lambda backend is not ready.
func emulationHint() string {
	if os.Getenv("AWS_ENDPOINT_URL_LAMBDA") != "" {
		return fmt.Sprintf("\n(AWS_ENDPOINT_URL_LAMBDA is %s: is 'hpsearch emulate' still running there?)", os.Getenv("AWS_ENDPOINT_URL_LAMBDA"))
	}
	return "\n(to compare without an AWS account, run 'hpsearch emulate' in another shell and paste its export lines here first)"
}

// writeComparison prints c as a table for people.
func writeComparison(w io.Writer, c cost.Comparison) error {
	lambdaName := "lambda"
	if c.Emulated {
		lambdaName = "lambda (emulated)"
	}
	fmt.Fprintf(w, "compare %s: %d trials, %s (%s)\n\n", c.Study, c.Local.Trials, c.Metric, c.Direction)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tlocal\t%s\t\n", lambdaName)
	fmt.Fprintf(tw, "concurrency\t%s\t%d\t\n", "-", c.Concurrency)
	fmt.Fprintf(tw, "wall seconds\t%.2f\t%.2f\t\n", c.Local.WallSeconds, c.Lambda.WallSeconds)
	fmt.Fprintf(tw, "trials/s\t%.2f\t%.2f\t\n", c.Local.TrialsPerSecond, c.Lambda.TrialsPerSecond)
	fmt.Fprintf(tw, "compute seconds\t%.2f CPU\t%.2f billed\t\n", c.Local.ComputeSeconds, c.Lambda.ComputeSeconds)
	fmt.Fprintf(tw, "cost USD\t%s\t%s\t\n", cost.FormatUSD(c.Local.USD), cost.FormatUSD(c.Lambda.USD))
	fmt.Fprintf(tw, "cost/trial USD\t%s\t%s\t\n", cost.FormatUSD(c.Local.USDPerTrial), cost.FormatUSD(c.Lambda.USDPerTrial))
	fmt.Fprintf(tw, "failed trials\t%d\t%d\t\n", c.Local.Failed, c.Lambda.Failed)
	fmt.Fprintf(tw, "best %s\t%s\t%s\t\n", c.Metric, bestString(c.Local.Best), bestString(c.Lambda.Best))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	switch {
	case c.Local.Best == nil || c.Lambda.Best == nil:
		fmt.Fprintln(w, "best score: a side has no complete trial")
	case c.SameBest:
		fmt.Fprintf(w, "best score: equal on both sides")
	default:
		fmt.Fprintf(w, "best score: DIFFERS by %.6g (lambda - local)", c.BestScoreDifference)
	}
	if c.ScoresCompared > 0 {
		fmt.Fprintf(w, "; %d of %d trials scored identically", c.ScoresCompared-c.ScoresDiffering, c.ScoresCompared)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "speedup (local wall / lambda wall): %.2fx\n", c.Speedup)
	fmt.Fprintf(w, "cost ratio (lambda cost / local cost): %.2fx\n", c.CostRatio)

	p := c.Projection
	fmt.Fprintf(w, "\nPROJECTION for real Lambda at concurrency %d (a model from the measured durations, not a measurement):\n", p.Concurrency)
	fmt.Fprintf(w, "  %d trials in %d wave(s) on %d environments; a trial %.3f s warm + %.3f s invoke overhead; %s\n",
		p.Trials, p.Waves, p.ColdStarts, p.TrialSeconds, p.OverheadSeconds, p.DescribeColdStart())
	fmt.Fprintf(w, "  wall ~ %.2f s (%.1f trials/s), cost %s (%s a trial), speedup vs local %.1fx\n",
		p.WallSeconds, p.TrialsPerSecond, cost.FormatUSD(p.Cost.TotalUSD), cost.FormatUSD(p.Cost.PerTrialUSD), cost.Ratio(c.Local.WallSeconds, p.WallSeconds))
	if c.Emulated {
		fmt.Fprintln(w, "  (durations measured on the emulation, i.e. on this machine's cores, not on Lambda's vCPUs)")
	}
	pr := c.Prices
	fmt.Fprintf(w, "\nprices (%s, %s): Lambda %s %s/GB-s, %s per million requests; local %s/h (%s)",
		pr.Region, pr.Date, c.Arch, cost.FormatPrice(pr.GBSecond(c.Arch)), cost.FormatPrice(pr.LambdaPerMillionRequests), cost.FormatPrice(pr.LocalUSDPerHour), pr.LocalSource)
	if pr.FreeTier {
		fmt.Fprint(w, "; free tier subtracted")
	}
	fmt.Fprintf(w, "\nstudies: %s %s\n  hpsearch report %s -o report.html\n", c.Local.Dir, c.Lambda.Dir, c.Lambda.Dir)
	return nil
}

func bestString(b *cost.BestTrial) string {
	if b == nil {
		return "-"
	}
	return fmt.Sprintf("%.6g (trial %d)", b.Score, b.Trial)
}
