package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/trial"
)

// In-trial pruning of a command study on Lambda (docs/lambda-pruning.md):
// the worker PUTs each intermediate value under the study's results
// prefix and HEADs the trial's prune marker every poll interval; the
// scheduler (lambdaexec.StepPoller) lists the values, judges them with
// the study's pruner and PUTs the marker.

// StepKey returns the key of the intermediate value at step of attempt a
// of trial n under prefix, the study's results prefix:
// prefix/steps/<n 8 digits>/<a 4 digits>/<step 8 digits>.json, so that
// keys list in trial, attempt and step order, and a trial run again (a
// retry, or a re-run on resume) never reads or mixes in an earlier run's
// values. Attempts count from 1, as ResultKey's do.
func StepKey(prefix string, n, a int, step int64) string {
	return fmt.Sprintf("%s%s%08d.json", prefix, stepDir(n, a), step)
}

// StepPrefix returns the prefix under which attempt a of trial n stores
// its values (see StepKey).
func StepPrefix(prefix string, n, a int) string { return prefix + stepDir(n, a) }

func stepDir(n, a int) string { return fmt.Sprintf("steps/%08d/%04d/", n, max(a, 1)) }

// PruneKey returns the key of the prune marker of attempt a of trial n
// under prefix: prefix/prune/<n 8 digits>-<a 4 digits>. A marker left by
// an earlier attempt does not stop a later one.
func PruneKey(prefix string, n, a int) string {
	return fmt.Sprintf("%sprune/%08d-%04d", prefix, n, max(a, 1))
}

// StoredStep is the object of one intermediate value (StepKey).
type StoredStep struct {
	Trial int     `json:"trial"`
	Step  int64   `json:"step"`
	Score float64 `json:"score"`
	// At is when the worker read the value (RFC 3339, UTC).
	At time.Time `json:"at"`
}

// StepObjects is the part of the S3 API the worker's in-trial pruning
// uses; *s3.Client satisfies it.
type StepObjects interface {
	ObjectPutter
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// s3Pruning is the commandrun.Watcher of one trial run by a Lambda
// worker: ShouldPrune stores each value and never decides itself; Watch
// polls the marker the scheduler writes when it decides.
type s3Pruning struct {
	client StepObjects
	ref    ResultsRef
	poll   time.Duration
}

var _ commandrun.Watcher = (*s3Pruning)(nil)

// ShouldPrune PUTs the last value of steps, and returns false: the
// decision is the scheduler's, and arrives through Watch. A value that
// cannot be stored is not judged (the trial runs on); the result still
// carries it.
func (p *s3Pruning) ShouldPrune(t trial.Trial, steps []trial.Step) bool {
	last := steps[len(steps)-1]
	body, err := json.Marshal(StoredStep{Trial: t.Number, Step: last.Step, Score: last.Value, At: time.Now().UTC()})
	if err != nil { // a NaN or infinite score: not a value the pruner judges
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = p.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(p.ref.Bucket),
		Key:         aws.String(StepKey(p.ref.Prefix, t.Number, t.Attempt, last.Step)),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	return false
}

// Watch HEADs t's prune marker every poll interval until it exists (the
// channel is then closed) or ctx ends.
func (p *s3Pruning) Watch(ctx context.Context, t trial.Trial) <-chan struct{} {
	c := make(chan struct{})
	key := PruneKey(p.ref.Prefix, t.Number, t.Attempt)
	go func() {
		tick := time.NewTicker(p.poll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			_, err := p.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.ref.Bucket), Key: aws.String(key)})
			if err == nil {
				close(c)
				return
			}
			// A 404 is the usual answer; other errors are tried again at
			// the next tick, as the trial can run on without a decision.
		}
	}()
	return c
}
