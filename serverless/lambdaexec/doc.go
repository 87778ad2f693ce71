// Package lambdaexec is the AWS Lambda backend of hpsearch: an Executor
// that runs each trial as one synchronous invocation of the worker
// function (cmd/worker), with the dataset shipped once through S3.
//
// The executor owns its retries. The SDK's retryer is disabled for Invoke,
// so that an invocation is never repeated behind the executor's back:
// throttling (429) is waited out with jittered backoff and never fails a
// trial; server errors and lost responses are retried a bounded number of
// times with the same trial number and Trial.Attempt incremented; a
// function error (a handler error, a crash, a timeout, running out of
// memory) is a failed trial carrying Lambda's message, never retried.
//
// Failures of the backend rather than the trial are errors wrapping
// trial.ErrUnavailable, never failed trials: an endpoint that cannot be
// reached, retries exhausted, throttling while no invocation gets an
// answer for Config.ThrottleTimeout, credentials refused or expired, the
// function gone, S3 unreachable. The scheduler holds such trials, probes
// the backend with Executor.Probe and runs them again when it answers.
//
// With Executor.Results set, the worker stores each result in S3 under
// the study's prefix before it answers, with a conditional write, and
// Executor.Recover finds the results of trials whose answers were lost
// with the scheduler, for resume. Config.TrialTimeout bounds each
// invocation below the function's timeout.
//
// Invocations go out without the SDK's per-call middleware stack (see
// directInvoke): the same request, signed with the SDK's SigV4 signer at
// the clock-skew-corrected time, sent once, with every answer other than
// a success decoded by the SDK itself, so that errors are exactly the
// SDK's. To a plain-HTTP endpoint (the emulators) it is written and its
// answer read on the calling goroutine over keep-alive connections of the
// executor's own (see connPool), elsewhere by the SDK's pooled net/http
// client. HPSEARCH_SDK_INVOKE=1 (EnvSDKInvoke) invokes through the SDK's
// client instead, and HPSEARCH_NETHTTP_INVOKE=1 (EnvNetHTTPInvoke) keeps
// net/http for every endpoint, for comparison.
//
// Figures from the invocation's REPORT log line (billed and init
// duration, max memory used) are recorded in Result.Backend.
package lambdaexec
