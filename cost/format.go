package cost

import (
	"math"
	"strconv"
	"strings"
)

// usdDigits is how many significant digits FormatUSD keeps below a
// dollar, and priceDigits how many FormatPrice keeps.
const (
	usdDigits   = 3
	priceDigits = 6
)

// FormatUSD renders an amount in US dollars, the one notation every
// hpsearch output uses for money: fixed-point, never exponent notation,
// with thousands separated by commas. From a dollar up it shows cents
// ("$1.23", "$1,234.56"); below, three significant digits, since a trial
// costs a fraction of a cent ("$0.0115", "$0.000092"), and at least two
// decimals ("$0.50", "$0.00"). A negative amount is "-$0.25".
// Amounts too small for twelve decimals show as "<$0.000000000001"
// (">-$0.000000000001" when negative).
// NaN and infinities, which no price table produces, show as "$NaN",
// "$Inf" and "-$Inf" rather than as a number.
func FormatUSD(x float64) string {
	return formatDollars(x, usdDigits)
}

// FormatPrice renders a unit price in US dollars (per GB-second, per
// hour) in FormatUSD's notation with six significant digits, so that
// published prices such as $0.0000166667 per GB-second keep their
// precision: "$0.0000166667", "$0.20", "$0.0725".
func FormatPrice(x float64) string {
	return formatDollars(x, priceDigits)
}

// maxDecimals bounds the decimals formatDollars writes.
const maxDecimals = 12

// formatDollars renders x with sig significant digits below a dollar and
// cents above; see FormatUSD.
func formatDollars(x float64, sig int) string {
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	switch {
	case math.IsNaN(x):
		return "$NaN"
	case math.IsInf(x, 0):
		return sign + "$Inf"
	case x == 0:
		return "$0.00"
	}
	decimals := 2
	if x < 1 {
		// The digits of x start at decimal place -floor(log10 x).
		decimals = max(sig-1-int(math.Floor(math.Log10(x))), 2)
	}
	if decimals > maxDecimals {
		if x < 0.5*math.Pow(10, -maxDecimals) {
			if sign != "" {
				return ">-$0." + strings.Repeat("0", maxDecimals-1) + "1"
			}
			return "<$0." + strings.Repeat("0", maxDecimals-1) + "1"
		}
		decimals = maxDecimals
	}
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	// Beyond cents, trailing zeros carry no digit ("$0.000120" is
	// "$0.00012"); a rounding up to a whole dollar keeps its cents.
	frac = strings.TrimRight(frac, "0")
	if len(frac) < 2 {
		frac += strings.Repeat("0", 2-len(frac))
	}
	if whole != "0" && len(frac) > 2 {
		frac = frac[:2]
	}
	return sign + "$" + groupThousands(whole) + "." + frac
}

// groupThousands puts commas between the thousands of the digits s.
func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
