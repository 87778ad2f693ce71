// Package s3data ships datasets to S3 for Lambda workers: Push stores a
// dataset's binary form content-addressed under datasets/<sha256>, once,
// and Fetch reads a CSV or Parquet dataset named by an s3:// URI in a spec.
//
// A pushed object is immutable and named by its hash, so a worker that
// caches it by hash can never serve stale data, and pushing the same
// dataset twice uploads nothing the second time.
//
// Errors that say S3 could not be reached, rather than answering about the
// object (see Unreachable), wrap trial.ErrUnavailable, so that a study
// waits for S3 instead of failing trials.
package s3data
