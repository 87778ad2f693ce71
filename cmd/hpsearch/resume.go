package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
)

func init() { register(newResumeCmd) }

// runOnlyFlags are the flags of run that resume refuses: the study
// directory names the study, and resume always resumes.
var runOnlyFlags = []string{"dir", "name", "resume"}

// newResumeCmd builds "hpsearch resume". It declares run's flags (those
// of a fresh run command, so they are declared once, in newRunCmd), for
// help to list them and for a mistyped one to get a suggestion; the
// flags given are handed on to run (runResume). run's --dir, --name and
// --resume are declared hidden, to be refused in resume's own words.
func newResumeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "resume STUDY_DIR [flags]",
		Short: "continue an interrupted study from its journal",
		Long: `Continues a study that was interrupted (Ctrl-C, a crash, a kill) from its
journal, with the spec it was started with (its spec.yaml, seed and
max_trials). Trials with a result in the journal are not run again; trials
that were running when it stopped run again (same number, next attempt);
new trials continue the numbering, and are the ones an uninterrupted run
would have run (exactly, for grid, random and sobol). A study with nothing
left to run prints its leaderboard. The same as
  hpsearch run SPEC.yaml --resume
from where the study was started, which also checks that SPEC.yaml still
describes the study's search.

Flags: those of 'hpsearch run' except --dir and --name: --parallel,
--max-trials (raise it to run more trials), --top, --quiet, --json, the
backend flags and --change-backend.

The study runs on the backend it recorded when it was created: local, or
lambda with the function, bucket, region and concurrency it was started
with, whatever $HPSEARCH_* and the spec say now (--concurrency may change
it). Backend flags that name another backend are refused (exit 2) unless
--change-backend is given; then stderr says that the backend changed,
for that run: the study keeps its own.

One process runs a study at a time: a second one is refused (exit 1)
naming the owner from the study's LOCK file. A lock left by a process that
died is taken over.

STUDY_DIR may be the s3:// URL of a study kept in S3 (run --dir
s3://BUCKET/PREFIX), to continue it from any machine. There is no lock
there: of two schedulers writing the study, the one that writes second is
refused (exit 1) and stops.

Exit codes: 0 ok (also when nothing was left), 1 failure (the study is in
use, its journal is damaged, it has no complete trial), 2 not a study
directory, a spec that changes the search, or usage, 130 interrupted.`,
		Example: `  hpsearch resume hpsearch-runs/digits-knn-grid --parallel 4
  hpsearch resume s3://my-bucket/runs/digits-knn-grid`,
	}
	fs := cmd.Flags()
	newRunCmd(e).Flags().VisitAll(func(f *pflag.Flag) {
		if slices.Contains(runOnlyFlags, f.Name) {
			f.Hidden = true
		}
		fs.AddFlag(f)
	})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		var given []string // as run parses them again: --name=value
		fs.Visit(func(f *pflag.Flag) { given = append(given, "--"+f.Name+"="+f.Value.String()) })
		return runResume(cmd.Context(), e, args, given)
	}
	return cmd
}

// runResume runs the study's own spec.yaml through run --resume, with the
// settings run's flags may have changed (seed, max_trials) taken from its
// resolved spec.json. args are the positional arguments, flags run's
// flags given, each as --name=value.
func runResume(ctx context.Context, e *env, args, flags []string) error {
	switch {
	case len(args) == 0:
		return usageErr("want a STUDY_DIR")
	case len(args) > 1:
		return usageErr("want one STUDY_DIR, got %d arguments", len(args))
	}
	for _, a := range flags {
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if slices.Contains(runOnlyFlags, name) {
			return usageErr("resume takes the study directory, not --%s", name)
		}
	}
	dir, rest := filepath.Clean(args[0]), flags
	if s3journal.IsURL(args[0]) {
		return resumeS3(ctx, e, args[0], rest)
	}
	stored, err := readStudySpec(dir)
	if err != nil {
		return err
	}
	specFile := filepath.Join(dir, results.SpecYAMLFile)
	if b, err := os.ReadFile(filepath.Join(dir, results.SpecJSONFile)); err == nil {
		if rec := recordedDatasetFile(b); rec != nil {
			withPath := *e
			withPath.datasetPaths = map[string]string{specFile: rec.Path}
			return runRun(ctx, &withPath, resumeArgs(specFile, stored, rest, filepath.Dir(dir), filepath.Base(dir)))
		}
	}
	if err := checkDatasetReachable(dir, stored); err != nil {
		return err
	}
	return runRun(ctx, e, resumeArgs(specFile, stored, rest, filepath.Dir(dir), filepath.Base(dir)))
}

// resumeArgs returns run's arguments to resume the study name in dir
// from specFile, its spec.yaml, with the seed and max_trials of stored,
// its resolved spec, unless flags, the resume's own, change them.
func resumeArgs(specFile string, stored *search.Spec, flags []string, dir, name string) []string {
	argv := []string{specFile, "--max-trials", strconv.Itoa(stored.Search.MaxTrials)}
	if stored.Search.Seed <= math.MaxInt64 {
		argv = append(argv, "--seed", strconv.FormatUint(stored.Search.Seed, 10))
	}
	argv = append(argv, flags...)
	return append(argv, "--dir", dir, "--name", name, "--resume")
}

// readStudySpec reads the resolved spec of study directory dir, or says
// that dir is not one.
func readStudySpec(dir string) (*search.Spec, error) {
	for _, f := range []string{results.SpecJSONFile, results.SpecYAMLFile, results.JournalFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return nil, fmt.Errorf("%w: %s is not a study directory (it has no %s); give the directory hpsearch run created, such as hpsearch-runs/NAME",
				trial.ErrBadInput, dir, f)
		}
	}
	path := filepath.Join(dir, results.SpecJSONFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var spec search.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", trial.ErrBadInput, path, err)
	}
	return &spec, nil
}

// checkDatasetReachable explains the one thing resume cannot know: where
// a relative dataset path was relative to. The spec file it was relative
// to is not in the study directory.
func checkDatasetReachable(dir string, spec *search.Spec) error {
	ds := spec.Dataset
	if ds == "" || filepath.IsAbs(ds) || strings.HasPrefix(ds, "s3://") || datasets.IsBundled(ds) {
		return nil
	}
	for _, c := range []string{filepath.Join(dir, ds), ds} {
		if _, err := os.Stat(c); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: the study's dataset %q is a path relative to its spec file, which is not in %s; resume it from where it was started with: hpsearch run SPEC.yaml --resume --dir %s",
		trial.ErrBadInput, ds, dir, filepath.Dir(dir))
}

// openedStudy is a study opened for a run: its journal open for
// appending and, for a study directory, its lock held until close (a
// study in S3 has none: its journal refuses a second writer). A resumed
// study holds none of its journal's events: finished says it has nothing
// left to run, and outcome and tally then hold what it did; otherwise
// priorScan streams the journal for scheduler.Config.PriorScan.
type openedStudy struct {
	journal  studyJournal
	lock     *results.Lock // nil in S3
	finished bool
	outcome  scheduler.Outcome
	// tally summarises a finished study streamed from its journal.
	tally *runTally
	// priorScan streams the journal of a study resumed with trials left,
	// as it stands before the run appends to it; nil for a new study.
	// done is the trials with a final result there, priorUSD what their
	// results cost on Lambda.
	priorScan func(fn func(results.Event) error) error
	done      int
	priorUSD  float64
	// study is the event that opens the journal of a resumed study.
	study results.Event
	// restoreMemory gives up the soft memory limit a resume reads its
	// journal under and runs under (see resumeMemoryLimit, runPacer);
	// nil for a new study.
	restoreMemory func()
}

// doneBefore returns the trials with a final result before this run.
func (st *openedStudy) doneBefore() int { return st.done }

// openStudy creates the study directory dir/NAME, or with resume reopens
// it if it exists, and takes its lock. A new study is locked just after
// it appears: a resume started in that instant may take it first, and
// then runs it while this run is refused, which still leaves one owner.
//
// recoverLost, when not nil, brings a reopened journal up to date (see
// lostResults) before the resume is planned. top is the number of
// leaderboard rows run reports (all when top <= 0), kept for a study
// that turns out to have nothing left to run.
//
// A dir that is an s3:// URL keeps the study in S3, through api (see
// openS3Study).
func openStudy(ctx context.Context, e *env, api s3journal.API, dir string, spec *search.Spec, specJSON []byte, resume bool, recoverLost recoverFunc, top int) (*openedStudy, error) {
	if s3journal.IsURL(dir) {
		return openS3Study(ctx, e, api, dir, spec, specJSON, resume, recoverLost, top)
	}
	if resume {
		if _, err := os.Lstat(filepath.Join(dir, spec.Name)); err == nil {
			return reopenStudy(ctx, e, filepath.Join(dir, spec.Name), spec, specJSON, recoverLost, top)
		}
	}
	j, err := results.Create(dir, spec.Name, spec.Raw(), specJSON)
	if err != nil {
		return nil, err
	}
	lock, err := results.LockStudy(j.Dir())
	if err != nil {
		j.Close()
		return nil, err
	}
	return &openedStudy{journal: j, lock: lock}, nil
}

// reopenStudy takes the lock of an existing study, checks that spec
// describes the same search, and reopens its journal for appending,
// streaming it (see resumeStreamed). It changes nothing in the study
// until all of that has passed.
func reopenStudy(ctx context.Context, e *env, studyDir string, spec *search.Spec, specJSON []byte, recoverLost recoverFunc, top int) (st *openedStudy, err error) {
	if _, err := readStudySpec(studyDir); err != nil {
		return nil, err
	}
	lock, err := results.LockStudy(studyDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Unlock()
		}
	}()
	if lock.Stale != nil {
		fmt.Fprintf(e.stderr, "hpsearch: taking the study over from %s, which no longer holds it (killed, or its machine restarted)\n", *lock.Stale)
	}
	specPath := filepath.Join(studyDir, results.SpecJSONFile)
	stored, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	if err := checkContinue(studyDir, specPath, stored, spec, specJSON); err != nil {
		return nil, err
	}
	st, err = resumeStreamed(ctx, e, studyDir, spec, recoverLost, top, func(fn func(results.Event) error, _ func()) (studyJournal, []string, error) {
		j, warnings, err := results.ReopenScan(ctx, studyDir, fn)
		if err != nil {
			return nil, warnings, reopenError(err)
		}
		return j, warnings, nil
	}, nil)
	if err != nil {
		return nil, err
	}
	st.lock = lock
	return st, nil
}

// reopenError adds to an error reopening a study directory's journal,
// when it is damaged, how to resume from the records before the damage.
func reopenError(err error) error {
	var ce *results.CorruptError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w\nthe study was left as it was. A crash only ever tears the last record, so the journal was damaged some other way. "+
			"To resume from the records before line %d (trials recorded after it then run again), keep the journal and cut it there:\n"+
			"  mv %[3]s %[3]s.damaged && head -n %[4]d %[3]s.damaged > %[3]s", err, ce.Line, ce.File, ce.Line-1)
	}
	return err
}

// resumeMemoryLimit is the soft memory limit (debug.SetMemoryLimit) a
// resume reads its journal under, until the scheduler has read it too,
// unless GOMEMLIMIT sets one (the run then goes on under runPacer's). What a resume holds of a 100,000-trial
// study is some 20 to 95 MB (what the journal's checker keeps a trial
// and, for a study in S3 reopened to append, the journal's bytes, which
// the writer keeps for its checkpoints); the garbage of decoding the
// journal, three times, would otherwise let the heap grow to twice that
// before the collector runs. The limit leaves room above the 95 MB: at
// 96 MiB the collector ran almost without a pause, and a resume took 2 to
// 8 CPU-s more. A study that holds more than the limit still resumes:
// the runtime caps the collector's share of the CPU.
const resumeMemoryLimit = 128 << 20

// reopenScan reopens a study's journal for appending, handing fn its
// events in order, and returns it with the journal's warnings. A reopen
// that reads the journal again from its start (a study in S3 whose
// checkpoint or delta turns out damaged) calls reset first: what fn made
// of the events before is void.
type reopenScan func(fn func(results.Event) error, reset func()) (studyJournal, []string, error)

// resumeStreamed resumes the study at study (a directory or an s3:// URL)
// whose spec checkContinue has passed: it reopens its journal with
// reopen, streaming it into a resume plan and run's summary with top
// rows, and prints the journal's warnings; with recoverLost, it then
// journals the results recovered for the trials in flight, and plans
// with them. When the study has nothing left to run it writes the stop
// record a study killed after its last result lacks; otherwise the study
// it returns streams the journal again for the scheduler (priorScan),
// as it stands before the run appends to it. No event of the journal is
// held: a study of any size is resumed in bounded memory.
//
// peek, when not nil, reads the journal first without opening it for
// appending, and returns it read-only (a study in S3, whose writer would
// hold the journal's bytes for its checkpoints): a study it shows
// finished, with its stop record and nothing in flight, is reported from
// that read, and any other is then reopened and read again.
func resumeStreamed(ctx context.Context, e *env, study string, spec *search.Spec, recoverLost recoverFunc, top int,
	reopen reopenScan, peek func(fn func(results.Event) error, reset func()) (studyJournal, error)) (_ *openedStudy, err error) {
	restoreMemory := func() {}
	var pacer *runPacer // the run's limit (see runPacer); nil under GOMEMLIMIT
	if os.Getenv("GOMEMLIMIT") == "" {
		before := debug.SetMemoryLimit(resumeMemoryLimit)
		pacer = newRunPacer()
		restoreMemory = sync.OnceFunc(func() { pacer.stop(); debug.SetMemoryLimit(before) })
	}
	defer func() {
		if err != nil {
			restoreMemory()
		}
	}()
	var (
		planner *scheduler.Planner
		tally   *runTally
		st      *openedStudy
	)
	start := func() {
		planner, tally, st = scheduler.NewPlanner(spec.Direction), newRunTally(spec, top), &openedStudy{restoreMemory: restoreMemory}
	}
	start()
	add := func(ev results.Event) error {
		if ev.Type == results.EventStudy {
			st.study = ev
		}
		planner.Add(ev)
		if ev.Type == results.EventResult {
			tally.Add(*ev.Result)
			st.priorUSD += ev.Result.Backend[scheduler.CostKey]
		}
		return nil
	}
	if peek != nil {
		j, err := peek(add, start)
		if err != nil {
			return nil, err
		}
		plan := planner.Plan()
		if reason, done := plan.Finished(spec.Search.MaxTrials, spec.Stop.MaxFailedTrials); done && plan.Stopped && plan.StopReason == reason && len(plan.Rerun) == 0 {
			// Finished, with its stop record and nothing in flight: there
			// is nothing to write (nor to recover: see lostResults).
			st.journal, st.finished, st.tally = j, true, tally
			st.done = plan.Complete + plan.Pruned + plan.Failed
			st.outcome = scheduler.Outcome{Summary: plan.Summary}
			st.outcome.StopReason = reason
			return st, nil
		}
		j.Close()
		start()
	}
	j, warnings, err := reopen(add, start)
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	if err != nil {
		return nil, err
	}
	st.journal = j
	plan := planner.Plan()
	if recoverLost != nil {
		recovered, err := recoverLost(ctx, e, j, st.study, plan)
		if err != nil {
			j.Close()
			return nil, err
		}
		for _, ev := range recovered {
			add(ev)
		}
		if len(recovered) > 0 {
			plan = planner.Plan()
		}
	}
	st.done = plan.Complete + plan.Pruned + plan.Failed
	reason, done := plan.Finished(spec.Search.MaxTrials, spec.Stop.MaxFailedTrials)
	if !done {
		fmt.Fprintf(e.stderr, "hpsearch: resuming %s: %d trials done, %d to run again, new trials from %d\n",
			study, st.done, len(plan.Rerun), plan.Next)
		scans := 0
		st.priorScan = func(fn func(results.Event) error) error {
			_, err := j.Scan(ctx, fn)
			// The scheduler reads the journal twice before it runs
			// anything (see scheduler.Config.PriorScan); the run that
			// follows is not held to the resume's limit, but to one
			// that follows its live heap (until close).
			if scans++; scans == 2 {
				pacer.start()
			}
			return err
		}
		return st, nil
	}
	if !plan.Stopped || plan.StopReason != reason {
		// It died after its last result, before its stop record.
		if err := j.Append(ctx, results.StopEvent(reason, time.Now().UTC())); err != nil {
			j.Close()
			return nil, err
		}
	}
	st.finished, st.tally = true, tally
	st.outcome = scheduler.Outcome{Summary: plan.Summary}
	st.outcome.StopReason = reason
	return st, nil
}

// checkContinue checks that spec describes the same search as the study
// at study (a directory or an s3:// URL), whose resolved spec, read from
// specPath, is stored.
func checkContinue(study, specPath string, stored []byte, spec *search.Spec, specJSON []byte) error {
	stored, specJSON, err := univariateBefore(stored, spec, specJSON)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", trial.ErrBadInput, specPath, err)
	}
	diffs, err := specDiff(stored, specJSON)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", trial.ErrBadInput, specPath, err)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s describes another search than the study in %s (field: study's value -> spec's value):\n  %s\nwhen resuming only %s may change; to search differently, start a new study with --name",
			trial.ErrBadInput, spec.File, study, strings.Join(diffs, "\n  "), strings.Join(resumeMayChange, ", "))
	}
	return checkDatasetUnchanged(stored, specJSON)
}

// writeFinished reports a resumed study that had nothing left to run, as
// run reports one it ran.
func (st *openedStudy) writeFinished(e *env, spec *search.Spec, top int, asJSON bool) error {
	fmt.Fprintf(e.stderr, "hpsearch: study %s has finished (%s); nothing left to run\n", st.journal.Dir(), st.outcome.StopReason)
	tally := st.tally
	if asJSON {
		if err := writeTalliedJSON(e.stdout, st.journal.Dir(), spec, st.outcome, tally); err != nil {
			return err
		}
	} else {
		writeTalliedText(e.stdout, st.journal.Dir(), spec, st.outcome, tally, top)
	}
	return checkCompleted(st.journal.Dir(), st.outcome.Summary, asJSON)
}

// close closes the journal, then gives up the lock (and the memory limit
// of a resume).
func (st *openedStudy) close() error {
	if st.restoreMemory != nil {
		st.restoreMemory()
	}
	return errors.Join(st.journal.Close(), st.lock.Unlock())
}

// univariateBefore carries on a TPE study stored before TPE had the
// multivariate switch, which ran the univariate TPE: its spec.json, with
// no search.multivariate, is read as false, and so is the resuming spec
// unless it sets the field itself (to true, that is a different search).
// It returns both specs as specDiff should compare them, and sets spec's
// field to what the study goes on with.
func univariateBefore(stored []byte, spec *search.Spec, specJSON []byte) ([]byte, []byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(stored, &doc); err != nil {
		return nil, nil, err
	}
	ss, _ := doc["search"].(map[string]any)
	if ss == nil || ss["method"] != "tpe" {
		return stored, specJSON, nil
	}
	if _, ok := ss["multivariate"]; ok {
		return stored, specJSON, nil
	}
	ss["multivariate"] = false
	stored, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	if _, written := spec.Lines["search.multivariate"]; !written && spec.Search.Multivariate != nil {
		univariate := false
		spec.Search.Multivariate = &univariate
		if specJSON, err = json.MarshalIndent(spec, "", "  "); err != nil {
			return nil, nil, err
		}
	}
	return stored, specJSON, nil
}

// resumeMayChange lists the fields of a resolved spec that may differ
// between a study and the spec resuming it: they change how many trials
// run, how many at once, where and when to stop, never what a trial is.
// Everything else (dataset, task, metric, cv, preprocessing, method,
// seed, the models and their spaces) decides what trial n is and scores
// it, so a change there would splice two different searches together.
var resumeMayChange = []string{"name", "search.parallel", "search.max_trials", "search.refit", "stop", "backend"}

// specDiff compares two resolved specs as JSON, field by field, and
// returns a line per difference outside resumeMayChange, sorted by field.
func specDiff(study, spec []byte) ([]string, error) {
	var a, b any
	if err := json.Unmarshal(study, &a); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(spec, &b); err != nil {
		return nil, err
	}
	fa, fb := map[string]string{}, map[string]string{}
	flatten("", a, fa)
	flatten("", b, fb)
	var diffs []string
	for _, m := range []map[string]string{fa, fb} {
		for field := range m {
			va, ina := fa[field]
			vb, inb := fb[field]
			if va == vb && ina == inb || mayChange(field) || slices.ContainsFunc(diffs, func(d string) bool { return strings.HasPrefix(d, field+": ") }) {
				continue
			}
			if !ina {
				va = "(none)"
			}
			if !inb {
				vb = "(none)"
			}
			diffs = append(diffs, fmt.Sprintf("%s: %s -> %s", field, va, vb))
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

func mayChange(field string) bool {
	// Where the dataset file is may change (a resume from another
	// directory); its content may not, which checkDatasetUnchanged checks.
	for _, p := range append(resumeMayChange[:len(resumeMayChange):len(resumeMayChange)], "dataset_file") {
		if field == p || strings.HasPrefix(field, p+".") || strings.HasPrefix(field, p+"[") {
			return true
		}
	}
	return false
}

// flatten records every leaf of a decoded JSON value under its path
// ("models[0].parameters[1].max"), as JSON.
func flatten(path string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, child, out)
		}
		if len(x) == 0 && path != "" {
			out[path] = "{}"
		}
	case []any:
		for i, child := range x {
			flatten(fmt.Sprintf("%s[%d]", path, i), child, out)
		}
		if len(x) == 0 {
			out[path] = "[]"
		}
	default:
		b, _ := json.Marshal(x)
		out[path] = string(b)
	}
}
