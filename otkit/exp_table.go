package otkit

import "math"

// A table-based float64 exp (issue 12, item 3), measured against expNeg.
//
// e^x = 2^(n/16) · e^r with n = round(x·16/log 2) and r = x − n·(log 2)/16,
// |r| ≤ (log 2)/32 ≈ 0.0217 (Cody–Waite: the two-part ln2 of expNeg, divided
// by 16, and two fused steps). 2^(n/16) = 2^k · 2^(j/16) with j = n mod 16
// from a 16-entry table: AVX-512 holds it in two registers and looks it up
// with one VPERMI2PD, no gather. On the short interval
// e^r = 1 + w, w = r + r²·q(r), with q of degree 4 (Chebyshev interpolation
// of (e^r − 1 − r)/r² on |r| ≤ 0.02167 in 300-bit arithmetic; relative error
// of 1 + r + r²q below 3e-17 with the rounded coefficients), and
// e^x = s + s·w with s = 2^(n/16) in one fused step. Against expNeg's
// degree-10 polynomial that is 7 fused multiply-adds instead of 13 and one
// permute.
//
// Error budget: the table entries are correctly rounded (≤ 2^-53 relative),
// the final fused step rounds once (≤ 2^-53), w carries rounding errors of
// order 2^-53·|w| ≤ 2^-58; measured below 2.3e-16 against math.Exp
// (TestExpTableAccuracy).
const (
	expTabInvStep = 23.083120654223414     // 16/log 2 (= 16·expLog2e exactly)
	expTabStepHi  = 0.04332169878499658    // expLn2Hi/16, exact
	expTabStepLo  = 1.4494042586539372e-18 // expLn2Lo/16, exact
	expTabQ0      = 0.5                    // Chebyshev coefficients of q
	expTabQ1      = 0.16666666665299382    // (bits 0x3fc55555554dd10d)
	expTabQ2      = 0.041666666664957566   // (bits 0x3fa5555555519332)
	expTabQ3      = 0.008333449799593924   // (bits 0x3f811120b2d120f7)
	expTabQ4      = 0.0013889034471524727  // (bits 0x3f56c17bb88025e5)
	expTabShift   = 48                     // log2(1<<52 / 16)
	expTabMask    = 15                     // j = n mod 16
)

// expTable[j] is the bit pattern of 2^(j/16), correctly rounded, minus
// j<<48. With t's low bits holding n (see expNeg), expTable[n&15] + n<<48 is
// then the bit pattern of 2^(j/16) with k = (n−j)/16 added to its exponent
// field: 2^(n/16) built with one integer add, no shift of n by 4 and no
// multiply by 2^k.
var expTable = [16]uint64{
	0x3ff0000000000000, 0x3fefb5586cf9890f, 0x3fef72b83c7d517b, 0x3fef387a6e756238,
	0x3fef06fe0a31b715, 0x3feedea64c123422, 0x3feebfdad5362a27, 0x3feeab07dd485429,
	0x3feea09e667f3bcd, 0x3feea11473eb0187, 0x3feeace5422aa0db, 0x3feec49182a3f090,
	0x3feee89f995ad3ad, 0x3fef199bdd85529c, 0x3fef5818dcfba487, 0x3fefa4afa2a490da,
}

// expNegTable returns e^x for −708 ≤ x < 709 to within 1e-15 relative,
// and exactly 0 for x < −708, x = −Inf and NaN: the contract of expNeg, by
// a table of 2^(j/16) and a degree-6 polynomial.
func expNegTable(x float64) float64 {
	if !(x >= expLow) {
		return 0
	}
	t := math.FMA(x, expTabInvStep, expMagic) // 1.5·2^52 + round(x·16/log 2)
	n := t - expMagic
	r := math.FMA(-n, expTabStepHi, x)
	r = math.FMA(-n, expTabStepLo, r)
	bits := math.Float64bits(t)
	s := math.Float64frombits(expTable[bits&expTabMask] + bits<<expTabShift)
	u := float64(r * r) // the conversion forbids fusing r·r into the next step
	q := math.FMA(r, expTabQ4, expTabQ3)
	q = math.FMA(r, q, expTabQ2)
	q = math.FMA(r, q, expTabQ1)
	q = math.FMA(r, q, expTabQ0)
	w := math.FMA(u, q, r)
	return math.FMA(s, w, s)
}

// expVecTable sets dst[j] = expNegTable(src[j]), with AVX-512 where
// present: the table exp's throughput, for comparison with expVec.
func expVecTable(dst, src []float64) {
	dst = dst[:len(src)]
	k := 0
	if useAVX512 && len(src) >= 16 {
		k = len(src) &^ 15
		expVecTable512(&dst[0], &src[0], k)
	}
	for j := k; j < len(src); j++ {
		dst[j] = expNegTable(src[j])
	}
}
