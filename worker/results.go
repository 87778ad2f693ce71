package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/trial"
)

// DefaultResultsPrefix is the key prefix under which Lambda workers store
// trial results, and the only one they write to unless configured
// otherwise (HPSEARCH_RESULTS_PREFIX).
const DefaultResultsPrefix = "results/"

// LambdaRequest is the payload of one Lambda invocation: a Request, with
// what only a Lambda worker needs besides. Its JSON is the Request's with
// extra fields, so a worker that knows only Request still reads it.
type LambdaRequest struct {
	Request
	// Results, when set, asks the worker to store the trial's result in
	// S3 before it answers, so that it survives a lost response or a
	// scheduler that died waiting for it.
	Results *ResultsRef `json:"results,omitempty"`
	// TrialTimeoutMS, when positive, bounds the trial: the worker stops
	// it that long after the invocation started (less a margin), and
	// reports the timeout, even when the function's own timeout is
	// longer.
	TrialTimeoutMS int64 `json:"trial_timeout_ms,omitempty"`
	// Refit, when set, makes the invocation a refit of the trial rather
	// than a trial (see Refit); Results is then where the model is
	// stored.
	Refit *Refit `json:"refit,omitempty"`
	// PrunePollMS, when positive in a command study's request with
	// Results, turns on in-trial pruning through S3: the worker PUTs each
	// intermediate value (StepKey) under Results.Prefix and HEADs the
	// trial's prune marker (PruneKey) every PrunePollMS milliseconds,
	// stopping the command when it appears (docs/lambda-pruning.md).
	PrunePollMS int64 `json:"prune_poll_ms,omitempty"`
}

// ResultsRef says where a worker stores trial results: the object of
// attempt a of trial n is Bucket/Prefix<n>/<a>.json (see ResultKey). The
// prefix names one study, as results/<study>/.
type ResultsRef struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
}

// StoredResult is the object a worker stores for one attempt of a trial.
type StoredResult struct {
	Study   string       `json:"study"`
	Trial   int          `json:"trial"`
	Attempt int          `json:"attempt"`
	Result  trial.Result `json:"result"`
}

// Values of LambdaResponse.Stored.
const (
	// StoredWritten: the result object was written.
	StoredWritten = "written"
	// StoredExists: an object for this attempt was there already (a
	// duplicate invocation wrote it) and was left as it was.
	StoredExists = "exists"
)

// ResultKey returns the key of attempt a of trial n under prefix.
func ResultKey(prefix string, n, a int) string {
	return prefix + strconv.Itoa(n) + "/" + strconv.Itoa(a) + ".json"
}

// ParseResultKey returns the trial number and attempt of a key made by
// ResultKey with prefix; ok is false for any other key.
func ParseResultKey(prefix, key string) (n, a int, ok bool) {
	rest, found := strings.CutPrefix(key, prefix)
	if !found {
		return 0, 0, false
	}
	ns, as, found := strings.Cut(rest, "/")
	as, json := strings.CutSuffix(as, ".json")
	if !found || !json {
		return 0, 0, false
	}
	n, err1 := strconv.Atoi(ns)
	a, err2 := strconv.Atoi(as)
	if err1 != nil || err2 != nil || n < 0 || a < 1 || strconv.Itoa(n) != ns || strconv.Itoa(a) != as {
		return 0, 0, false
	}
	return n, a, true
}

// ObjectPutter is the part of the S3 API that stores results; *s3.Client
// satisfies it.
type ObjectPutter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// checkResults refuses a results location outside the worker's bucket
// and results prefix, as S3Source.check does for datasets.
func (h *LambdaHandler) checkResults(ref *ResultsRef) error {
	loc := fmt.Sprintf("s3://%s/%s", ref.Bucket, ref.Prefix)
	switch {
	case h.cfg.Bucket == "":
		return fmt.Errorf("worker: store results at %s: %w: the worker has no bucket configured (HPSEARCH_BUCKET)", loc, ErrRefused)
	case ref.Bucket != h.cfg.Bucket:
		return fmt.Errorf("worker: store results at %s: %w: bucket %q is not the worker's bucket %q (HPSEARCH_BUCKET)", loc, ErrRefused, ref.Bucket, h.cfg.Bucket)
	case !strings.HasPrefix(ref.Prefix, h.cfg.ResultsPrefix) || len(ref.Prefix) <= len(h.cfg.ResultsPrefix) ||
		!strings.HasSuffix(ref.Prefix, "/") || strings.Contains(ref.Prefix, ".."):
		return fmt.Errorf("worker: store results at %s: %w: want a prefix of one study, %s<study>/ (HPSEARCH_RESULTS_PREFIX)", loc, ErrRefused, h.cfg.ResultsPrefix)
	}
	return nil
}

// storeResult writes res as attempt t.Attempt of trial t.Number with
// If-None-Match: *, so that a duplicate invocation of the same attempt
// cannot replace what the first one stored. It returns StoredWritten,
// StoredExists or the error.
func (h *LambdaHandler) storeResult(ctx context.Context, req LambdaRequest, res trial.Result) (string, error) {
	putter, ok := h.src.Client.(ObjectPutter)
	if !ok {
		return "", errors.New("worker: store result: the S3 client cannot write")
	}
	attempt := max(req.Trial.Attempt, 1)
	body, err := json.Marshal(StoredResult{Study: req.Study, Trial: req.Trial.Number, Attempt: attempt, Result: res})
	if err != nil {
		return "", fmt.Errorf("worker: store result: %w", err)
	}
	key := ResultKey(req.Results.Prefix, req.Trial.Number, attempt)
	// The trial may have used up its own deadline; the write still has
	// the margin left before Lambda's.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err = putter.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(req.Results.Bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
		IfNoneMatch: aws.String("*"),
	})
	switch {
	case err == nil:
		return StoredWritten, nil
	case isPreconditionFailed(err):
		return StoredExists, nil
	}
	return "", fmt.Errorf("worker: store result s3://%s/%s: %w", req.Results.Bucket, key, err)
}

// isPreconditionFailed reports whether a conditional PUT was refused
// because the object exists (412), or because a concurrent conditional
// write of the same key is in progress (409, which S3 asks to retry —
// but that other write is the duplicate whose object will be there).
func isPreconditionFailed(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		if s := re.HTTPStatusCode(); s == http.StatusPreconditionFailed || s == http.StatusConflict {
			return true
		}
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict")
}
