package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hpsearch/hpsearch/worker"
)

// lambdaBootstrap reports whether this process is a Lambda function's
// bootstrap rather than a command line: the Lambda runtime API is there
// (AWS_LAMBDA_RUNTIME_API) and hpsearch was started as bootstrap or with
// no arguments, as Lambda's provided runtimes and the runtime interface
// emulator start it. Bare hpsearch elsewhere prints its usage.
func lambdaBootstrap(getenv func(string) string, args []string) bool {
	if getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return false
	}
	return len(args) <= 1 || filepath.Base(args[0]) == "bootstrap"
}

// serveLambda serves the function's invocations with worker.LambdaHandler,
// the handler cmd/worker serves, until the runtime stops the process. It
// returns the exit code of a handler that could not start.
func serveLambda() int {
	h, err := worker.NewLambdaHandler(context.Background(), os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	lambda.Start(h)
	return 0
}
