package worker

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// ErrNotInLambda is returned by Serve in a process that no Lambda runtime
// started: there is no runtime API to take invocations from.
var ErrNotInLambda = errors.New("worker: not in a Lambda runtime (AWS_LAMBDA_RUNTIME_API is not set)")

// Main is the whole main function of a Lambda worker of your own: the
// hpsearch worker with the model families and objectives your program
// registers (trainers.Register, usually from an init function or by
// importing a package for its side effect) besides any you import from
// hpsearch (trainers/zoo for all of them). Import package refit for its
// side effect too if the function is to serve refits (the end of a study
// of models). Build the program for Lambda's provided.al2023 runtime as a
// file named bootstrap, as cmd/worker is built:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap .
//
// and deploy it in place of hpsearch's (hpsearch deploy --worker bootstrap). It
// reads its configuration from the environment (LambdaConfigFromEnv:
// HPSEARCH_BUCKET, HPSEARCH_DATASETS_PREFIX, HPSEARCH_RESULTS_PREFIX,
// HPSEARCH_COMMANDS) and the AWS chain, as cmd/worker does.
//
// Main serves invocations until the runtime stops the process, and never
// returns: when the worker cannot start (outside a Lambda runtime, or
// without an AWS configuration) it prints why on standard error and exits
// with status 1.
//
// The requests come from whoever drives the study: the scheduler names a
// family by its name, so a study of a family only your worker knows is
// driven by a program that registers the same family (hpsearch's command
// line knows its own families only).
func Main() {
	if err := Serve(context.Background(), os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Serve serves the Lambda invocations of this process with a LambdaHandler
// configured from getenv (see NewLambdaHandler) until the runtime stops
// the process, with ctx as every invocation's parent context. It returns
// ErrNotInLambda at once when getenv has no AWS_LAMBDA_RUNTIME_API, and
// the handler's error when it cannot start; once serving, it does not
// return (the Lambda runtime client ends the process on a fatal error of
// the runtime API).
func Serve(ctx context.Context, getenv func(string) string) error {
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return ErrNotInLambda
	}
	h, err := NewLambdaHandler(ctx, getenv)
	if err != nil {
		return err
	}
	lambda.StartWithOptions(h, lambda.WithContext(ctx))
	return nil
}
