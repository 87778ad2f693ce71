package trial

import "errors"

// ErrUnavailable marks a failure of the infrastructure a trial runs on
// rather than of the trial itself: the backend refused or dropped the
// connection, its name did not resolve, it answered with server errors
// or throttling that outlasted the executor's retries, its credentials
// expired, or its storage (S3) could not be reached. An executor wraps it
// in the error it returns for such a failure; the scheduler then does not
// record the trial as failed but holds it in flight, pauses the study
// while it probes the backend, and runs the trial again once the backend
// answers (see scheduler.Run). The CLI maps it to exit code 1.
var ErrUnavailable = errors.New("backend unavailable")
