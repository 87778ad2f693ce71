package lambdaexec

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hpsearch/hpsearch/trial"
)

func TestConfigFrom(t *testing.T) {
	defaults := Config{Function: DefaultFunction, Arch: DefaultArch, Concurrency: DefaultConcurrency, MaxRetries: DefaultMaxRetries,
		ThrottleTimeout: DefaultThrottleTimeout}
	with := func(f func(*Config)) Config {
		c := defaults
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		backend map[string]any
		env     map[string]string
		want    Config
		wantErr string // substring of the error; "" means none
	}{
		{name: "defaults", want: defaults},
		{name: "spec", backend: map[string]any{"type": "lambda", "function": "f", "region": "eu-west-1", "bucket": "bkt",
			"memory_mb": 2048, "arch": "x86_64", "concurrency": 50, "max_retries": 5},
			want: Config{Function: "f", Region: "eu-west-1", Bucket: "bkt", MemoryMB: 2048, Arch: "x86_64", Concurrency: 50, MaxRetries: 5,
				ThrottleTimeout: DefaultThrottleTimeout}},
		{name: "yaml and json numbers", backend: map[string]any{"memory_mb": 1024.0, "concurrency": "8"},
			want: with(func(c *Config) { c.MemoryMB, c.Concurrency = 1024, 8 })},
		{name: "env wins over spec",
			backend: map[string]any{"function": "f", "bucket": "bkt", "region": "eu-west-1", "concurrency": 5},
			env:     map[string]string{EnvFunction: "g", EnvBucket: "cbk", EnvRegion: "ap-southeast-2", EnvConcurrency: "7"},
			want:    with(func(c *Config) { c.Function, c.Bucket, c.Region, c.Concurrency = "g", "cbk", "ap-southeast-2", 7 })},
		{name: "empty env keeps spec", backend: map[string]any{"function": "f"}, env: map[string]string{EnvFunction: ""},
			want: with(func(c *Config) { c.Function = "f" })},
		{name: "unknown key", backend: map[string]any{"funtion": "f"}, wantErr: "backend.funtion: unknown setting"},
		{name: "wrong type", backend: map[string]any{"function": 3}, wantErr: "backend.function: must be a string"},
		{name: "fractional", backend: map[string]any{"concurrency": 2.5}, wantErr: "backend.concurrency: must be an integer"},
		{name: "bad arch", backend: map[string]any{"arch": "amd64"}, wantErr: "backend.arch"},
		{name: "gov region", backend: map[string]any{"region": "us-gov-west-1"},
			want: with(func(c *Config) { c.Region = "us-gov-west-1" })},
		{name: "unknown region", backend: map[string]any{"region": "us-east"}, wantErr: "backend.region: \"us-east\" is not an AWS region"},
		{name: "bad env region", env: map[string]string{EnvRegion: "US_EAST_1"}, wantErr: "backend.region"},
		{name: "memory too small", backend: map[string]any{"memory_mb": 64}, wantErr: "backend.memory_mb"},
		{name: "bad bucket", backend: map[string]any{"bucket": "Bad_Bucket/../x"}, wantErr: "backend.bucket: bucket name \"Bad_Bucket/../x\""},
		{name: "short bucket", backend: map[string]any{"bucket": "b"}, wantErr: "backend.bucket: bucket name \"b\": must be 3 to 63"},
		{name: "bad env bucket", env: map[string]string{EnvBucket: "my..bucket"}, wantErr: "$" + EnvBucket + ": bucket name"},
		{name: "bad env concurrency", env: map[string]string{EnvConcurrency: "lots"}, wantErr: EnvConcurrency},
		{name: "negative concurrency", backend: map[string]any{"concurrency": -1}, wantErr: "backend.concurrency"},
		{name: "faults", backend: map[string]any{"trial_timeout": "90s", "straggler_k": 3, "straggler_min_trials": "20"},
			want: with(func(c *Config) { c.TrialTimeout, c.StragglerK, c.StragglerMinTrials = 90*time.Second, 3, 20 })},
		{name: "timeout in seconds", backend: map[string]any{"trial_timeout": 2.5},
			want: with(func(c *Config) { c.TrialTimeout = 2500 * time.Millisecond })},
		{name: "bad timeout", backend: map[string]any{"trial_timeout": "soon"}, wantErr: "backend.trial_timeout: must be a duration"},
		{name: "timeout too long", backend: map[string]any{"trial_timeout": "1h"}, wantErr: "backend.trial_timeout"},
		{name: "straggler k of 1", backend: map[string]any{"straggler_k": 1}, wantErr: "backend.straggler_k: must be above 1"},
		{name: "outage and throttle timeouts", backend: map[string]any{"outage_timeout": "2m", "throttle_timeout": 600},
			want: with(func(c *Config) { c.OutageTimeout, c.ThrottleTimeout = 2*time.Minute, 10*time.Minute })},
		{name: "throttle timeout follows a long trial timeout", backend: map[string]any{"trial_timeout": "10m"},
			want: with(func(c *Config) { c.TrialTimeout, c.ThrottleTimeout = 10*time.Minute, 20*time.Minute })},
		{name: "zero outage timeout", backend: map[string]any{"outage_timeout": 0}, wantErr: "backend.outage_timeout: must be positive"},
		{name: "negative outage timeout", backend: map[string]any{"outage_timeout": "-5s"}, wantErr: "backend.outage_timeout: must be positive"},
		{name: "bad outage timeout", backend: map[string]any{"outage_timeout": "soon"}, wantErr: "backend.outage_timeout: must be a duration"},
		{name: "zero throttle timeout", backend: map[string]any{"throttle_timeout": "0s"}, wantErr: "backend.throttle_timeout: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFrom(tt.backend, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, trial.ErrBadInput) {
					t.Fatalf("err = %v, want bad input containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
