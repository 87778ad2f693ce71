package cost

import (
	"fmt"
	"io"
	"math"

	"go.yaml.in/yaml/v3"

	"github.com/hpsearch/hpsearch/trial"
)

// Prices is the price table every cost is computed from, in US dollars.
// The YAML and JSON field names are the same, so one overrides file can be
// written in either.
type Prices struct {
	// Date is when the figures were taken from their sources.
	Date string `json:"date" yaml:"date"`
	// Source names where the cloud figures come from.
	Source string `json:"source" yaml:"source"`
	// Region is the AWS region the figures are for.
	Region string `json:"region" yaml:"region"`

	// LambdaGBSecondX86 and LambdaGBSecondARM are the Lambda compute
	// prices per GB-second (first pricing tier: the first 6 billion
	// GB-seconds of a month) for x86_64 and arm64 functions.
	LambdaGBSecondX86 float64 `json:"lambda_usd_per_gb_second_x86_64" yaml:"lambda_usd_per_gb_second_x86_64"`
	LambdaGBSecondARM float64 `json:"lambda_usd_per_gb_second_arm64" yaml:"lambda_usd_per_gb_second_arm64"`
	// LambdaPerMillionRequests is the price of a million invocations.
	LambdaPerMillionRequests float64 `json:"lambda_usd_per_million_requests" yaml:"lambda_usd_per_million_requests"`
	// S3GetPerThousand and S3PutPerThousand are S3 Standard request
	// prices per 1,000 GET (and HEAD) and PUT requests.
	S3GetPerThousand float64 `json:"s3_usd_per_thousand_get" yaml:"s3_usd_per_thousand_get"`
	S3PutPerThousand float64 `json:"s3_usd_per_thousand_put" yaml:"s3_usd_per_thousand_put"`

	// FreeTier subtracts the monthly free tier below from a study's
	// usage, as if the study were the account's only use that month. Off
	// by default: most accounts that run studies have used it up.
	FreeTier      bool    `json:"free_tier" yaml:"free_tier"`
	FreeGBSeconds float64 `json:"free_gb_seconds" yaml:"free_gb_seconds"`
	FreeRequests  float64 `json:"free_requests" yaml:"free_requests"`
	FreeS3Gets    float64 `json:"free_s3_gets" yaml:"free_s3_gets"`
	FreeS3Puts    float64 `json:"free_s3_puts" yaml:"free_s3_puts"`

	// LocalUSDPerHour is what this machine costs per hour of wall time,
	// for the local backend; LocalSource says what it is the price of.
	LocalUSDPerHour float64 `json:"local_usd_per_hour" yaml:"local_usd_per_hour"`
	LocalSource     string  `json:"local_source" yaml:"local_source"`
}

// DefaultPrices are the us-east-1 list prices. The Lambda compute and
// request prices have been unchanged since arm64 functions launched
// (September 2021); S3 request prices are S3 Standard's.
var DefaultPrices = Prices{
	Date:   "2026-11-26",
	Source: "https://aws.amazon.com/lambda/pricing/ and https://aws.amazon.com/s3/pricing/ (us-east-1 list prices)",
	Region: "us-east-1",

	LambdaGBSecondX86:        0.0000166667,
	LambdaGBSecondARM:        0.0000133334,
	LambdaPerMillionRequests: 0.20,
	S3GetPerThousand:         0.0004,
	S3PutPerThousand:         0.005,

	FreeGBSeconds: 400_000,
	FreeRequests:  1_000_000,
	FreeS3Gets:    20_000,
	FreeS3Puts:    2_000,

	LocalUSDPerHour: 0.0725,
	LocalSource:     "c7g.large (2 vCPU, 4 GiB) Linux on-demand, us-east-1, https://aws.amazon.com/ec2/pricing/on-demand/",
}

// ParsePrices reads a YAML or JSON document of Prices fields and returns
// base with those fields replaced; fields the document does not name keep
// base's values. Unknown fields are an error wrapping trial.ErrBadInput,
// so a misspelt price is never silently ignored.
func ParsePrices(r io.Reader, base Prices) (Prices, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	p := base
	if err := dec.Decode(&p); err != nil && err != io.EOF {
		return base, fmt.Errorf("cost: prices: %w: %v", trial.ErrBadInput, err)
	}
	if err := p.Validate(); err != nil {
		return base, err
	}
	return p, nil
}

// Validate reports a price that is not a positive number, and a
// negative or non-finite free-tier allowance: a zero price would make a
// cost, and every ratio and budget built on it, silently zero. Errors are
// *trial.InputError naming the field.
func (p Prices) Validate() error {
	for _, f := range []struct {
		name      string
		v         float64
		allowZero bool
	}{
		{"lambda_usd_per_gb_second_x86_64", p.LambdaGBSecondX86, false},
		{"lambda_usd_per_gb_second_arm64", p.LambdaGBSecondARM, false},
		{"lambda_usd_per_million_requests", p.LambdaPerMillionRequests, false},
		{"s3_usd_per_thousand_get", p.S3GetPerThousand, false},
		{"s3_usd_per_thousand_put", p.S3PutPerThousand, false},
		{"local_usd_per_hour", p.LocalUSDPerHour, false},
		{"free_gb_seconds", p.FreeGBSeconds, true},
		{"free_requests", p.FreeRequests, true},
		{"free_s3_gets", p.FreeS3Gets, true},
		{"free_s3_puts", p.FreeS3Puts, true},
	} {
		switch {
		case math.IsNaN(f.v) || math.IsInf(f.v, 0):
			return &trial.InputError{Field: f.name, Msg: fmt.Sprintf("must be a finite number, not %g", f.v)}
		case f.allowZero && f.v < 0:
			return &trial.InputError{Field: f.name, Msg: fmt.Sprintf("must not be negative, not %g", f.v)}
		case !f.allowZero && f.v <= 0:
			return &trial.InputError{Field: f.name, Msg: fmt.Sprintf("must be a positive price in US dollars, not %g", f.v)}
		}
	}
	return nil
}

// GBSecond returns the Lambda compute price per GB-second for arch
// ("arm64", the default when empty, or "x86_64").
func (p Prices) GBSecond(arch string) float64 {
	if arch == "x86_64" {
		return p.LambdaGBSecondX86
	}
	return p.LambdaGBSecondARM
}
