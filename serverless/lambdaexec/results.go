package lambdaexec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/results"
	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// StudyResults returns where the workers of a study store its results:
// bucket, under results/<name>-<created>/, where name and created are
// those of study, the event that opens the study's journal. The creation
// time keeps two studies of one name (in two directories, on two
// machines) apart, and is the same however often the study is resumed.
// An empty bucket returns nil: results are then not stored.
func StudyResults(bucket string, study results.Event) *worker.ResultsRef {
	if bucket == "" {
		return nil
	}
	id := study.Study
	if !study.Time.IsZero() {
		id += "-" + study.Time.UTC().Format("20060102T150405.000000000Z")
	}
	return &worker.ResultsRef{Bucket: bucket, Prefix: worker.DefaultResultsPrefix + id + "/"}
}

// StoredResults lists the result objects under the executor's Results
// prefix and returns, for each trial number, its attempts with a stored
// result, in increasing order.
func (e *Executor) StoredResults(ctx context.Context) (map[int][]int, error) {
	return e.storedResults(ctx, func(int) bool { return true })
}

// storedResults is StoredResults of the trial numbers keep says to keep.
func (e *Executor) storedResults(ctx context.Context, keep func(n int) bool) (map[int][]int, error) {
	out := map[int][]int{}
	if e.Results == nil {
		return out, nil
	}
	in := &s3.ListObjectsV2Input{Bucket: aws.String(e.Results.Bucket), Prefix: aws.String(e.Results.Prefix)}
	for {
		page, err := e.clients.S3.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("lambdaexec: list s3://%s/%s: %w", e.Results.Bucket, e.Results.Prefix, err)
		}
		for _, o := range page.Contents {
			if n, a, ok := worker.ParseResultKey(e.Results.Prefix, aws.ToString(o.Key)); ok && keep(n) {
				out[n] = append(out[n], a)
			}
		}
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil {
			break
		}
		in.ContinuationToken = page.NextContinuationToken
	}
	for _, as := range out {
		slices.Sort(as)
	}
	return out, nil
}

// Recover finds the results that workers stored for the trials a study's
// journal (events, in order) shows dispatched without a result — those in
// flight when the study was interrupted, whose answers were lost with the
// scheduler — and returns one final result for each trial that has any:
// its lowest stored attempt's, so that the choice does not depend on which
// of several invocations finished first. A stored result whose trial,
// model, seed or parameters differ from the dispatch (another scheduler's,
// say) is ignored, with a warning.
//
// Trials numbered beyond the journal's highest are included too: the
// scheduler runs a trial before its dispatch is durable, so one may have
// run, and stored its result, without a trace in the journal. The caller
// journals a dispatch for those before their results (their Model,
// Params, Seed and Budget are the result's; it should check the seed).
//
// The results carry Backend "recovered" 1 and "attempt"; they are in
// trial order. With no Results prefix set, Recover returns nothing. See
// RecoverInFlight, which takes what Recover reads of the events.
func (e *Executor) Recover(ctx context.Context, events []results.Event) ([]trial.Result, error) {
	inflight := map[int]trial.Trial{}
	next := 0
	for _, ev := range events {
		switch ev.Type {
		case results.EventDispatch:
			inflight[ev.Trial.Number] = *ev.Trial
			next = max(next, ev.Trial.Number+1)
		case results.EventResult:
			delete(inflight, ev.Result.Number)
			next = max(next, ev.Result.Number+1)
		}
	}
	return e.RecoverInFlight(ctx, slices.Collect(maps.Values(inflight)), next)
}

// RecoverInFlight is Recover for a caller that has read the journal
// itself, streaming it (scheduler.Planner does): inflight holds the
// trials dispatched without a result, each as last dispatched (its
// Attempt does not matter), and next is one more than the journal's
// highest trial number. Stored results of other numbers below next are
// not read.
func (e *Executor) RecoverInFlight(ctx context.Context, inflight []trial.Trial, next int) ([]trial.Result, error) {
	if e.Results == nil {
		return nil, nil
	}
	lost := make(map[int]trial.Trial, len(inflight))
	for _, t := range inflight {
		lost[t.Number] = t
	}
	// The listing names every result stored, one for each trial of the
	// study: only those of lost trials are kept.
	stored, err := e.storedResults(ctx, func(n int) bool {
		_, ok := lost[n]
		return ok || n >= next
	})
	if err != nil {
		return nil, err
	}
	for n := range stored {
		if n >= next {
			lost[n] = trial.Trial{Number: n} // model and seed unknown
		}
	}
	var out []trial.Result
	for _, n := range slices.Sorted(maps.Keys(lost)) {
		t := lost[n]
		for _, a := range stored[n] {
			r, err := e.readResult(ctx, n, a)
			if err == nil && n < next && (r.Result.Model != t.Model || r.Result.Seed != t.Seed || !sameParams(r.Result.Params, t.Params)) {
				err = fmt.Errorf("it is of another trial (model %q, seed %d, %s; the journal dispatched %q, seed %d, %s)",
					r.Result.Model, r.Result.Seed, r.Result.Params.Format(), t.Model, t.Seed, t.Params.Format())
			}
			if err != nil {
				e.log.Warn("ignoring a stored result", "trial", n, "attempt", a, "err", err)
				continue
			}
			res := r.Result
			res.Number = n
			res.Backend = maps.Clone(res.Backend)
			if res.Backend == nil {
				res.Backend = map[string]float64{}
			}
			res.Backend["recovered"] = 1
			res.Backend["attempt"] = float64(a)
			out = append(out, res)
			break
		}
	}
	return out, nil
}

// sameParams reports whether a and b hold the same values, compared as
// the journal and the stored results record them: in JSON, where 3 and
// 3.0 are one number.
func sameParams(a, b trial.Params) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// readResult reads and checks the stored result of attempt a of trial n.
func (e *Executor) readResult(ctx context.Context, n, a int) (worker.StoredResult, error) {
	key := worker.ResultKey(e.Results.Prefix, n, a)
	obj, err := e.clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(e.Results.Bucket), Key: aws.String(key)})
	if err != nil {
		return worker.StoredResult{}, fmt.Errorf("get s3://%s/%s: %w", e.Results.Bucket, key, err)
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(io.LimitReader(obj.Body, MaxPayload))
	if err != nil {
		return worker.StoredResult{}, fmt.Errorf("read s3://%s/%s: %w", e.Results.Bucket, key, err)
	}
	var r worker.StoredResult
	switch err := json.Unmarshal(b, &r); {
	case err != nil:
		return r, fmt.Errorf("s3://%s/%s: %w", e.Results.Bucket, key, err)
	case r.Trial != n || r.Attempt != a:
		return r, fmt.Errorf("s3://%s/%s holds trial %d attempt %d", e.Results.Bucket, key, r.Trial, r.Attempt)
	case !r.Result.State.Final():
		return r, fmt.Errorf("s3://%s/%s: state %q is not final", e.Results.Bucket, key, r.Result.State)
	}
	return r, nil
}
