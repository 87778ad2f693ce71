package lambdaexec

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"golang.org/x/sync/errgroup"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// belowHalf prunes a trial whose value at step 3 or later is below 0.5.
type belowHalf struct{}

func (belowHalf) ShouldPrune(_ trial.Trial, steps []trial.Step) bool {
	last := steps[len(steps)-1]
	return last.Step >= 3 && last.Value < 0.5
}

// TestInTrialPruning: two trials run at once, one reporting 200 values
// quickly and one slowly (a value every 0.05 s), through a worker in
// this process and the in-memory S3: the slow one, whose values the
// pruner rejects, is stopped through its marker and ends pruned at its
// last value, whichever of the two trials' keys sort first; the other
// completes. A trial that was not stopped would run its 200 steps (about
// 10 s) and hit the fake function's 10 s timeout.
func TestInTrialPruning(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "paced.sh")
	body := "i=1\nwhile [ $i -le 200 ]; do\n  echo \"{\\\"step\\\": $i, \\\"score\\\": $1}\"\n  if [ \"$2\" = slow ]; then sleep 0.05; fi\n  i=$((i+1))\ndone\necho \"{\\\"score\\\": $1}\"\n"
	if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &memS3{bucket: "bkt"}
	h := worker.NewLambdaHandlerWith(worker.LambdaConfig{Bucket: "bkt", CacheDir: t.TempDir(), Commands: true}, m)
	ex := NewWithClients(Config{Bucket: "bkt", Concurrency: 2}, Clients{Lambda: &fakeLambda{handler: h}, S3: m,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	ex.Base = worker.Request{Study: "s", Command: []string{"/bin/sh", script, "{score}", "{pace}"}, Workdir: dir}
	ex.Results = &worker.ResultsRef{Bucket: "bkt", Prefix: "results/s/"}
	ex.Pruning = &InTrialPruning{Pruner: belowHalf{}, Poll: 20 * time.Millisecond}

	// Trial 10's keys sort after trial 3's, which the poller must still
	// read as trial 3 writes them.
	for _, scores := range [][2]float64{{0.1, 0.9}, {0.9, 0.1}} {
		var trials []trial.Trial
		for i, n := range []int{3, 10} {
			pace := "fast"
			if scores[i] < 0.5 {
				pace = "slow"
			}
			trials = append(trials, trial.Trial{Number: n, Params: trial.Params{"score": scores[i], "pace": pace}})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
		results := make([]trial.Result, 2)
		var g errgroup.Group
		for i, tr := range trials {
			g.Go(func() (err error) {
				results[i], err = ex.Execute(ctx, tr)
				return err
			})
		}
		err := g.Wait()
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			want := trial.Complete
			if scores[i] < 0.5 {
				want = trial.Pruned
			}
			if r.State != want || len(r.Steps) == 0 || r.Score != scores[i] || r.Steps[len(r.Steps)-1].Value != scores[i] {
				t.Errorf("scores %v: trial %d: %s with %d steps, score %v (%s); want %s at its last value", scores, r.Number, r.State, len(r.Steps), r.Score, r.Error, want)
			}
			if want == trial.Pruned && len(r.Steps) >= 200 {
				t.Errorf("scores %v: trial %d pruned after its last step", scores, r.Number)
			}
		}
		// The next round runs the same trial numbers: start clean.
		m.mu.Lock()
		m.objects = nil
		m.mu.Unlock()
	}
}
