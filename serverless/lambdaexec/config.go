package lambdaexec

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hpsearch/hpsearch/serverless/s3data"
	"github.com/hpsearch/hpsearch/trial"
)

// Defaults of Config.
const (
	DefaultFunction    = "hpsearch-worker"
	DefaultArch        = "arm64"
	DefaultConcurrency = 10
	DefaultMaxRetries  = 3
	// DefaultThrottleTimeout is Config.ThrottleTimeout's default.
	DefaultThrottleTimeout = 5 * time.Minute
)

// Environment variables that override a spec's backend: settings.
const (
	EnvFunction    = "HPSEARCH_FUNCTION"
	EnvBucket      = "HPSEARCH_BUCKET"
	EnvRegion      = "HPSEARCH_REGION"
	EnvConcurrency = "HPSEARCH_CONCURRENCY"
)

// Config is the Lambda backend's configuration: the spec's backend: map,
// overridden by environment variables, then by command-line flags (which
// the caller assigns to the fields). Zero values mean the defaults noted.
type Config struct {
	// Function is the worker function's name or ARN (DefaultFunction).
	Function string `json:"function"`
	// Region is the AWS region; "" means the standard chain (AWS_REGION,
	// the profile).
	Region string `json:"region,omitempty"`
	// Bucket holds the pushed datasets; required when the study has a
	// dataset.
	Bucket string `json:"bucket,omitempty"`
	// MemoryMB is the function's memory size, for deploy; 0 means
	// deploy's default. The executor does not change the function.
	MemoryMB int `json:"memory_mb,omitempty"`
	// Arch is the function's architecture, arm64 (DefaultArch) or x86_64,
	// for deploy.
	Arch string `json:"arch,omitempty"`
	// Concurrency bounds the invocations in flight (DefaultConcurrency).
	// More than the function's reserved concurrency only causes
	// throttles, which are retried.
	Concurrency int `json:"concurrency,omitempty"`
	// MaxRetries bounds the retries of one trial after server errors or
	// lost responses (DefaultMaxRetries); negative means none.
	MaxRetries int `json:"max_retries,omitempty"`
	// TrialTimeout bounds each invocation of a trial: the executor stops
	// waiting for an answer after it, and the worker stops the trial
	// itself just before, so the trial fails with a timeout instead of
	// Lambda killing the runtime. It must be below the function's
	// timeout (Preflight checks). 0 means only the function's timeout
	// applies. In a spec: a duration ("90s") or seconds.
	TrialTimeout time.Duration `json:"trial_timeout,omitempty"`
	// StragglerK turns on speculative execution of stragglers: a trial
	// running longer than StragglerK times the p95 duration of the
	// trials completed at its budget gets a duplicate (see
	// scheduler.Speculative). 0 means off.
	StragglerK float64 `json:"straggler_k,omitempty"`
	// StragglerMinTrials is how many trials must have completed at a
	// budget before any straggler there is duplicated; 0 means
	// scheduler.DefaultStragglerMinSamples.
	StragglerMinTrials int `json:"straggler_min_trials,omitempty"`
	// ThrottleTimeout is how long an invocation may be throttled while no
	// invocation of the executor gets an answer before the executor calls
	// the function unavailable (trial.ErrUnavailable) instead of waiting
	// on; 0 means DefaultThrottleTimeout, or twice TrialTimeout when that
	// is longer. Throttling while other invocations finish is only a full
	// function and is waited out however long it lasts.
	ThrottleTimeout time.Duration `json:"throttle_timeout,omitempty"`
	// OutageTimeout is how long the study waits for an unavailable
	// backend to answer again before it stops as interrupted (see
	// scheduler.Config.OutageTimeout); 0 means
	// scheduler.DefaultOutageTimeout. The executor only carries it from
	// the spec.
	OutageTimeout time.Duration `json:"outage_timeout,omitempty"`
}

// backendKeys are the keys a spec's backend: map may hold. "type" names
// the backend itself and is the caller's business.
var backendKeys = []string{"arch", "bucket", "concurrency", "function", "max_retries", "memory_mb", "outage_timeout",
	"region", "straggler_k", "straggler_min_trials", "throttle_timeout", "trial_timeout", "type"}

// ConfigFrom resolves a Config from a spec's backend: map and the
// environment (HPSEARCH_FUNCTION, HPSEARCH_BUCKET, HPSEARCH_REGION,
// HPSEARCH_CONCURRENCY win over the map), filling in defaults. Unknown
// keys and values of the wrong type are *trial.InputError with the field
// "backend.KEY".
func ConfigFrom(backend map[string]any, getenv func(string) string) (Config, error) {
	var c Config
	keys := make([]string, 0, len(backend))
	for k := range backend {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := backend[k]
		var err error
		switch k {
		case "function":
			c.Function, err = str(v)
		case "region":
			c.Region, err = str(v)
		case "bucket":
			if c.Bucket, err = str(v); err == nil {
				err = s3data.CheckBucketName(c.Bucket)
			}
		case "arch":
			c.Arch, err = str(v)
		case "memory_mb":
			c.MemoryMB, err = integer(v)
		case "concurrency":
			c.Concurrency, err = integer(v)
		case "max_retries":
			c.MaxRetries, err = integer(v)
		case "trial_timeout":
			c.TrialTimeout, err = duration(v)
		case "outage_timeout":
			c.OutageTimeout, err = positiveDuration(v)
		case "throttle_timeout":
			c.ThrottleTimeout, err = positiveDuration(v)
		case "straggler_k":
			c.StragglerK, err = number(v)
		case "straggler_min_trials":
			c.StragglerMinTrials, err = integer(v)
		case "type":
		default:
			err = fmt.Errorf("unknown setting (known: %s)", strings.Join(backendKeys, ", "))
		}
		if err != nil {
			return Config{}, &trial.InputError{Field: "backend." + k, Msg: err.Error()}
		}
	}
	for _, o := range []struct {
		env string
		dst *string
	}{{EnvFunction, &c.Function}, {EnvBucket, &c.Bucket}, {EnvRegion, &c.Region}} {
		if v := getenv(o.env); v != "" {
			*o.dst = v
		}
	}
	if v := getenv(EnvBucket); v != "" {
		if err := s3data.CheckBucketName(v); err != nil {
			return Config{}, &trial.InputError{File: "$" + EnvBucket, Msg: err.Error()}
		}
	}
	if v := getenv(EnvConcurrency); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return Config{}, &trial.InputError{File: "$" + EnvConcurrency, Msg: fmt.Sprintf("not an integer: %q", v)}
		}
		c.Concurrency = n
	}
	c = c.withDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c Config) withDefaults() Config {
	if c.Function == "" {
		c.Function = DefaultFunction
	}
	if c.Arch == "" {
		c.Arch = DefaultArch
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.ThrottleTimeout == 0 {
		c.ThrottleTimeout = max(DefaultThrottleTimeout, 2*c.TrialTimeout)
	}
	return c
}

// regionRE is the form of every AWS region name (us-east-1,
// ap-southeast-2, us-gov-west-1, eu-isoe-west-1). The SDK sends any string
// it is given, so a misspelt region would otherwise fail late, as an
// unresolvable endpoint. It compiles on first use, not at start-up.
var regionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`) })

// Validate checks the settings; errors are *trial.InputError.
func (c Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &trial.InputError{Field: "backend." + field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.Region != "" && !regionRE().MatchString(c.Region):
		return bad("region", "%q is not an AWS region name (such as us-east-1 or eu-west-2)", c.Region)
	case c.Bucket != "" && s3data.CheckBucketName(c.Bucket) != nil:
		return bad("bucket", "%v", s3data.CheckBucketName(c.Bucket))
	case c.Arch != "" && c.Arch != "arm64" && c.Arch != "x86_64":
		return bad("arch", "must be arm64 or x86_64, not %q", c.Arch)
	case c.Concurrency < 0:
		return bad("concurrency", "must be positive, not %d", c.Concurrency)
	case c.MemoryMB != 0 && (c.MemoryMB < 128 || c.MemoryMB > 10240):
		return bad("memory_mb", "must be between 128 and 10240 (Lambda's limits), not %d", c.MemoryMB)
	case c.TrialTimeout < 0 || c.TrialTimeout > 0 && c.TrialTimeout < 100*time.Millisecond:
		return bad("trial_timeout", "must be at least 100ms, not %v", c.TrialTimeout)
	case c.TrialTimeout > 15*time.Minute:
		return bad("trial_timeout", "must be below the function's timeout, at most 15m (Lambda's limit), not %v", c.TrialTimeout)
	case c.StragglerK < 0 || c.StragglerK > 0 && c.StragglerK <= 1:
		return bad("straggler_k", "must be above 1 (a multiple of the p95 duration), or 0 for no speculation, not %v", c.StragglerK)
	case c.StragglerMinTrials < 0:
		return bad("straggler_min_trials", "must be positive, not %d", c.StragglerMinTrials)
	case c.OutageTimeout < 0:
		return bad("outage_timeout", "must be positive, such as \"5m\", not %v", c.OutageTimeout)
	case c.ThrottleTimeout < 0:
		return bad("throttle_timeout", "must be positive, such as \"5m\", not %v", c.ThrottleTimeout)
	}
	return nil
}

func str(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("must be a string, not %v", v)
	}
	return s, nil
}

// duration reads a duration such as "90s", or a number of seconds.
func duration(v any) (time.Duration, error) {
	if s, ok := v.(string); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(s)); err == nil {
			return d, nil
		}
	}
	if f, err := number(v); err == nil {
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("must be a duration such as \"90s\" or a number of seconds, not %v", v)
}

// positiveDuration reads a duration that must be above zero: a zero
// written in a spec has no meaning there.
func positiveDuration(v any) (time.Duration, error) {
	d, err := duration(v)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive, such as \"5m\", not %v", v)
	}
	return d, nil
}

func number(v any) (float64, error) {
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return x, nil
		}
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("must be a number, not %v", v)
}

func integer(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		if x <= math.MaxInt32 {
			return int(x), nil
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= math.MaxInt32 {
			return int(x), nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("must be an integer, not %v", v)
}
