// Command worker is the AWS Lambda function of hpsearch: it serves one
// trial per invocation with worker.LambdaHandler, which runs the same
// Worker.Run as the local executor.
//
// Build it for the provided.al2023 runtime as a file named bootstrap:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./cmd/worker
//
// (GOARCH=amd64 for an x86_64 function). It reads HPSEARCH_BUCKET,
// HPSEARCH_DATASETS_PREFIX and HPSEARCH_RESULTS_PREFIX from its
// environment.
//
// Whoever may invoke the function chooses its payload, so the worker reads
// no file of its own for a request: only bundled datasets named exactly,
// and objects of its bucket under the datasets prefix whose bytes match the
// request's sha256 (see worker.LambdaHandler.Handle).
package main
