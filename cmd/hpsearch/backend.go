package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hpsearch/hpsearch/datasets"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trainers"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// Backends.
const (
	backendLocal  = "local"
	backendLambda = "lambda"
)

var _ scheduler.Executor = (*worker.Local)(nil)

// backendFlags are the flags that choose and configure the executor. They
// win over the HPSEARCH_ environment variables, which win over the spec's
// backend: block.
type backendFlags struct {
	kind        string
	function    string
	bucket      string
	region      string
	concurrency int
	// arch and memory describe the function for pricing; compare sets
	// them from its own flags.
	arch   string
	memory int
}

// register defines the backend flags on fs.
func (b *backendFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&b.kind, "backend", "", "run the trials on backend `B`: local (default) or lambda; also backend: {type: lambda} in the spec")
	fs.StringVar(&b.function, "function", "", "Lambda function `NAME` (else $HPSEARCH_FUNCTION, backend.function, \"hpsearch-worker\")")
	bucketVar(fs, &b.bucket, "", "S3 bucket `B` for datasets (else $HPSEARCH_BUCKET, backend.bucket)")
	fs.StringVar(&b.region, "region", "", "AWS region `R` (else $HPSEARCH_REGION, backend.region, the AWS chain)")
	fs.IntVar(&b.concurrency, "concurrency", 0, "Lambda invocations in flight, `N` (else $HPSEARCH_CONCURRENCY, backend.concurrency)")
}

// backendKind resolves which backend a study runs on.
func backendKind(spec *search.Spec, b *backendFlags) (string, error) {
	kind := b.kind
	if kind == "" {
		if v, ok := spec.Backend["type"].(string); ok {
			kind = v
		}
	}
	if kind == "" {
		kind = backendLocal
	}
	if kind != backendLocal && kind != backendLambda {
		if b.kind != "" {
			return "", usageErr("--backend must be local or lambda, got %q", b.kind)
		}
		return "", spec.Errorf("backend.type", "must be local or lambda, got %q", kind)
	}
	return kind, nil
}

// newExecutor builds the study's executor and returns it with the
// parallelism to run it at. For Lambda it checks, before any trial runs,
// that credentials, the function and the bucket are there, and pushes the
// dataset to S3 once. It is interruptible (see interruptible).
func newExecutor(ctx context.Context, spec *search.Spec, base *worker.Request, b *backendFlags, parallelFlag int) (scheduler.Executor, int, error) {
	type built struct {
		exec     scheduler.Executor
		parallel int
	}
	x, err := interruptible(ctx, phaseBackend, func(ctx context.Context) (built, error) {
		exec, parallel, err := buildExecutor(ctx, spec, base, b, parallelFlag)
		return built{exec, parallel}, err
	})
	return x.exec, x.parallel, err
}

// buildExecutor is newExecutor, not interruptible.
func buildExecutor(ctx context.Context, spec *search.Spec, base *worker.Request, b *backendFlags, parallelFlag int) (scheduler.Executor, int, error) {
	kind, err := backendKind(spec, b)
	if err != nil {
		return nil, 0, err
	}
	parallel := spec.Search.Parallel
	if spec.IsCommand() {
		if kind == backendLocal {
			ex, err := commandExecutor(spec)
			return ex, parallel, err
		}
		if err := commandOnLambda(spec, base); err != nil {
			return nil, 0, err
		}
	}
	if kind == backendLocal {
		w := localWorker()
		if strings.HasPrefix(spec.Dataset, "s3://") {
			d, err := fetchS3Dataset(ctx, spec, base)
			if err != nil {
				return nil, 0, err
			}
			w = worker.New(&worker.StaticSource{D: d})
		}
		return &worker.Local{Worker: w, Base: *base}, parallel, nil
	}

	ex, err := lambdaExecutor(ctx, spec, base, b)
	if err != nil {
		return nil, 0, err
	}
	// Unless the spec or a flag asked for a parallelism, keep as many
	// trials in flight as the function may run at once: the local CPU
	// count says nothing about Lambda's.
	if _, explicit := spec.Lines["search.parallel"]; !explicit && parallelFlag == 0 {
		parallel = ex.Config().Concurrency
	}
	if k := ex.Config().StragglerK; k > 0 {
		return &scheduler.Speculative{Executor: ex, K: k, MinSamples: ex.Config().StragglerMinTrials}, parallel, nil
	}
	return ex, parallel, nil
}

// outageTimeout is how long a study on exec waits for its backend when it
// is unavailable: the Lambda backend's backend.outage_timeout; 0 (the
// scheduler's default) otherwise, as a local executor is never
// unavailable.
func outageTimeout(exec scheduler.Executor) time.Duration {
	if ex := lambdaOf(exec); ex != nil {
		return ex.Config().OutageTimeout
	}
	return 0
}

// lambdaOf returns the Lambda executor inside exec, or nil when the study
// does not run on Lambda.
func lambdaOf(exec scheduler.Executor) *lambdaexec.Executor {
	switch x := exec.(type) {
	case *lambdaexec.Executor:
		return x
	case *scheduler.Speculative:
		return lambdaOf(x.Executor)
	}
	return nil
}

// storeResults has the Lambda workers store each result of the study in
// S3 under the study's own prefix (see lambdaexec.StudyResults), where a
// resume finds the results whose answers were lost. Other backends need
// nothing.
func storeResults(ctx context.Context, exec scheduler.Executor, st *openedStudy) error {
	ex := lambdaOf(exec)
	if ex == nil {
		return nil
	}
	study := st.study
	if study.Type == "" { // a new study: its journal holds its study event
		if _, err := st.journal.Scan(ctx, func(ev results.Event) error {
			study = ev
			return errFirstEvent // see commandstudy.go
		}); err != nil && !errors.Is(err, errFirstEvent) {
			return err
		}
	}
	if study.Type == results.EventStudy {
		ex.Results = lambdaexec.StudyResults(ex.Config().Bucket, study)
	}
	return nil
}

// recoverFunc brings a study's journal, j, up to date before a resume
// plans what is left: study is the event that opens the journal, plan
// the resume's plan of the journal as read. It returns the events it
// journaled, for the caller to plan with.
type recoverFunc func(ctx context.Context, e *env, j studyJournal, study results.Event, plan scheduler.Plan) ([]results.Event, error)

// lostResults returns, for a study on Lambda, the recoverFunc that
// journals the results its workers stored in S3 for trials that were in
// flight when it was interrupted (their answers were lost with the
// scheduler), so that those trials are done, not run again. A trial that
// ran without its dispatch reaching the journal gets a dispatch too, if
// its seed is the study's for its number. S3 is not asked when the
// resume has nothing to run and the journal ends with a stop event with
// no trial in flight. The journal is read again, as a stream, only when
// there is something to journal. For other backends it returns nil.
func lostResults(exec scheduler.Executor, spec *search.Spec) recoverFunc {
	ex := lambdaOf(exec)
	if ex == nil {
		return nil
	}
	return func(ctx context.Context, e *env, j studyJournal, study results.Event, plan scheduler.Plan) ([]results.Event, error) {
		if study.Type != results.EventStudy {
			return nil, nil
		}
		ex.Results = lambdaexec.StudyResults(ex.Config().Bucket, study)
		if _, finished := plan.Finished(spec.Search.MaxTrials, spec.Stop.MaxFailedTrials); finished && plan.Stopped && len(plan.Rerun) == 0 {
			// Nothing is left to run, and the journal ends with the stop
			// event of a run that journaled every trial it ran before it
			// (see scheduler.Run): the study's results, one for each of
			// its trials, are not listed. (A later run killed before its
			// first dispatch was durable may have stored results of trials
			// beyond the journal's; a resume that runs more trials
			// journals them.)
			return nil, nil
		}
		found, err := ex.RecoverInFlight(ctx, plan.Rerun, plan.Next)
		if err != nil {
			return nil, fmt.Errorf("recover results from S3: %w", err)
		}
		if len(found) == 0 {
			return nil, nil
		}
		var rec results.Recovery
		if _, err := j.Scan(ctx, func(ev results.Event) error { rec.Add(ev); return nil }); err != nil {
			return nil, err
		}
		recovered, ignored := rec.Recovered(found,
			func(n int) uint64 { return search.TrialSeed(spec.Search.Seed, n) }, time.Now().UTC())
		for _, why := range ignored {
			fmt.Fprintf(e.stderr, "warning: %s\n", results.Printable(why))
		}
		var numbers []string
		for _, ev := range recovered {
			if ev.Type == results.EventResult {
				numbers = append(numbers, strconv.Itoa(ev.Result.Number))
			}
		}
		if len(numbers) == 0 {
			return nil, nil
		}
		if err := j.Append(ctx, recovered...); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "hpsearch: recovered from S3 the results of %d trials whose answers were lost (%s); they are not run again\n",
			len(numbers), strings.Join(numbers, ", "))
		return recovered, nil
	}
}

// lambdaExecutor resolves the Lambda backend's settings (the spec's
// backend: block, then HPSEARCH_ variables, then flags), checks before any
// trial runs that credentials, the function and the bucket are there
// (lambdaexec.ErrNotReady otherwise), pushes the dataset to S3 once, and
// returns the executor with its Base request set.
func lambdaExecutor(ctx context.Context, spec *search.Spec, base *worker.Request, b *backendFlags) (*lambdaexec.Executor, error) {
	if err := checkConcurrency(spec, os.Getenv); err != nil {
		return nil, err
	}
	cfg, err := lambdaexec.ConfigFrom(spec.Backend, os.Getenv)
	if err != nil {
		if ie, ok := err.(*trial.InputError); ok && ie.File == "" {
			return nil, spec.Errorf(ie.Field, "%s", ie.Msg)
		}
		return nil, err
	}
	if b.function != "" {
		cfg.Function = b.function
	}
	if b.bucket != "" {
		cfg.Bucket = b.bucket
	}
	if b.region != "" {
		cfg.Region = b.region
	}
	if b.concurrency > 0 {
		cfg.Concurrency = b.concurrency
	}
	if b.arch != "" {
		cfg.Arch = b.arch
	}
	if b.memory > 0 {
		cfg.MemoryMB = b.memory
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ex, err := lambdaexec.New(ctx, cfg, os.Getenv)
	if err != nil {
		return nil, err
	}
	if err := ex.Preflight(ctx); err != nil {
		return nil, err
	}
	var d *datasets.Dataset
	if spec.Dataset != "" {
		if strings.HasPrefix(spec.Dataset, "s3://") {
			d, err = fetchS3Dataset(ctx, spec, base)
		} else {
			d, _, err = localWorker().Load(ctx, *base)
		}
		if err != nil {
			return nil, err
		}
	}
	req, err := ex.Prepare(ctx, *base, d)
	if err != nil {
		return nil, err
	}
	ex.Base = req
	return ex, nil
}

// fetchS3Dataset reads a spec's s3:// dataset through the standard AWS
// configuration, and checks it as loadSpec checks a local one.
func fetchS3Dataset(ctx context.Context, spec *search.Spec, base *worker.Request) (*datasets.Dataset, error) {
	awsCfg, err := loadAWSConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	d, err := s3data.Fetch(ctx, s3data.NewClient(awsCfg, os.Getenv), spec.Dataset, datasets.Options{
		Target: spec.Target, Task: spec.Task, Encoding: spec.Preprocess.Encoding, AllowMissing: spec.Preprocess.Impute != "",
	})
	if err != nil {
		return nil, spec.Errorf("dataset", "%v", err)
	}
	if spec.Task == "" || spec.Metric == "" {
		if err := spec.SetTask(d.Task, trainers.Catalog); err != nil {
			return nil, err
		}
		base.Task, base.Metric = spec.Task, spec.Metric
	}
	return d, nil
}

// checkConcurrency refuses a Lambda concurrency from $HPSEARCH_CONCURRENCY
// or the spec's backend.concurrency that is not from 1 to
// search.MaxParallel, as --concurrency is refused: it is how many trials
// run at once, so it takes search.parallel's bounds, and 0 is not "the
// default".
func checkConcurrency(spec *search.Spec, getenv func(string) string) error {
	if v := strings.TrimSpace(getenv(lambdaexec.EnvConcurrency)); v != "" {
		if n, err := strconv.Atoi(v); err == nil && (n < 1 || n > search.MaxParallel) {
			return &trial.InputError{File: "$" + lambdaexec.EnvConcurrency,
				Msg: fmt.Sprintf("%d: must be from 1 to %d", n, search.MaxParallel)}
		}
	}
	var n float64
	switch v := spec.Backend["concurrency"].(type) {
	case int:
		n = float64(v)
	case int64:
		n = float64(v)
	case float64:
		n = v
	default:
		return nil // absent, or not a number: lambdaexec.ConfigFrom says so
	}
	if n < 1 || n > search.MaxParallel {
		return spec.Errorf("backend.concurrency", "must be from 1 to %d, not %v", search.MaxParallel, n)
	}
	return nil
}
