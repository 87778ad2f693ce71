package deploy

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/serverless/s3data"
)

// Defaults for the zero values of Config.
const (
	DefaultFunction  = "hpsearch-worker"
	DefaultArch      = "arm64"
	DefaultMemory    = 1769 // MB: one full vCPU
	DefaultTimeout   = 300 * time.Second
	DefaultEphemeral = 512 // MB, Lambda's minimum
	Runtime          = "provided.al2023"
	Handler          = "bootstrap"
)

// Config is one function deployment. Zero values take the documented
// defaults; call Validate after setting it.
type Config struct {
	// Function is the function name. Empty means DefaultFunction.
	Function string
	// Bucket holds datasets/ (read) and results/ (written). Required.
	Bucket string
	// Arch is arm64 or x86_64. Empty means DefaultArch.
	Arch string
	// Memory in MB, 128 to 10240. Zero means DefaultMemory.
	Memory int
	// Timeout per invocation, whole seconds from 1 to 900. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Ephemeral is /tmp's size in MB, 512 to 10240. Zero means
	// DefaultEphemeral.
	Ephemeral int
	// Region is the AWS region; it appears in the log group ARN. Required
	// by Validate: a caller resolves it from the standard AWS chain and
	// reports ErrNoRegion when there is none, rather than assume one.
	Region string
	// Role is the execution role's name. Empty means Function + "-exec".
	Role string
}

// Sentinel errors.
var (
	// ErrInvalidConfig marks a Config that Validate rejected.
	ErrInvalidConfig = errors.New("deploy: invalid config")
	// ErrNoRegion marks a deployment for which neither the caller nor the
	// standard AWS configuration chain (AWS_REGION, AWS_DEFAULT_REGION,
	// the profile's region) names a region.
	ErrNoRegion = errors.New("deploy: no AWS region")
)

// The patterns compile on first use, not at start-up: a {1,64} repeat
// compiles to 64 copies, and every hpsearch command would pay for them.
var (
	functionNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`) })
	roleNameRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{1,64}$`) })
	regionRE       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`) })
)

// WithDefaults returns c with its zero values replaced by the defaults.
func (c Config) WithDefaults() Config {
	if c.Function == "" {
		c.Function = DefaultFunction
	}
	if c.Arch == "" {
		c.Arch = DefaultArch
	}
	if c.Memory == 0 {
		c.Memory = DefaultMemory
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Ephemeral == 0 {
		c.Ephemeral = DefaultEphemeral
	}
	if c.Role == "" {
		c.Role = c.Function + "-exec"
	}
	return c
}

// Validate checks c after defaults against Lambda's and IAM's limits.
// Errors wrap ErrInvalidConfig and name the field.
func (c Config) Validate() error {
	c = c.WithDefaults()
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case !functionNameRE().MatchString(c.Function):
		return bad("function", "%q: want 1 to 64 letters, digits, - or _", c.Function)
	case s3data.CheckBucketName(c.Bucket) != nil:
		return bad("bucket", "%v", s3data.CheckBucketName(c.Bucket))
	case c.Region == "":
		return fmt.Errorf("%w: region: %w", ErrInvalidConfig, ErrNoRegion)
	case c.Arch != "arm64" && c.Arch != "x86_64":
		return bad("arch", "%q: want arm64 or x86_64", c.Arch)
	case c.Memory < 128 || c.Memory > 10240:
		return bad("memory", "%d MB: want 128 to 10240", c.Memory)
	case c.Timeout < time.Second || c.Timeout > 900*time.Second || c.Timeout%time.Second != 0:
		return bad("timeout", "%v: want whole seconds from 1 to 900", c.Timeout)
	case c.Ephemeral < 512 || c.Ephemeral > 10240:
		return bad("ephemeral", "%d MB: want 512 to 10240", c.Ephemeral)
	case !regionRE().MatchString(c.Region):
		return bad("region", "%q: not an AWS region", c.Region)
	case !roleNameRE().MatchString(c.Role):
		return bad("role", "%q: not a valid IAM role name", c.Role)
	}
	return nil
}

// GOARCH is the Go architecture that builds the bootstrap for c.Arch.
func (c Config) GOARCH() string {
	if c.WithDefaults().Arch == "x86_64" {
		return "amd64"
	}
	return "arm64"
}

// LogGroup is the function's CloudWatch log group.
func (c Config) LogGroup() string { return "/aws/lambda/" + c.WithDefaults().Function }
