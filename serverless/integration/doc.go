// Package integration holds the end-to-end tests of the Lambda backend.
// TestMain builds cmd/worker for this machine, starts an emulation
// (serverless/emulate: versitygw for S3 and aws-lambda-rie environments
// behind a Lambda API router, all on 127.0.0.1) and points the AWS SDK's
// standard configuration at it; the tests then push a dataset and run
// trials through lambdaexec exactly as 'hpsearch run' would.
//
// The first run builds the emulator's tools (a minute or two); they are
// cached in the user's cache directory.
package integration
