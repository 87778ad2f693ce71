package lambdaexec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/trial"
	"github.com/hpsearch/hpsearch/worker"
)

// ErrNoRefitSupport is the answer of a function whose worker does not
// know refits (deployed by an older hpsearch): it ran the request as a
// trial and stored no model. Redeploy, or refit in this process.
var ErrNoRefitSupport = errors.New("the function's worker does not know refits (deployed by an older hpsearch: run hpsearch deploy again, or refit locally)")

// Refit fits req's trial on every row of the study's dataset with one
// invocation of the function (worker.Refit), which stores the model file
// under the executor's Results prefix (worker.ModelKey) like a trial's
// result; Refit then reads it back and returns its bytes, checked against
// the digest the worker answered with. Base's dataset reference is used
// when req has none. It needs Results (see StudyResults): a model file
// may exceed Lambda's 6 MB response.
//
// Throttling is waited out and server errors or lost responses are
// retried, as for a trial (a refit is deterministic, so running it twice
// stores the same bytes). A function error, or a refit the worker reports
// failed, is an error with its message; bad input keeps
// trial.ErrBadInput. It counts against Config.Concurrency like a trial.
func (e *Executor) Refit(ctx context.Context, req worker.RefitRequest) ([]byte, error) {
	if e.Results == nil {
		return nil, fmt.Errorf("lambdaexec: refit: the study has no results location in S3 (a bucket is needed)")
	}
	if req.Dataset == (worker.DatasetRef{}) {
		req.Dataset = e.Base.Dataset
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.sem }()
	refit := req.Refit
	payload, err := json.Marshal(worker.LambdaRequest{Request: req.Request, Results: e.Results, Refit: &refit})
	if err != nil {
		return nil, fmt.Errorf("lambdaexec: refit: encode request: %w", err)
	}
	if len(payload) > MaxPayload {
		return nil, fmt.Errorf("lambdaexec: refit: %w (%d bytes)", ErrPayloadTooLarge, len(payload))
	}
	var throttles, retries int
	for {
		out, err := e.clients.Lambda.Invoke(ctx, &lambda.InvokeInput{
			FunctionName:   aws.String(e.cfg.Function),
			InvocationType: types.InvocationTypeRequestResponse,
			LogType:        types.LogTypeTail,
			Payload:        payload,
		}, noSDKRetries)
		if err == nil {
			e.lastAnswer.Store(time.Now().UnixNano())
			return e.refitAnswer(ctx, out)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch classify(err) {
		case throttled:
			throttles++
			if err := e.backoff(ctx, throttles, 100*time.Millisecond, 2*time.Second); err != nil {
				return nil, err
			}
			continue
		case retryable:
			retries++
			if e.cfg.MaxRetries >= 0 && retries <= e.cfg.MaxRetries {
				if err := e.backoff(ctx, retries, 200*time.Millisecond, 5*time.Second); err != nil {
					return nil, err
				}
				continue
			}
			return nil, fmt.Errorf("lambdaexec: refit: %w: %w: %w", trial.ErrUnavailable, ErrRetriesExhausted, err)
		case unreachable, refused:
			return nil, fmt.Errorf("lambdaexec: refit: %w: invoke %s: %w", trial.ErrUnavailable, e.cfg.Function, explain(err))
		}
		return nil, fmt.Errorf("lambdaexec: refit: invoke %s: %w", e.cfg.Function, explain(err))
	}
}

// refitAnswer reads the model file a refit's answer names.
func (e *Executor) refitAnswer(ctx context.Context, out *lambda.InvokeOutput) ([]byte, error) {
	if out.FunctionError != nil {
		var doc lambdaError
		msg := strings.TrimSpace(string(out.Payload))
		if json.Unmarshal(out.Payload, &doc) == nil && doc.ErrorMessage != "" {
			msg = doc.ErrorType + ": " + doc.ErrorMessage
		}
		return nil, fmt.Errorf("lambdaexec: refit: function error (%s): %s", *out.FunctionError, msg)
	}
	var resp worker.LambdaResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		return nil, fmt.Errorf("lambdaexec: refit: undecodable response: %w", err)
	}
	if resp.State != trial.Complete {
		err := fmt.Errorf("lambdaexec: refit: %s", resp.Error)
		if strings.Contains(resp.Error, trial.ErrBadInput.Error()) {
			err = fmt.Errorf("%w: %s", trial.ErrBadInput, strings.TrimPrefix(err.Error(), trial.ErrBadInput.Error()+": "))
		}
		return nil, err
	}
	m := resp.ModelFile
	if m == nil {
		return nil, fmt.Errorf("lambdaexec: refit: %w", ErrNoRefitSupport)
	}
	got, err := e.clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(m.Bucket), Key: aws.String(m.Key)})
	if err != nil {
		return nil, fmt.Errorf("lambdaexec: refit: read the model s3://%s/%s: %w", m.Bucket, m.Key, err)
	}
	defer got.Body.Close()
	file, err := io.ReadAll(got.Body)
	if err != nil {
		return nil, fmt.Errorf("lambdaexec: refit: read the model s3://%s/%s: %w", m.Bucket, m.Key, err)
	}
	if sum := sha256.Sum256(file); hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, fmt.Errorf("lambdaexec: refit: the model s3://%s/%s has sha256 %x, the worker stored %s", m.Bucket, m.Key, sum, m.SHA256)
	}
	return file, nil
}
