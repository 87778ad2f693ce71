// Command worker is the AWS Lambda function of hpsearch: it serves one
// trial per invocation with worker.LambdaHandler, which runs the same
// Worker.Run as the local executor.
//
// Build it for the provided.al2023 runtime as a file named bootstrap:
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./cmd/worker
//
// (GOARCH=amd64 for an x86_64 function). It reads HPSEARCH_BUCKET and
// HPSEARCH_DATASETS_PREFIX from its environment.
package main
