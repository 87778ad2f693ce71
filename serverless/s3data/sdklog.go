package s3data

import (
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// SDKLogger is the logger hpsearch gives the AWS SDK
// (config.WithLogger). The SDK's own default writes its warnings, such as
// "falling back to IMDSv1" when credentials are looked up away from EC2,
// to standard error among the CLI's output; SDKLogger passes every line
// to slog.Default at debug level instead, tagged source=aws-sdk.
type SDKLogger struct{}

var _ logging.Logger = SDKLogger{}

// Logf logs the SDK's line at debug level, with its classification.
func (SDKLogger) Logf(c logging.Classification, format string, v ...any) {
	slog.Debug(fmt.Sprintf(format, v...), "source", "aws-sdk", "sdk_level", string(c))
}
