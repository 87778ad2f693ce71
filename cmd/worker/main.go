package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hpsearch/hpsearch/worker"
	// Every model family the worker can run registers itself.
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
)

func main() {
	h, err := worker.NewLambdaHandler(context.Background(), os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h)
}
