package integration

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/hpsearch/hpsearch/refit"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
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
