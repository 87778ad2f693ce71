package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/cost"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newRunCmd) }

// runSummary is the --json output of run.
type runSummary struct {
	Study       string          `json:"study"`
	Dir         string          `json:"dir"`
	Metric      string          `json:"metric"`
	Direction   trial.Direction `json:"direction"`
	Best        *bestTrial      `json:"best"`
	Trials      trialCounts     `json:"trials"`
	StopReason  string          `json:"stop_reason,omitempty"`
	WallSeconds float64         `json:"wall_seconds"`
	// Failures lists why trials failed, most common first (all reasons,
	// not only those the text summary shows).
	Failures []failureReason `json:"failures,omitempty"`
	// LambdaCost is what the study's results cost, on the Lambda backend
	// only: cost_usd, cost_per_trial_usd, billed_gb_seconds.
	*LambdaCost
}

// failureReason is one element of runSummary.Failures: see
// results.FailureReason.
type failureReason struct {
	Reason  string `json:"reason"`
	Count   int    `json:"count"`
	Trial   int    `json:"trial"`
	Example string `json:"example"`
}

type bestTrial struct {
	Trial  int          `json:"trial"`
	Model  string       `json:"model"`
	Params trial.Params `json:"params"`
	Score  float64      `json:"score"`
}

type trialCounts struct {
	Complete int `json:"complete"`
	Pruned   int `json:"pruned"`
	Failed   int `json:"failed"`
}

// newRunCmd builds "hpsearch run".
func newRunCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run SPEC.yaml [flags]",
		Short: "run a study described by a YAML spec",
		Long: `Runs the study: validates the spec completely, creates the study directory
DIR/NAME (spec.yaml, spec.json and an append-only journal), runs the trials
with at most --parallel at once, and prints the top of the leaderboard.
When a study of models ends, its best trial is refitted on every row and
the model stored in DIR/NAME/model (see hpsearch refit; --no-refit).
Progress goes to stderr: a bar on a terminal, plain lines otherwise.

With --dir s3://BUCKET/PREFIX the study is kept in S3 instead, where
hpsearch resume s3://BUCKET/PREFIX/NAME continues it from any machine.

Exit codes: 0 ok, 1 failure (also a study that ended without a complete
trial: the summary lists why trials failed), 2 bad spec or usage, 130
interrupted (Ctrl-C: in-flight trials are cancelled and the journal stays
consistent).`,
		Example: "  hpsearch run examples/digits-knn-grid.yaml --parallel 2",
	}
	fs := cmd.Flags()
	dir := fs.String("dir", "hpsearch-runs", "parent `DIR` of the study directory, or s3://BUCKET/PREFIX")
	o := &overrides{}
	fs.StringVar(&o.name, "name", "", "study `NAME`, overriding the spec's name")
	fs.IntVar(&o.parallel, "parallel", 0, "`N` trials at once (default: the spec's, else the CPU count)")
	fs.IntVar(&o.maxTrials, "max-trials", 0, "number of trials `N` (default: the spec's)")
	fs.Int64Var(&o.seed, "seed", -1, "study seed `N` (default: the spec's)")
	top := fs.Int("top", 10, "leaderboard rows `K` to print (0 = all)")
	quiet := fs.Bool("quiet", false, "no progress output")
	asJSON := fs.Bool("json", false, "print one JSON object with the outcome on stdout")
	resume := fs.Bool("resume", false, "if the study exists, continue it (see hpsearch resume); the spec must\ndescribe the same search. It runs on the backend the study recorded")
	changeBackend := fs.Bool("change-backend", false, "with --resume, allow the backend flags to run the study on another\nbackend than its own (said on stderr)")
	wantEstimate := fs.Bool("estimate", false, "print the expected wall time, invocations, GB-seconds and cost, from\n--calibrate trials or --from an earlier study, and exit without running")
	calibrateN := fs.Int("calibrate", 3, "with --estimate, run `N` trials (not recorded) to measure them")
	noRefit := fs.Bool("no-refit", false, "do not refit the best trial on every row when the study ends (search.refit: false;\nsee hpsearch refit)")
	from := fs.String("from", "", "with --estimate, measure the trials of an earlier study `STUDY_DIR`")
	var bf backendFlags
	bf.register(fs)
	hideDefault(fs, "seed")
	cmd.RunE = func(cmd *cobra.Command, pos []string) (err error) {
		ctx := cmd.Context()
		if err := checkInts(fs, parallelBound, maxTrialsBound, seedBound, topBound, calibrateBound, concurrencyBound); err != nil {
			return err
		}
		stopProfile, err := startProfiles(os.Getenv)
		if err != nil {
			return err
		}
		defer func() {
			if perr := stopProfile(); perr != nil && err == nil {
				err = perr
			}
		}()
		if len(pos) != 1 {
			return usageErr("want one SPEC.yaml, got %d arguments", len(pos))
		}
		if s3journal.IsURL(*dir) {
			if _, err := s3journal.Parse(*dir); err != nil {
				return err
			}
		}
		o.file = e.specNames[pos[0]]
		o.datasetPath = e.datasetPaths[pos[0]]
		spec, base, err := loadSpec(ctx, pos[0], o)
		if err != nil {
			return err
		}
		for _, w := range spec.Warnings() {
			fmt.Fprintf(e.stderr, "warning: %s\n", results.Printable(w))
		}
		var api s3journal.API // for a study kept in S3
		if s3journal.IsURL(*dir) {
			region := bf.region
			if r, ok := spec.Backend["region"].(string); ok && region == "" && os.Getenv(lambdaexec.EnvRegion) == "" {
				region = r // the order the Lambda backend takes it in
			}
			if api, err = newS3Client(ctx, region); err != nil {
				return err
			}
		}
		var changedFrom *studyBackend // the study's own backend, when this resume runs on another
		if !*resume {
			if *changeBackend {
				return usageErr("--change-backend applies to a resume (--resume, or hpsearch resume)")
			}
			if err := refuseExisting(ctx, api, *dir, spec.Name); err != nil {
				return err
			}
		} else {
			stored, found, err := storedSpec(ctx, api, *dir, spec.Name)
			if err != nil {
				return err
			}
			if found {
				if changedFrom, err = resumeBackend(stored.Backend, &bf, *changeBackend); err != nil {
					return err
				}
				inheritWorkdir(spec, stored)
			}
		}
		// The executor is built, and the Lambda backend checked and the
		// dataset pushed, before the study directory exists: a backend that
		// is not ready leaves nothing behind.
		exec, parallel, err := newExecutor(ctx, spec, base, &bf, o.parallel)
		if err != nil {
			return err
		}
		if *wantEstimate {
			return estimate(ctx, e, spec, exec, parallel, *from, *calibrateN)
		}
		spec.Backend = recordBackend(spec.Backend, exec)
		if changedFrom != nil {
			sayBackendChanged(e, *changedFrom, backendOf(spec.Backend))
		}
		specJSON, err := studySpecJSON(spec, base)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		st, err := openStudy(ctx, e, api, *dir, spec, specJSON, *resume, lostResults(exec, spec), *top)
		if err != nil {
			return err
		}
		defer st.close()
		if st.finished {
			return st.writeFinished(e, spec, *top, *asJSON)
		}
		if err := storeResults(ctx, exec, st); err != nil {
			return err
		}
		journal := st.journal
		sampler, err := search.NewSampler(spec)
		if err != nil {
			return err
		}
		if sampler, err = startCommandStudy(spec, exec, sampler, journal.Dir()); err != nil {
			return err
		}
		var progress *progressReporter
		if !*quiet {
			progress = newProgress(e, spec, st.doneBefore())
		}
		cfg := schedulerConfig(spec, sampler, exec, journal, parallel)
		if progress != nil {
			cfg.Progress = progress.update
		}
		meterCost(progress, &cfg, st.priorUSD)
		cfg.PriorScan = st.priorScan
		// The summary is kept as the results come, not as a list of them.
		tally := newRunTally(spec, *top)
		cfg.OnResult = tally.Add
		out, runErr := scheduler.Run(ctx, cfg)
		if progress != nil {
			progress.finish()
		}
		if err := journal.Close(); err != nil && runErr == nil {
			runErr = err
		}
		fetchCommandLogs(ctx, e, spec, exec, journal.Dir())
		if runErr != nil && !errors.Is(runErr, trial.ErrInterrupted) {
			return runErr
		}
		if *asJSON {
			if err := writeTalliedJSON(e.stdout, journal.Dir(), spec, out, tally); err != nil {
				return err
			}
		} else {
			writeTalliedText(e.stdout, journal.Dir(), spec, out, tally, *top)
		}
		if errors.Is(runErr, trial.ErrInterrupted) {
			sayResume(e, journal.Dir())
		}
		if err := studyErr(runErr, journal.Dir(), out.Summary, *asJSON); err != nil {
			return err
		}
		// The refit takes the best ranked trial: the top rows hold it.
		out.Results = rowResults(tally.Rows())
		return refitAtEnd(ctx, e, api, journal.Dir(), spec, exec, out, *noRefit, *asJSON)
	}
	return cmd
}

// runRun runs "hpsearch run" with the command line args (resume's way
// in): a usage error in args is one of the caller's.
func runRun(ctx context.Context, e *env, args []string) error {
	cmd := newRunCmd(e)
	cmd.SetContext(ctx)
	if err := cmd.ParseFlags(args); err != nil {
		return flagError(cmd, err)
	}
	return cmd.RunE(cmd, cmd.Flags().Args())
}

// studyErr is the error a study that ran ends with: the scheduler's,
// runErr, when it has one (an interruption stays one, exit 130; an
// outage stays an outage), otherwise that of checkCompleted.
func studyErr(runErr error, dir string, s results.Summary, asJSON bool) error {
	if runErr != nil {
		return runErr
	}
	return checkCompleted(dir, s, asJSON)
}

// errNoComplete is the failure of a study that ended without a complete
// trial: it has no best trial and no result to use (exit 1).
var errNoComplete = errors.New("no trial completed")

// checkCompleted returns errNoComplete, saying why, when the study in
// dir ended (whatever stopped it) without a complete trial; the reasons
// trials failed were printed with its summary, in the JSON's failures
// when asJSON.
func checkCompleted(dir string, s results.Summary, asJSON bool) error {
	if s.Complete > 0 {
		return nil
	}
	where := "the reasons are listed above"
	if asJSON {
		where = `the reasons are in the JSON's "failures"`
	}
	var what string
	switch {
	case s.Pruned > 0:
		what = fmt.Sprintf("%d pruned below the full budget and %d failed; no configuration was run to early_stopping's max (raise max_trials)", s.Pruned, s.Failed)
	case s.Failed > 0:
		what = fmt.Sprintf("all %d failed (%s; each trial's error: hpsearch leaderboard %s)", s.Failed, where, dir)
	default:
		what = "none finished"
		if s.StopReason != "" {
			what += " before the study stopped (" + s.StopReason + ")"
		}
	}
	return fmt.Errorf("%w: %s", errNoComplete, what)
}

// refuseExisting fails when the study name exists in dir, a directory or
// an s3:// URL (then read through api), before anything is prepared for
// it.
func refuseExisting(ctx context.Context, api s3journal.API, dir, name string) error {
	path := filepath.Join(dir, name)
	exists := false
	if s3journal.IsURL(dir) {
		parent, err := s3journal.Parse(dir)
		if err != nil {
			return err
		}
		if err := results.CheckStudyName(name); err != nil {
			return err
		}
		loc := parent.Join(name)
		path = loc.String()
		if exists, err = s3journal.Exists(ctx, api, loc); err != nil {
			return err
		}
	} else if _, err := os.Stat(path); err == nil {
		exists = true
	}
	if exists {
		return fmt.Errorf("%w: %s (choose another study name with `name:` in the spec or --name, or another directory with --dir; --resume continues it)",
			trial.ErrStudyExists, path)
	}
	return nil
}

// schedulerConfig is the scheduler's configuration for a study: the one
// place that turns a spec's search and stop settings into it, for run,
// resume and compare alike.
func schedulerConfig(spec *search.Spec, sampler scheduler.Sampler, exec scheduler.Executor, store results.Store, parallel int) scheduler.Config {
	return scheduler.Config{
		Sampler:   sampler,
		Executor:  exec,
		Store:     store,
		Parallel:  parallel,
		MaxTrials: spec.Search.MaxTrials,
		MaxFailed: spec.Stop.MaxFailedTrials,
		Stop: scheduler.StopRules{Target: spec.Stop.Target, Patience: spec.Stop.Patience,
			MaxTime: spec.Stop.Timeout(), MaxCost: spec.Stop.MaxCost},
		Direction: spec.Direction,
		Seed:      func(n int) uint64 { return search.TrialSeed(spec.Search.Seed, n) },
		// backend.outage_timeout; see backend.go.
		OutageTimeout: outageTimeout(exec),
	}
}

// runTally is the summary of a study's results that run prints, kept as
// the results come: a results.Tally of its leaderboard's top rows and
// failures, and on the Lambda backend a cost.Meter of what they cost, so
// that neither holds every result.
type runTally struct {
	*results.Tally
	cost *cost.Meter // nil unless the study runs on Lambda
}

// Add tallies the study's next result.
func (t *runTally) Add(r trial.Result) {
	t.Tally.Add(r)
	if t.cost != nil {
		t.cost.Add(r)
	}
}

// costBreakdown is the study's cost for its summary: nil unless it ran on
// Lambda (see costBackend).
func (t *runTally) costBreakdown() *cost.Breakdown {
	if t.cost == nil {
		return nil
	}
	b := t.cost.Breakdown(cost.DefaultPrices)
	return &b
}

// newRunTally returns the summary of a study's results that run prints,
// with the top rows of its leaderboard (all when top <= 0).
func newRunTally(spec *search.Spec, top int) *runTally {
	t := &runTally{Tally: results.NewTally(spec.Direction, top, false)}
	if b, ok := costBackend(spec); ok {
		t.cost = cost.NewMeter(b)
	}
	return t
}

// talliedResults tallies rs as newRunTally's tally would have.
func talliedResults(spec *search.Spec, rs []trial.Result, top int) *runTally {
	t := newRunTally(spec, top)
	for _, r := range rs {
		t.Add(r)
	}
	return t
}

// rowResults returns the results of rows, in order.
func rowResults(rows []results.Row) []trial.Result {
	rs := make([]trial.Result, len(rows))
	for i, r := range rows {
		rs[i] = r.Result
	}
	return rs
}

// writeRunJSON writes run's --json for the study out, whose Results are
// all its results.
func writeRunJSON(w io.Writer, dir string, spec *search.Spec, out scheduler.Outcome) error {
	return writeTalliedJSON(w, dir, spec, out, talliedResults(spec, out.Results, 1))
}

// writeTalliedJSON writes run's --json for the study out, whose results
// t has tallied.
func writeTalliedJSON(w io.Writer, dir string, spec *search.Spec, out scheduler.Outcome, t *runTally) error {
	s := runSummary{
		Study: spec.Name, Dir: dir, Metric: spec.Metric, Direction: spec.Direction,
		Trials:      trialCounts{Complete: out.Complete, Pruned: out.Pruned, Failed: out.Failed},
		StopReason:  out.StopReason,
		WallSeconds: out.Wall.Seconds(),
		LambdaCost:  newLambdaCost(t.costBreakdown()),
	}
	for _, f := range t.Failures() {
		s.Failures = append(s.Failures, failureReason{Reason: f.Reason, Count: f.Count, Trial: f.Trial, Example: f.Example})
	}
	if b := out.Best; b != nil {
		s.Best = &bestTrial{Trial: b.Number, Model: b.Model, Params: b.Params, Score: b.Score}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// writeRunText writes run's summary of the study out, whose Results are
// all its results, with the top rows of its leaderboard (all when top <=
// 0).
func writeRunText(w io.Writer, dir string, spec *search.Spec, out scheduler.Outcome, top int) {
	writeTalliedText(w, dir, spec, out, talliedResults(spec, out.Results, top), top)
}

// writeTalliedText writes run's summary of the study out, whose results
// t has tallied with top rows.
func writeTalliedText(w io.Writer, dir string, spec *search.Spec, out scheduler.Outcome, t *runTally, top int) {
	fmt.Fprintf(w, "study %s: %d complete, %d pruned, %d failed in %.1fs", results.Printable(spec.Name), out.Complete, out.Pruned, out.Failed, out.Wall.Seconds())
	switch out.StopReason {
	case "":
	case scheduler.StopExhausted:
		fmt.Fprintf(w, " (%s: every configuration in the space has been tried)", out.StopReason)
	default:
		fmt.Fprintf(w, " (%s)", out.StopReason)
	}
	fmt.Fprintln(w)
	arch, _ := spec.Backend["arch"].(string)
	writeCostLine(w, t.costBreakdown(), arch)
	if failures := t.Failures(); len(failures) > 0 {
		results.WriteFailures(w, failures)
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s (%s)\n\n", results.Printable(spec.Metric), spec.Direction)
	rows := t.Rows()
	writeTable(w, rows, top, spec.Metric)
	if more := t.Total() - len(rows); more > 0 && len(rows) > 0 {
		// writeTable counts the rows it was given and left out; the rest
		// were never kept.
		what := "trials"
		if configurations(rows) {
			what = "configurations"
		}
		if more == 1 {
			what = strings.TrimSuffix(what, "s")
		}
		fmt.Fprintf(w, "... %d more %s\n", more, what)
	}
	fmt.Fprintf(w, "\nresults in %s\n  hpsearch leaderboard %s\n", dir, dir)
}

// progressReporter shows a study's progress on stderr: a progress bar on a
// terminal, otherwise a plain line at most every two seconds. A resumed
// study's bar runs over the trials left (its rate and time to go count
// only the trials this run finishes) and its description says how many
// were done before; the plain line counts all of them, with the
// scheduler's rate of new trials.
type progressReporter struct {
	w         io.Writer
	bar       *progressbar.ProgressBar
	spec      *search.Spec
	prior     int        // trials with a final result before this run (a resume)
	cost      *costMeter // the study's cost so far; nil when not shown
	lastPrint time.Time
	last      scheduler.Snapshot
}

// newProgress returns the reporter of a study of which prior trials were
// done before this run.
func newProgress(e *env, spec *search.Spec, prior int) *progressReporter {
	p := &progressReporter{w: e.stderr, spec: spec, prior: prior}
	if f, ok := e.stderr.(*os.File); ok && isTerminal(f) {
		p.bar = newProgressBar(e.stderr, spec, prior)
	}
	return p
}

// newProgressBar returns the progress bar of a study run after prior
// trials were done, written to w.
func newProgressBar(w io.Writer, spec *search.Spec, prior int) *progressbar.ProgressBar {
	total := -1 // unbounded: a spinner
	if spec.Search.MaxTrials > 0 {
		total = max(spec.Search.MaxTrials-prior, 1)
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(results.Printable(spec.Name)),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("trials"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionFullWidth(),
	)
}

func (p *progressReporter) update(s scheduler.Snapshot) {
	p.last = s
	if p.bar != nil {
		p.bar.Describe(p.describe(s))
		_ = p.bar.Set(max(s.Done-p.prior, 0))
		return
	}
	if time.Since(p.lastPrint) >= 2*time.Second {
		p.lastPrint = time.Now()
		fmt.Fprintln(p.w, p.line(s))
	}
}

func (p *progressReporter) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		return
	}
	if p.last.Done > 0 {
		fmt.Fprintln(p.w, p.line(p.last))
	}
}

func (p *progressReporter) describe(s scheduler.Snapshot) string {
	d := results.Printable(p.spec.Name)
	if p.prior > 0 {
		d += fmt.Sprintf(" (%d done before)", p.prior)
	}
	d += fmt.Sprintf(" running %d failed %d", s.Executing, s.Failed)
	if s.Best != nil {
		d += fmt.Sprintf(" best %s %.4g", results.Printable(p.spec.Metric), s.Best.Score)
	}
	if c := p.costText(); c != "" {
		d += " " + c
	}
	return d
}

func (p *progressReporter) line(s scheduler.Snapshot) string {
	total := "?"
	if s.Total > 0 {
		total = fmt.Sprint(s.Total)
	}
	l := fmt.Sprintf("%s: %d/%s done, %d running, %d failed, %.1f trials/s", results.Printable(p.spec.Name), s.Done, total, s.Executing, s.Failed, s.TrialsPerSecond)
	if s.Best != nil {
		l += fmt.Sprintf(", best %s %.6g (trial %d)", results.Printable(p.spec.Metric), s.Best.Score, s.Best.Number)
	}
	if c := p.costText(); c != "" {
		l += ", " + c
	}
	if s.Total > 0 && s.TrialsPerSecond > 0 && s.Done < s.Total {
		eta := time.Duration(float64(s.Total-s.Done) / s.TrialsPerSecond * float64(time.Second))
		l += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
	}
	return l
}
