package lambdaexec

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// ErrNotReady is wrapped by every Preflight error.
var ErrNotReady = errors.New("lambda backend not ready")

// Preflight checks, before any trial runs, that credentials are found,
// the function exists, with a timeout above Config.TrialTimeout, and the
// bucket (when configured) exists, and returns one error saying what is
// wrong and what to run (a *trial.InputError for the trial timeout).
// Credentials themselves never appear in its messages.
func (e *Executor) Preflight(ctx context.Context) error {
	if e.clients.Credentials != nil {
		if err := CheckCredentials(ctx, e.clients.Credentials); err != nil {
			return err
		}
	}
	fn, err := e.clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(e.cfg.Function)})
	var nf *types.ResourceNotFoundException
	switch {
	case err == nil && e.cfg.TrialTimeout > 0 && fn.Configuration != nil && fn.Configuration.Timeout != nil &&
		e.cfg.TrialTimeout >= time.Duration(*fn.Configuration.Timeout)*time.Second:
		return &trial.InputError{Field: "backend.trial_timeout", Msg: fmt.Sprintf(
			"%v must be below the timeout of function %q (%ds), so that a trial fails with its own timeout before Lambda kills it",
			e.cfg.TrialTimeout, e.cfg.Function, *fn.Configuration.Timeout)}
	case errors.As(err, &nf):
		return fmt.Errorf("lambdaexec: %w: function %q does not exist%s: run 'hpsearch deploy' to create it, or 'hpsearch emulate' to run it locally", ErrNotReady, e.cfg.Function, e.inRegion())
	case isForbidden(err):
		return fmt.Errorf("lambdaexec: %w: not allowed to read function %q%s; the credentials need lambda:GetFunction and lambda:InvokeFunction: %w", ErrNotReady, e.cfg.Function, e.inRegion(), err)
	case err != nil:
		return fmt.Errorf("lambdaexec: %w: function %q%s: %w", ErrNotReady, e.cfg.Function, e.inRegion(), err)
	}
	if e.cfg.Bucket == "" {
		return nil
	}
	_, err = e.clients.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(e.cfg.Bucket)})
	switch {
	case s3data.IsNotFound(err):
		return fmt.Errorf("lambdaexec: %w: bucket %q does not exist: create it with 'aws s3 mb s3://%s' (then 'hpsearch deploy --bucket %s'), or run 'hpsearch emulate' to work locally", ErrNotReady, e.cfg.Bucket, e.cfg.Bucket, e.cfg.Bucket)
	case isForbidden(err):
		return fmt.Errorf("lambdaexec: %w: not allowed to use bucket %q (it may belong to another account)", ErrNotReady, e.cfg.Bucket)
	case err != nil:
		return fmt.Errorf("lambdaexec: %w: bucket %q: %w", ErrNotReady, e.cfg.Bucket, err)
	}
	return nil
}

// CheckCredentials retrieves credentials from p (the standard chain:
// environment, profile, SSO, container or instance role) and, when there
// are none, returns the error that says how to configure them, wrapping
// ErrNotReady. It is the one wording for every command that needs AWS
// credentials (run on Lambda, deploy); the credentials never appear in it.
func CheckCredentials(ctx context.Context, p aws.CredentialsProvider) error {
	creds, err := p.Retrieve(ctx)
	if err != nil || !creds.HasKeys() {
		return fmt.Errorf("lambdaexec: %w: no AWS credentials found (configure a profile with 'aws configure' or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or run 'hpsearch emulate' to work locally)", ErrNotReady)
	}
	return nil
}

func (e *Executor) inRegion() string {
	if e.cfg.Region == "" {
		return ""
	}
	return " in " + e.cfg.Region
}

func isForbidden(err error) bool {
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 403
}
