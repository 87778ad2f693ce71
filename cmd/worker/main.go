// Command worker is the bootstrap of the hpsearch Lambda function built on
// its own: it serves each invocation with worker.LambdaHandler, one trial
// per invocation. The hpsearch binary serves the same handler when it
// finds itself in a Lambda runtime (AWS_LAMBDA_RUNTIME_API set, started
// as bootstrap or with no arguments), so an installed hpsearch is enough
// to deploy and emulate; this smaller build (no command line, stripped,
// tagged lambda.norpc) is what deploy cross-compiles when the running
// hpsearch cannot be packaged (another architecture, or linked with cgo)
// and what emulate runs in a source checkout. It is worker.Main with
// hpsearch's families: a worker of your own is the same few lines with
// yours (see worker.Main's example).
package main

import (
	"github.com/hpsearch/hpsearch/worker"
	// Refit requests fit a trial on every row with package model.
	_ "github.com/hpsearch/hpsearch/refit"
	// Every model family the worker can run registers itself.
	_ "github.com/hpsearch/hpsearch/trainers/zoo"
)

func main() { worker.Main() }
