package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/scheduler"
	"github.com/hpsearch/hpsearch/search"
	"github.com/hpsearch/hpsearch/serverless/emulate"
	"github.com/hpsearch/hpsearch/serverless/lambdaexec"
	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// paced reports steps 1 to 200 of its score ($1), each after a line of
// its log (on standard error), sleeping 0.05 s between steps when $2 is
// slow, then its result.
const paced = `i=1
while [ $i -le 200 ]; do
  echo "paced step $i" >&2
  echo "{\"step\": $i, \"score\": $1}"
  if [ "$2" = slow ]; then sleep 0.05; fi
  i=$((i+1))
done
echo "{\"score\": $1}"
`

// noSampler is the sampler under the test's Pruning: the trials are
// made by hand, so it is only told.
type noSampler struct{}

func (noSampler) Ask(int) (trial.Trial, bool) { return trial.Trial{}, false }
func (noSampler) Tell(trial.Result)           {}

// TestCommandPruningOnLambda: a command study with median pruning on the
// emulated Lambda. Trials with a good score finish first (all 200
// steps); then trials that report a bad score, slowly, are judged by the
// same median pruner as locally, through the values their workers store
// in S3, and stopped by the prune marker: each ends pruned with its last
// step and value, long before its 200th step. No timing is asserted: a
// bad trial that is never pruned completes after about 10 s, and fails
// the test. Every trial's log is stored in S3 under its trial and attempt
// (worker.LogKey), whole: a complete trial's to its last line, a pruned
// one's at least to the step it was pruned at.
func TestCommandPruningOnLambda(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang guard
	defer cancel()
	em, err := emulate.Start(ctx, emulate.Options{
		Workers: 2, Dir: t.TempDir(), Bootstrap: bootstrap, Memory: memoryMB, Timeout: timeout,
		Env: map[string]string{
			worker.EnvCommands:    "1",
			"AWS_ENDPOINT_URL_S3": emu.S3Endpoint,
			"HPSEARCH_BUCKET":     emu.Bucket,
			"TMPDIR":              mkdir(filepath.Join(t.TempDir(), "tmp")),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close() })

	script := filepath.Join(t.TempDir(), "paced.sh")
	if err := os.WriteFile(script, []byte(paced), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := &search.Spec{Direction: trial.Maximize, EarlyStopping: &search.EarlyStopping{Type: "median", Budget: "step", Min: 3}}
	pruner, err := search.NewPruner(spec)
	if err != nil {
		t.Fatal(err)
	}
	pruning := scheduler.NewPruning(noSampler{}, pruner)
	ex, _ := newExecutorOn(ctx, em, lambdaexec.Config{Concurrency: 2})
	ex.Base = worker.Request{Study: "pruned-commands", Command: []string{"/bin/sh", script, "{score}", "{pace}"}, Workdir: filepath.Dir(script)}
	ex.Results = &worker.ResultsRef{Bucket: emu.Bucket, Prefix: worker.DefaultResultsPrefix + "pruned-commands-" + time.Now().UTC().Format("20060102T150405.000000000Z") + "/"}
	// A short poll keeps the test quick; HPSEARCH_PRUNE_POLL=1s measures
	// the default's latency (logged, not asserted).
	poll := 20 * time.Millisecond
	if v, err := time.ParseDuration(os.Getenv(lambdaexec.EnvPrunePoll)); err == nil && v > 0 {
		poll = v
	}
	ex.Pruning = &lambdaexec.InTrialPruning{Pruner: pruning, Poll: poll}

	var good, bad []trial.Trial
	for i := range 2 {
		good = append(good, trial.Trial{Number: i, Seed: uint64(i), Params: trial.Params{"score": 0.9, "pace": "fast"}})
		bad = append(bad, trial.Trial{Number: 2 + i, Seed: uint64(2 + i), Params: trial.Params{"score": 0.1, "pace": "slow"}})
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := s3data.NewClient(awsCfg, os.Getenv)
	// storedLog checks that r's log is in S3 and holds its first line and
	// the line before its last step.
	storedLog := func(r trial.Result) {
		t.Helper()
		key := worker.LogKey(ex.Results.Prefix, r.Number, int(r.Backend["attempt"]))
		l, err := worker.ReadLog(ctx, client, *ex.Results, r.Number, int(r.Backend["attempt"]), 0)
		if err != nil {
			t.Errorf("trial %d: its log %s: %v", r.Number, key, err)
			return
		}
		last := fmt.Sprintf("paced step %d\n", len(r.Steps))
		if !strings.HasPrefix(string(l.Body), "paced step 1\n") || !strings.Contains(string(l.Body), last) || l.Cut {
			t.Errorf("trial %d: its log %s holds %q, want lines 1 to %q", r.Number, key, l.Body, last)
		}
		// The dashboard reads a tail, with a range the gateway answers.
		tail, err := worker.ReadLog(ctx, client, *ex.Results, r.Number, int(r.Backend["attempt"]), 10)
		if err != nil || !tail.Cut || string(tail.Body) != string(l.Body[len(l.Body)-10:]) {
			t.Errorf("trial %d: its log's last 10 bytes: %q cut %v (%v), want %q cut", r.Number, tail.Body, tail.Cut, err, l.Body[len(l.Body)-10:])
		}
	}
	for _, r := range runAll(t, ex, good, 2) {
		if r.State != trial.Complete || len(r.Steps) != 200 || r.Score != 0.9 {
			t.Fatalf("good trial %d: %s with %d steps, score %v: %s", r.Number, r.State, len(r.Steps), r.Score, r.Error)
		}
		storedLog(r)
		pruning.Tell(r)
	}

	for _, r := range runAll(t, ex, bad, 2) {
		storedLog(r)
		if r.State != trial.Pruned {
			t.Errorf("bad trial %d: %s after %d steps, want pruned: %s", r.Number, r.State, len(r.Steps), r.Error)
			continue
		}
		last := r.Steps[len(r.Steps)-1]
		if len(r.Steps) < 3 || len(r.Steps) >= 200 || last.Step != int64(len(r.Steps)) || r.Score != last.Value || last.Value != 0.1 {
			t.Errorf("bad trial %d: pruned with %d steps, last %+v, score %v; want its last step and value, between steps 3 and 199", r.Number, len(r.Steps), last, r.Score)
		}
		marker := worker.PruneKey(ex.Results.Prefix, r.Number, int(r.Backend["attempt"]))
		if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(marker)}); err != nil {
			t.Errorf("bad trial %d: its prune marker %s: %v", r.Number, marker, err)
		}
		// Step 3 is the first the median judges: the steps after it, at
		// 0.05 s each plus the printing, are the pruning's latency.
		t.Logf("poll %v: trial %d pruned at step %d of 200 (%.2f s in all; about %.2f s after step 3)",
			poll, r.Number, last.Step, r.Seconds, float64(last.Step-3)*0.05)
	}
}
