package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3journal"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// TestRefitOnLambdaIsTheLocalRefit: a study's trials run on the emulated
// Lambda, then its best trial is refitted as one more invocation, which
// stores the model under the study's results prefix; the model file the
// study gets is the one a refit in this process writes, byte for byte.
func TestRefitOnLambdaIsTheLocalRefit(t *testing.T) {
	ctx := context.Background()
	ex, rec := newExecutor(ctx, lambdaexec.Config{Concurrency: 2})
	ex.Results = &worker.ResultsRef{Bucket: emu.Bucket, Prefix: worker.DefaultResultsPrefix + "integration-refit/"}
	trials := []trial.Trial{
		{Number: 0, Model: "random_forest", Seed: 11, Params: trial.Params{"n_estimators": 6.0, "max_depth": 3.0}},
		{Number: 1, Model: "random_forest", Seed: 12, Params: trial.Params{"n_estimators": 9.0, "max_depth": 0.0}},
		{Number: 2, Model: "knn", Seed: 13, Params: trial.Params{"n_neighbors": 7.0}},
	}
	rs := runAll(t, ex, trials, 2)
	spec := &search.Spec{Name: "integration-refit", Dataset: "iris", Task: trial.Classification, Metric: "accuracy", Direction: trial.Maximize}

	for _, n := range []int{-1, 0, 2} {
		onLambda, err := refit.Plan(spec, ex.Base, rs, n, refit.Version())
		if err != nil {
			t.Fatal(err)
		}
		lambdaDir, localDir := t.TempDir(), t.TempDir()
		invocations := len(rec.responses)
		info, err := refit.Run(ctx, ex, onLambda, "lambda", refit.DirStore{StudyDir: lambdaDir})
		if err != nil {
			t.Fatalf("refit of trial %d on Lambda: %v", n, err)
		}
		if got := len(rec.responses) - invocations; got != 1 {
			t.Errorf("the refit took %d invocations, want one", got)
		}
		inProcess, err := refit.Plan(spec, local, rs, n, refit.Version())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := refit.Run(ctx, refit.Local{Worker: worker.New(nil)}, inProcess, "local", refit.DirStore{StudyDir: localDir}); err != nil {
			t.Fatal(err)
		}
		fromLambda, err := os.ReadFile(refit.ModelPath(lambdaDir))
		if err != nil {
			t.Fatal(err)
		}
		fromHere, err := os.ReadFile(refit.ModelPath(localDir))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fromLambda, fromHere) {
			t.Errorf("trial %d (%s): the Lambda refit's model file (%d bytes) is not the local refit's (%d bytes)", info.Trial, info.Model, len(fromLambda), len(fromHere))
		}
		if info.Backend != "lambda" || (n >= 0 && info.Trial != n) {
			t.Errorf("model.json says %+v", info)
		}
	}
}

// TestS3StudyEndsInItsModel: a study kept in S3 and run on the emulated
// Lambda gets its model under its own prefix; predict reads it from
// there, and hpsearch refit, in this process, writes the same bytes.
func TestS3StudyEndsInItsModel(t *testing.T) {
	api := s3API(t)
	here := t.TempDir()
	spec := filepath.Join(here, "spec.yaml")
	small := strings.Replace(s3Spec, "max_trials: 60", "max_trials: 6", 1)
	if err := os.WriteFile(spec, []byte(small), 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := s3Prefix(t)
	study := prefix.Join("iris-knn")
	code, out, stderr := runCLIIn(t, here, "run", spec, "--dir", prefix.String(), "--quiet")
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "(lambda)") || !strings.Contains(out, study.String()+"/model/model.hpm") {
		t.Errorf("run does not say the model was fitted on Lambda and stored in the study:\n%s", out)
	}
	first, err := s3journal.ReadFile(context.Background(), api, study, refit.Dir+"/"+refit.ModelFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3journal.ReadFile(context.Background(), api, study, refit.Dir+"/"+refit.InfoFile); err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(here, "new.csv")
	if err := os.WriteFile(input, []byte("petal_length,petal_width,sepal_length,sepal_width\n1.4,0.2,5.1,3.5\n6.0,2.5,6.3,3.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLIIn(t, here, "predict", study.String(), "--input", input)
	if code != 0 || out != "species\nsetosa\nvirginica\n" {
		t.Errorf("predict from S3: exit %d, %q: %s", code, out, stderr)
	}
	if code, _, stderr := runCLIIn(t, here, "refit", study.String()); code != 0 {
		t.Fatalf("refit: exit %d: %s", code, stderr)
	}
	again, err := s3journal.ReadFile(context.Background(), api, study, refit.Dir+"/"+refit.ModelFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Error("hpsearch refit, in this process, wrote another model file than the study's refit on Lambda")
	}
}
