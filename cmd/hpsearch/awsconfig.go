package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/hpsearch/hpsearch/serverless/s3data"
)

// loadAWSConfig is config.LoadDefaultConfig with the SDK's log lines sent
// to slog at debug level (s3data.SDKLogger) rather than to standard
// error, where its "WARN falling back to IMDSv1" would land among the
// CLI's output. Every command that talks to AWS loads its configuration
// here.
func loadAWSConfig(ctx context.Context, opts ...func(*config.LoadOptions) error) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx, append(opts, config.WithLogger(s3data.SDKLogger{}))...)
}
