package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

func init() { register(newRefitCmd) }

// The Lambda executor fits a refit as one more invocation.
var _ refit.Fitter = (*lambdaexec.Executor)(nil)

// newRefitCmd builds "hpsearch refit".
func newRefitCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "refit STUDY_DIR [--trial N] [flags]",
		Short: "fit a trial's configuration on every row and store the model in the study",
		Long: `Fits the configuration of the study's best trial (or of trial N) on every
row of the study's dataset, with the same preprocessing fitted on every
row and the trial's seed, and stores the model in the study:
STUDY_DIR/model/model.hpm (the model file hpsearch predict reads) and
STUDY_DIR/model/model.json (which trial, its score, the file's sha256).
A study refits its best trial by itself when it ends (unless --no-refit
or search.refit: false); this command refits any complete trial of a
finished or interrupted study, replacing the model it had. The same
trial gives the same model file, byte for byte. The fit runs in this
process. STUDY_DIR may be the s3:// URL of a study kept in S3.

A study of an objective function or a command has no model: that is said
once, and the exit code is 0.

Exit codes: 0 ok, 1 failure, 2 not a study, a trial that did not complete,
a dataset that cannot be read, or usage, 130 interrupted.`,
		Example: `  hpsearch refit hpsearch-runs/digits-knn-grid
  hpsearch refit hpsearch-runs/digits-knn-grid --trial 7
  hpsearch predict hpsearch-runs/digits-knn-grid --input new.csv`,
	}
	fs := cmd.Flags()
	n := fs.Int("trial", -1, "refit trial `N` instead of the best")
	asJSON := fs.Bool("json", false, "print model.json's content on stdout")
	hideDefault(fs, "trial")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		if len(pos) != 1 {
			return usageErr("want one STUDY_DIR, got %d arguments", len(pos))
		}
		if fs.Changed("trial") && *n < 0 {
			return usageErr("--trial must be a trial number (0 or more), got %d", *n)
		}
		return runRefit(cmd.Context(), e, pos[0], *n, *asJSON)
	}
	return cmd
}

// runRefit refits trial n (the best when n < 0) of the study at dir, a
// directory or an s3:// URL, in this process.
func runRefit(ctx context.Context, e *env, dir string, n int, asJSON bool) error {
	var (
		stored    *search.Spec
		storedRaw []byte
		specFile  string
		store     refit.Store
		named     = *e
	)
	if s3journal.IsURL(dir) {
		loc, err := parseStudyURL(dir)
		if err != nil {
			return err
		}
		api, err := newS3Client(ctx, "")
		if err != nil {
			return err
		}
		if stored, storedRaw, err = readS3StudySpec(ctx, api, loc); err != nil {
			return err
		}
		yaml, err := s3journal.ReadFile(ctx, api, loc, results.SpecYAMLFile)
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "hpsearch-refit-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		specFile = filepath.Join(tmp, results.SpecYAMLFile)
		if err := os.WriteFile(specFile, yaml, 0o644); err != nil {
			return err
		}
		named.specNames = map[string]string{specFile: loc.String() + "/" + results.SpecYAMLFile}
		store = refit.S3Store{API: api, Bucket: loc.Bucket, Key: loc.Key}
	} else {
		dir = filepath.Clean(dir)
		var err error
		if stored, err = readStudySpec(dir); err != nil {
			return err
		}
		if storedRaw, err = os.ReadFile(filepath.Join(dir, results.SpecJSONFile)); err != nil {
			return err
		}
		if recordedDatasetFile(storedRaw) == nil {
			if err := checkDatasetReachable(dir, stored); err != nil {
				return err
			}
		}
		specFile = filepath.Join(dir, results.SpecYAMLFile)
		store = refit.DirStore{StudyDir: dir}
	}
	if !refit.HasModel(stored) {
		_, err := refit.Plan(stored, worker.Request{}, nil, n, "")
		fmt.Fprintf(e.stderr, "hpsearch: %v\n", err)
		return nil
	}
	o := &overrides{file: named.specNames[specFile]}
	if rec := recordedDatasetFile(storedRaw); rec != nil {
		o.datasetPath = rec.Path
	}
	_, base, err := loadSpec(ctx, specFile, o)
	if err != nil {
		return err
	}
	base.Study = stored.Name
	st, err := loadStudy(ctx, e, dir)
	if err != nil {
		return err
	}
	rs := results.Results(st.Events)
	exec, _, err := newExecutor(ctx, stored, base, &backendFlags{kind: backendLocal}, 1)
	if err != nil {
		return err
	}
	local, ok := exec.(*worker.Local)
	if !ok {
		return fmt.Errorf("refit: the local backend gave a %T", exec)
	}
	info, err := refitWith(ctx, stored, local.Base, rs, n, refit.Local{Worker: local.Worker}, backendLocal, store)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	writeRefitted(e.stdout, dir, info)
	return nil
}

// refitWith plans the refit of trial n (the best when n < 0) of a study
// from its results and runs it with f, storing the model in store.
func refitWith(ctx context.Context, spec *search.Spec, base worker.Request, rs []trial.Result, n int, f refit.Fitter, backend string, store refit.Store) (refit.Info, error) {
	req, err := refit.Plan(spec, base, rs, n, refit.Version())
	if err != nil {
		return refit.Info{}, err
	}
	return refit.Run(ctx, f, req, backend, store)
}

// writeRefitted says where a refit put the model of the study at dir.
func writeRefitted(w io.Writer, dir string, info refit.Info) {
	where := filepath.Join(dir, refit.Dir, refit.ModelFile)
	if s3journal.IsURL(dir) {
		where = dir + "/" + refit.Dir + "/" + refit.ModelFile
	}
	score := ""
	if info.CVScore != nil {
		score = fmt.Sprintf(", CV %s %.6g", results.Printable(info.Metric), *info.CVScore)
	}
	fmt.Fprintf(w, "model: trial %d (%s%s) refitted on all %d rows in %.2fs (%s)\n  %s\n  hpsearch predict %s --input NEW.csv\n",
		info.Trial, info.Model, score, info.Rows, info.Seconds, info.Backend, where, dir)
}

// refitAtEnd refits the best trial of a study that has just run on exec,
// unless the spec or --no-refit turned that off (off), and stores the
// model in the study at dir (its journal's Dir, a directory or an s3://
// URL, written through api). A study without a model is not a failure;
// when its spec asked for a refit (search.refit: true) that is said once
// on stderr. A refit that fails is, with a hint: the
// study itself is complete.
func refitAtEnd(ctx context.Context, e *env, api s3journal.API, dir string, spec *search.Spec, exec scheduler.Executor, out scheduler.Outcome, off, asJSON bool) error {
	if off || !spec.Search.RefitEnabled() || out.Complete == 0 {
		return nil
	}
	if !refit.HasModel(spec) {
		// Said only when the spec asked for it: a study of an objective
		// is not expected to end in a model.
		if spec.Search.Refit != nil {
			_, err := refit.Plan(spec, worker.Request{}, nil, -1, "")
			fmt.Fprintf(e.stderr, "hpsearch: %v (search.refit)\n", err)
		}
		return nil
	}
	var (
		f       refit.Fitter
		base    worker.Request
		backend string
	)
	if ex := lambdaOf(exec); ex != nil {
		f, base, backend = ex, ex.Base, backendLambda
	} else if l, ok := exec.(*worker.Local); ok {
		f, base, backend = refit.Local{Worker: l.Worker}, l.Base, backendLocal
	} else {
		return nil // no backend that fits models
	}
	var store refit.Store = refit.DirStore{StudyDir: dir}
	if s3journal.IsURL(dir) {
		loc, err := s3journal.Parse(dir)
		if err != nil {
			return err
		}
		store = refit.S3Store{API: api, Bucket: loc.Bucket, Key: loc.Key}
	}
	info, err := refitWith(ctx, spec, base, out.Results, -1, f, backend, store)
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return fmt.Errorf("the study is complete; its refit was interrupted (refit it with: hpsearch refit %s): %w", dir, err)
		}
		return fmt.Errorf("the study is complete, but its refit failed (refit it again with: hpsearch refit %s, or turn the refit off with --no-refit): %w", dir, err)
	}
	w := e.stdout
	if asJSON {
		w = e.stderr
	}
	writeRefitted(w, dir, info)
	return nil
}
