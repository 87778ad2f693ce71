package worker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hpsearch/hpsearch/trial"
)

// Refit is what turns a LambdaRequest into a refit: instead of
// cross-validating the request's trial, the worker fits it on every row of
// the dataset (see RefitFunc), stores the model file under the request's
// Results prefix (ModelKey) and answers with where (LambdaResponse.ModelFile).
type Refit struct {
	// CVScore is the trial's cross-validated score, recorded in the
	// model file; nil when unknown.
	CVScore *float64 `json:"cv_score,omitempty"`
	// Version is the hpsearch version the model file records. The
	// caller sends its own, so that a refit gives the same bytes in
	// Lambda as in the caller's process.
	Version string `json:"version,omitempty"`
}

// RefitRequest is one refit: the study's settings and the trial to fit on
// every row (Request; its CV is not used), and what the model file
// records about it.
type RefitRequest struct {
	Request
	Refit
}

// RefitFunc fits req's trial on every row of its dataset, loading the
// dataset through w, and returns the model file's bytes. The same request
// must give the same bytes wherever it runs. Errors caused by the request
// or the data wrap trial.ErrBadInput; a cancelled ctx returns ctx.Err().
//
// Package refit provides it (refit.FitModel, with package model's Fit);
// it is registered rather than called because package model builds on
// this one.
type RefitFunc func(ctx context.Context, w *Worker, req RefitRequest) ([]byte, error)

// ErrNoRefit is a refit asked of a process in which no RefitFunc was
// registered (a worker built without package refit).
var ErrNoRefit = errors.New("worker: this worker cannot refit (built without package refit)")

var refitMu sync.Mutex
var refitFunc RefitFunc

// RegisterRefit makes f the refit of every LambdaHandler in the process.
// Package refit calls it from init; a binary serving refits imports that
// package. It panics when called twice, a programming mistake.
func RegisterRefit(f RefitFunc) {
	refitMu.Lock()
	defer refitMu.Unlock()
	if refitFunc != nil {
		panic("worker: RegisterRefit called twice")
	}
	refitFunc = f
}

func registeredRefit() RefitFunc {
	refitMu.Lock()
	defer refitMu.Unlock()
	return refitFunc
}

// StoredModel says where a Lambda refit stored the model file it made.
type StoredModel struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	// SHA256 is the SHA-256 of the file's bytes, in lowercase hex.
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// ModelKey returns the key of the model file of trial n's refit under a
// study's results prefix: <prefix>model/<n>.hpm. ParseResultKey does not
// take it for a result.
func ModelKey(prefix string, n int) string {
	return prefix + "model/" + strconv.Itoa(n) + ".hpm"
}

// handleRefit serves a LambdaRequest with Refit set: it fits the trial on
// every row with the registered RefitFunc, stores the model file at
// ModelKey under the request's Results prefix, and answers with a result
// whose State says whether it worked (Error says why not) and, when it
// did, Model. The same checks as for a trial's results apply to the
// location; a refit without one is refused, as the answer alone could not
// carry a model of more than Lambda's 6 MB response limit.
func (h *LambdaHandler) handleRefit(ctx context.Context, lreq LambdaRequest) LambdaResponse {
	start := time.Now()
	t := lreq.Trial
	res := trial.Result{Number: t.Number, Model: t.Model, Params: t.Params, Seed: t.Seed, Budget: t.Budget, State: trial.Failed}
	resp := LambdaResponse{S3Gets: h.src.Gets(), Environment: h.env}
	fail := func(err error) LambdaResponse {
		res.Error = err.Error()
		if d := h.src.loaded(lreq.Dataset); d != nil {
			res.Error = withhold(res.Error, d)
		}
		res.Seconds = time.Since(start).Seconds()
		resp.Result, resp.S3Gets = res, h.src.Gets()
		return resp
	}
	if lreq.Results == nil {
		return fail(fmt.Errorf("worker: refit trial %d: %w: the request names no results location to store the model in", t.Number, ErrRefused))
	}
	if err := h.checkResultsRef(lreq.Results); err != nil {
		return fail(err)
	}
	f := registeredRefit()
	if f == nil {
		return fail(ErrNoRefit)
	}
	runCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		margin := min(h.cfg.DeadlineMargin, time.Until(dl)/10)
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, dl.Add(-margin))
		defer cancel()
	}
	file, err := safeRefit(runCtx, f, h.worker, RefitRequest{Request: lreq.Request, Refit: *lreq.Refit})
	if err != nil {
		return fail(fmt.Errorf("worker: refit trial %d: %w", t.Number, err))
	}
	putter, ok := h.src.Client.(ObjectPutter)
	if !ok {
		return fail(errors.New("worker: store model: the S3 client cannot write"))
	}
	key := ModelKey(lreq.Results.Prefix, t.Number)
	// The fit may have used up its own deadline; the write still has the
	// margin left before Lambda's.
	putCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := putter.PutObject(putCtx, &s3.PutObjectInput{
		Bucket:      aws.String(lreq.Results.Bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(file),
		ContentType: aws.String("text/plain; charset=utf-8"),
	}); err != nil {
		return fail(fmt.Errorf("worker: store model s3://%s/%s: %w", lreq.Results.Bucket, key, err))
	}
	sum := sha256.Sum256(file)
	res.State, res.Seconds = trial.Complete, time.Since(start).Seconds()
	resp.Result, resp.S3Gets = res, h.src.Gets()
	resp.ModelFile = &StoredModel{Bucket: lreq.Results.Bucket, Key: key, SHA256: hex.EncodeToString(sum[:]), Bytes: len(file)}
	return resp
}

// safeRefit calls f, turning a panic into an error.
func safeRefit(ctx context.Context, f RefitFunc, w *Worker, req RefitRequest) (file []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			file, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return f(ctx, w, req)
}
