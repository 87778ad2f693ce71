package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// bucketFlag is a --bucket flag: a name that is not a valid S3 bucket
// name (s3data.CheckBucketName) is refused while the flags are parsed, as
// a usage error naming the flag, before any request to S3.
type bucketFlag struct{ name *string }

func (b bucketFlag) String() string {
	if b.name == nil {
		return ""
	}
	return *b.name
}

func (b bucketFlag) Set(s string) error {
	if err := s3data.CheckBucketName(s); err != nil {
		return err
	}
	*b.name = s
	return nil
}

// Type names the flag's value in help.
func (b bucketFlag) Type() string { return "string" }

// bucketVar defines the --bucket flag of fs, stored in p, with the default
// value def (which is not checked: see envBucket) and help text usage.
func bucketVar(fs *pflag.FlagSet, p *string, def, usage string) {
	*p = def
	fs.Var(bucketFlag{p}, "bucket", usage)
}

// envBucket returns $HPSEARCH_BUCKET, or bad input naming the variable
// when it is set to a name that is not a valid bucket name.
func envBucket() (string, error) {
	v := os.Getenv("HPSEARCH_BUCKET")
	if v == "" {
		return "", nil
	}
	if err := s3data.CheckBucketName(v); err != nil {
		return "", &trial.InputError{File: "$HPSEARCH_BUCKET", Msg: fmt.Sprint(err)}
	}
	return v, nil
}
