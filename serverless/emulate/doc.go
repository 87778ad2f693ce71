// Package emulate runs AWS Lambda and S3 on this machine for integration
// tests and for trying hpsearch without an AWS account.
//
// An [Emulation] is three kinds of real processes on 127.0.0.1:
//
//   - versitygw, an S3 gateway, in posix mode over a directory;
//   - a fleet of Workers execution environments, each an aws-lambda-rie
//     process running the function's bootstrap binary, as Lambda's
//     provided.al2023 runtime does;
//   - a router (in this process) that speaks the Lambda Invoke and
//     GetFunction APIs, sends each invocation to an idle environment and
//     throttles with TooManyRequestsException when all are busy, as a
//     function with reserved concurrency Workers would.
//
// The two tools are built from the versions pinned in the repository's
// tools module with go install MODULE@VERSION, which needs Go but not the
// source tree, and cached, so only the first run pays for the build; a
// binary on PATH at the pinned version, or one named by $HPSEARCH_RIE or
// $HPSEARCH_VERSITYGW, is used instead (see [InstallTools]). The
// bootstrap is built by [BuildWorker], which needs the source tree.
//
// The router is where faults are injected (see [Faults]), so that the
// executor's retry and error handling can be tested against throttling,
// server errors, lost responses, latency, workers that crash
// mid-invocation and invocations that time out. [ParseFaults] reads the
// rates of 'hpsearch emulate --faults' (429=0.1,5xx=0.05,...) into
// seeded [RandomFaults], so that users can rehearse a bad day too.
//
// With Options.Simulate the environments are virtual instead (see
// [Simulated]): no process each, the real worker run in this process, and
// answers held for a simulated duration, with Lambda's cold starts,
// scaling limits and billed durations, so that a study of a thousand
// environments can be rehearsed on one machine. Only the S3 gateway is a
// process then.
//
// What the runtime interface emulator does not reproduce and the router
// adds: function errors are reported with X-Amz-Function-Error, timeouts
// as Sandbox.Timedout, a runtime that uses more than its memory is killed
// and reported as Runtime.OutOfMemory, and the REPORT line's Max Memory
// Used is the runtime process's peak resident set size. A failed init the
// emulator reports without an error document is Runtime.ExitError.
//
// What it reproduces differently: a cold start's init runs within the
// function's timeout (the emulator starts one timer for init and
// invocation), where Lambda gives init 10 s of its own. On a busy machine
// a function with a timeout of a few seconds can time out in its init, so
// tests give their functions a timeout no shorter than Lambda's init
// limit.
package emulate
