package otkit

import "math"

// The float64 exp of the fast kernels: a 16-entry table and a degree-6
// polynomial (issue 12, item 3).
//
// e^x = 2^(n/16) · e^r with n = round(x·16/log 2) and r = x − n·(log 2)/16,
// |r| ≤ (log 2)/32 ≈ 0.0217 (Cody–Waite: the two-part log 2 of a plain
// range reduction, divided by 16, and two fused steps). 2^(n/16) = 2^k ·
// 2^(j/16) with j = n mod 16 from a 16-entry table: AVX-512 holds it in two
// registers and looks it up with one VPERMI2PD, AVX2 gathers it. On the
// short interval e^r = 1 + w, w = r + r²·q(r), with q of degree 4
// (Chebyshev interpolation of (e^r − 1 − r)/r² on |r| ≤ 0.02167 in 300-bit
// arithmetic; relative error of 1 + r + r²q below 3e-17 with the rounded
// coefficients), and e^x = s + s·w with s = 2^(n/16) in one fused step.
//
// It replaced a degree-10 polynomial on |r| ≤ (log 2)/2 (expNegPoly,
// exp_poly.go, kept as the benchmark peer): 7 fused multiply-adds instead
// of 13, no clamp, one permute; 1.6× the AVX-512 throughput and half the
// worst error (BenchmarkExpTable, TestExpTableAccuracy; numbers in
// bench/README.md). Its error budget: the table entries are correctly
// rounded (≤ 2^-53 relative), the final fused step rounds once (≤ 2^-53),
// and w carries rounding errors of order 2^-53·|w| ≤ 2^-58.
const (
	expMagic = 0x1.8p52 // adding it rounds to an integer (|v| < 2^51)
	// expLow is the flush-to-zero limit: exp(-708) ≈ 3e-308 is the smallest
	// result kept. In a log-sum-exp every term is divided by the largest one,
	// so terms below that limit do not change the sum.
	expLow = -708.0

	expInvStep = 23.083120654223414     // 16/log 2 (16·(1/log 2 rounded), exactly)
	expStepHi  = 0.04332169878499658    // (log 2)/16, high part: n·expStepHi is exact
	expStepLo  = 1.4494042586539372e-18 // (log 2)/16 − expStepHi
	expQ0      = 0.5                    // coefficients of q, bits 0x3fe0000000000000,
	expQ1      = 0.16666666665299382    // 0x3fc55555554dd10d,
	expQ2      = 0.041666666664957566   // 0x3fa5555555519332,
	expQ3      = 0.008333449799593924   // 0x3f811120b2d120f7,
	expQ4      = 0.0013889034471524727  // 0x3f56c17bb88025e5
	expShift   = 48                     // log2(2^52 / 16): n<<48 adds n/16 to the exponent
	expIdxMask = 15                     // j = n mod 16
)

// expTable[j] is the bit pattern of 2^(j/16), correctly rounded
// (TestExpTableEntries), minus j<<48. With t's low bits holding n (see
// expNeg), expTable[n&15] + n<<48 is then the bit pattern of 2^(j/16) with
// k = (n−j)/16 added to its exponent field: 2^(n/16) built with one integer
// add, no shift of n by 4 and no multiply by 2^k. The assembly holds a copy
// (expTab in lse_fast_amd64.s).
var expTable = [16]uint64{
	0x3ff0000000000000, 0x3fefb5586cf9890f, 0x3fef72b83c7d517b, 0x3fef387a6e756238,
	0x3fef06fe0a31b715, 0x3feedea64c123422, 0x3feebfdad5362a27, 0x3feeab07dd485429,
	0x3feea09e667f3bcd, 0x3feea11473eb0187, 0x3feeace5422aa0db, 0x3feec49182a3f090,
	0x3feee89f995ad3ad, 0x3fef199bdd85529c, 0x3fef5818dcfba487, 0x3fefa4afa2a490da,
}

// expNeg returns e^x for -708 ≤ x < 709 to within 1e-15 relative
// (measured: below 4e-16 against math.Exp), and exactly 0 for x < -708,
// x = -Inf and NaN (the log-sum-exp kernels only evaluate x ≤ 0, where a NaN
// can only come from −Inf − (−Inf), a term that must contribute nothing).
// The assembly loops (EXPNEG, EXPNEG512) perform the same operations.
func expNeg(x float64) float64 {
	if !(x >= expLow) {
		return 0
	}
	t := math.FMA(x, expInvStep, expMagic) // 1.5·2^52 + round(x·16/log 2)
	n := t - expMagic
	r := math.FMA(-n, expStepHi, x)
	r = math.FMA(-n, expStepLo, r)
	// The low bits of t hold n + 2^51; shifted by 48 only n's low 16 bits
	// remain, which is all the exponent field needs (|n| < 2^15).
	bits := math.Float64bits(t)
	s := math.Float64frombits(expTable[bits&expIdxMask] + bits<<expShift)
	u := float64(r * r) // the conversion forbids fusing r·r into the next step
	q := math.FMA(r, expQ4, expQ3)
	q = math.FMA(r, q, expQ2)
	q = math.FMA(r, q, expQ1)
	q = math.FMA(r, q, expQ0)
	w := math.FMA(u, q, r)
	return math.FMA(s, w, s)
}
