package cost

import (
	"math"
	"regexp"
	"testing"
)

func TestFormatUSD(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{
		{0, "$0.00"},
		{math.Copysign(0, -1), "$0.00"},
		// The two notations the issue saw side by side, now one.
		{9.2e-05, "$0.000092"},
		{0.000115, "$0.000115"},
		{0.0000920, "$0.000092"},
		{0.00012, "$0.00012"},
		{0.000123456, "$0.000123"},
		{0.0115, "$0.0115"},
		{0.0725, "$0.0725"},
		{0.5, "$0.50"},
		{0.123, "$0.123"},
		{0.9999, "$1.00"},
		{1, "$1.00"},
		{1.234, "$1.23"},
		{12.345, "$12.35"},
		{999.999, "$1,000.00"},
		{1234.56, "$1,234.56"},
		{1234567.891, "$1,234,567.89"},
		{-0.25, "-$0.25"},
		{-1234.5, "-$1,234.50"},
		{1.5e-9, "$0.0000000015"},
		{1e-13, "<$0.000000000001"},
		{-1e-13, ">-$0.000000000001"},
		{math.NaN(), "$NaN"},
		{math.Inf(1), "$Inf"},
		{math.Inf(-1), "-$Inf"},
	} {
		if got := FormatUSD(tc.x); got != tc.want {
			t.Errorf("FormatUSD(%g) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

func TestFormatPrice(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{
		{DefaultPrices.LambdaGBSecondX86, "$0.0000166667"},
		{DefaultPrices.LambdaGBSecondARM, "$0.0000133334"},
		{DefaultPrices.LambdaPerMillionRequests, "$0.20"},
		{DefaultPrices.LocalUSDPerHour, "$0.0725"},
		{DefaultPrices.S3GetPerThousand, "$0.0004"},
		{3.06, "$3.06"},
	} {
		if got := FormatPrice(tc.x); got != tc.want {
			t.Errorf("FormatPrice(%g) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

// TestFormatUSDOneNotation checks amounts across twenty orders of
// magnitude: never an exponent, always a dollar sign and a decimal point.
func TestFormatUSDOneNotation(t *testing.T) {
	notation := regexp.MustCompile(`^-?\$[0-9]{1,3}(,[0-9]{3})*\.[0-9]{2,12}$`)
	for e := -11; e <= 9; e++ {
		for _, m := range []float64{1, 1.5, 9.99, 9.9999} {
			for _, x := range []float64{m * math.Pow(10, float64(e)), -m * math.Pow(10, float64(e))} {
				for _, s := range []string{FormatUSD(x), FormatPrice(x)} {
					if !notation.MatchString(s) {
						t.Errorf("%g formats as %q", x, s)
					}
				}
			}
		}
	}
}
