package lambdaexec

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/commandrun"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// DefaultPrunePoll is InTrialPruning.Poll's default.
const DefaultPrunePoll = time.Second

// EnvPrunePoll overrides InTrialPruning.Poll (a Go duration, as 250ms).
const EnvPrunePoll = "HPSEARCH_PRUNE_POLL"

// InTrialPruning is in-trial pruning of a command study on Lambda
// (docs/lambda-pruning.md). Set as Executor.Pruning (with
// Executor.Results, where the objects go), it makes each invocation ask
// the worker to PUT its intermediate values under the study's results
// prefix (worker.StepKey) and to poll the trial's prune marker
// (worker.PruneKey); while trials run, a goroutine LISTs each running
// trial's new values every Poll (StartAfter its last key seen), GETs
// them, feeds them in step order to Pruner — the pruner the local
// backend uses, so the decisions are the local ones — and PUTs the
// marker of a trial Pruner says to stop.
//
// The goroutine runs while at least one trial does: the first Execute
// starts it, the last to return stops it and waits for it, so none
// outlives the executor's calls. Values of trials not running (an
// earlier run of a resumed study) are ignored; S3 errors are logged and
// the poll tried again at the next interval: without a decision the
// trial runs to its end, as without pruning. It is safe for concurrent
// use.
type InTrialPruning struct {
	// Pruner judges the values; scheduler.Pruning is one. Required.
	Pruner commandrun.Pruner
	// Poll is how often the scheduler lists values and the worker checks
	// its marker; 0 means DefaultPrunePoll.
	Poll time.Duration

	mu      sync.Mutex
	running map[int]*remoteTrial
	stop    context.CancelFunc
	done    chan struct{}
}

// remoteTrial is what the poller knows of one running trial.
type remoteTrial struct {
	t      trial.Trial
	after  string // the last step key read
	steps  []trial.Step
	marked bool
}

func (p *InTrialPruning) poll() time.Duration {
	if p.Poll > 0 {
		return p.Poll
	}
	return DefaultPrunePoll
}

// enter registers t as running, starting the poller for the first one;
// the returned function unregisters it and stops the poller after the
// last one.
func (p *InTrialPruning) enter(e *Executor, t trial.Trial) (leave func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.running == nil {
		p.running = map[int]*remoteTrial{}
	}
	p.running[t.Number] = &remoteTrial{t: t}
	if p.stop == nil {
		ctx, cancel := context.WithCancel(context.Background())
		p.stop, p.done = cancel, make(chan struct{})
		go p.loop(ctx, e.clients.S3, *e.Results, e.log, p.done)
	}
	return func() {
		p.mu.Lock()
		delete(p.running, t.Number)
		if len(p.running) > 0 {
			p.mu.Unlock()
			return
		}
		stop, done := p.stop, p.done
		p.stop, p.done = nil, nil
		p.mu.Unlock()
		stop()
		<-done
	}
}

// retry records that trial n is invoked again as attempt a: its values
// and marker are that attempt's (worker.StepKey, worker.PruneKey), so
// what is known of the earlier attempt is dropped.
func (p *InTrialPruning) retry(n, a int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if rt := p.running[n]; rt != nil {
		t := rt.t
		t.Attempt = a
		*rt = remoteTrial{t: t}
	}
}

// loop polls until ctx ends.
func (p *InTrialPruning) loop(ctx context.Context, client S3API, ref worker.ResultsRef, log *slog.Logger, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(p.poll())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p.mu.Lock()
		var numbers []int
		for n, rt := range p.running {
			if !rt.marked {
				numbers = append(numbers, n)
			}
		}
		p.mu.Unlock()
		sort.Ints(numbers)
		for _, n := range numbers {
			if err := p.pollTrial(ctx, client, ref, n); err != nil && ctx.Err() == nil {
				log.Warn("in-trial pruning: poll", "trial", n, "err", err)
			}
		}
	}
}

// pollTrial reads trial n's new values and judges them, PUTting its
// marker when Pruner says stop.
func (p *InTrialPruning) pollTrial(ctx context.Context, client S3API, ref worker.ResultsRef, n int) error {
	p.mu.Lock()
	rt := p.running[n]
	var after string
	var attempt int
	if rt != nil {
		after, attempt = rt.after, rt.t.Attempt
	}
	p.mu.Unlock()
	if rt == nil {
		return nil
	}
	prefix := worker.StepPrefix(ref.Prefix, n, attempt)
	in := &s3.ListObjectsV2Input{Bucket: aws.String(ref.Bucket), Prefix: aws.String(prefix)}
	if after != "" {
		in.StartAfter = aws.String(after)
	}
	var keys []string
	for {
		out, err := client.ListObjectsV2(ctx, in)
		if err != nil {
			return fmt.Errorf("lambdaexec: list s3://%s/%s: %w", ref.Bucket, prefix, err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	for _, key := range keys {
		s, err := readStep(ctx, client, ref.Bucket, key)
		if err != nil {
			return err
		}
		p.mu.Lock()
		if rt.t.Attempt != attempt { // retried meanwhile: a new attempt's keys
			p.mu.Unlock()
			return nil
		}
		rt.after = key
		if k := len(rt.steps); s.Trial != n || (k > 0 && s.Step <= rt.steps[k-1].Step) {
			p.mu.Unlock()
			continue
		}
		rt.steps = append(rt.steps, trial.Step{Step: s.Step, Value: s.Score})
		steps := append([]trial.Step(nil), rt.steps...)
		t := rt.t
		p.mu.Unlock()
		if !p.Pruner.ShouldPrune(t, steps) {
			continue
		}
		marker := worker.PruneKey(ref.Prefix, n, attempt)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(marker),
			Body: strings.NewReader("")}); err != nil {
			return fmt.Errorf("lambdaexec: put prune marker s3://%s/%s: %w", ref.Bucket, marker, err)
		}
		p.mu.Lock()
		if rt.t.Attempt == attempt {
			rt.marked = true
		}
		p.mu.Unlock()
		return nil
	}
	return nil
}

// readStep GETs one value object.
func readStep(ctx context.Context, client S3API, bucket, key string) (worker.StoredStep, error) {
	var s worker.StoredStep
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return s, fmt.Errorf("lambdaexec: get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, 1<<16))
	if err == nil {
		err = json.Unmarshal(body, &s)
	}
	if err != nil {
		return s, fmt.Errorf("lambdaexec: read s3://%s/%s: %w", bucket, key, err)
	}
	return s, nil
}
