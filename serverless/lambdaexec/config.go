package lambdaexec

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/hpsearch/hpsearch/trial"
)

// Defaults of Config.
const (
	DefaultFunction    = "hpsearch-worker"
	DefaultArch        = "arm64"
	DefaultConcurrency = 10
	DefaultMaxRetries  = 3
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
}

// backendKeys are the keys a spec's backend: map may hold. "type" names
// the backend itself and is the caller's business.
var backendKeys = []string{"arch", "bucket", "concurrency", "function", "max_retries", "memory_mb", "region", "type"}

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
			c.Bucket, err = str(v)
		case "arch":
			c.Arch, err = str(v)
		case "memory_mb":
			c.MemoryMB, err = integer(v)
		case "concurrency":
			c.Concurrency, err = integer(v)
		case "max_retries":
			c.MaxRetries, err = integer(v)
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
	return c
}

// Validate checks the settings; errors are *trial.InputError.
func (c Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &trial.InputError{Field: "backend." + field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.Arch != "" && c.Arch != "arm64" && c.Arch != "x86_64":
		return bad("arch", "must be arm64 or x86_64, not %q", c.Arch)
	case c.Concurrency < 0:
		return bad("concurrency", "must be positive, not %d", c.Concurrency)
	case c.MemoryMB != 0 && (c.MemoryMB < 128 || c.MemoryMB > 10240):
		return bad("memory_mb", "must be between 128 and 10240 (Lambda's limits), not %d", c.MemoryMB)
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
