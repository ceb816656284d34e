package simd

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
// coefficients), y = s_j + s_j·w in one fused step, and e^x = 2^k·y by an
// integer add to y's exponent field. y lies in [0.97, 2), so no step
// ever sees a subnormal (for x ≥ −708 the result is normal too): scaling
// the table entry by 2^k first would make s_j·w subnormal near the lower
// limit, and subnormal operands cost the kernels a microcode assist. The
// lanes of the vector loops that are flushed to zero compute garbage only
// in that last integer add.
//
// It replaced a degree-10 polynomial on |r| ≤ (log 2)/2: 9 fused
// multiply-adds instead of 13, one permute and no clamp (AVX2: a gather);
// about 1.5× the AVX-512 throughput and half the worst error (measured
// before the polynomial was deleted; numbers in bench/README.md). Its error budget: the
// table entries are correctly rounded (≤ 2^-53 relative), the fused step
// giving y rounds once (≤ 2^-53), and w carries rounding errors of order
// 2^-53·|w| ≤ 2^-58.
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
	expExpMask = 0xfff0000000000000     // sign and exponent field
)

// expTable[j] is the bit pattern of 2^(j/16), correctly rounded
// (TestExpTableEntries). The assembly holds a copy (expTab in
// lse64_amd64.s).
var expTable = [16]uint64{
	0x3ff0000000000000, 0x3ff0b5586cf9890f, 0x3ff172b83c7d517b, 0x3ff2387a6e756238,
	0x3ff306fe0a31b715, 0x3ff3dea64c123422, 0x3ff4bfdad5362a27, 0x3ff5ab07dd485429,
	0x3ff6a09e667f3bcd, 0x3ff7a11473eb0187, 0x3ff8ace5422aa0db, 0x3ff9c49182a3f090,
	0x3ffae89f995ad3ad, 0x3ffc199bdd85529c, 0x3ffd5818dcfba487, 0x3ffea4afa2a490da,
}

// ExpNeg returns e^x for -708 ≤ x < 709 to within 1e-15 relative
// (measured: below 4e-16 against math.Exp), and exactly 0 for x < -708,
// x = -Inf and NaN (the log-sum-exp kernels only evaluate x ≤ 0, where a NaN
// can only come from −Inf − (−Inf), a term that must contribute nothing).
// The assembly loops (EXPNEG, EXPNEG512) perform the same operations.
func ExpNeg(x float64) float64 {
	if !(x >= expLow) {
		return 0
	}
	t := math.FMA(x, expInvStep, expMagic) // 1.5·2^52 + round(x·16/log 2)
	n := t - expMagic
	r := math.FMA(-n, expStepHi, x)
	r = math.FMA(-n, expStepLo, r)
	u := float64(r * r) // the conversion forbids fusing r·r into the next step
	q := math.FMA(r, expQ4, expQ3)
	q = math.FMA(r, q, expQ2)
	q = math.FMA(r, q, expQ1)
	q = math.FMA(r, q, expQ0)
	w := math.FMA(u, q, r)
	// The low bits of t hold n + 2^51: the table index is n mod 16, and
	// shifted by 48 with those four bits cleared they are k<<52 (mod 2^64).
	bits := math.Float64bits(t)
	sj := math.Float64frombits(expTable[bits&expIdxMask])
	y := math.FMA(sj, w, sj)
	return math.Float64frombits(math.Float64bits(y) + (bits<<expShift)&expExpMask)
}

// ExpShiftSum sets e[c] = ExpNeg(e[c] − mx) for each term within 40 of mx
// (exactly 1 at mx) and 0 for the terms further below (e^-40 ≈ 4e-18
// relative: posteriors that cannot matter), and returns their sum, added
// in order. It is the posterior step of the mixture E-steps, where a call
// per term cost a third of the step: here the exp is written out in the
// loop (ExpNeg is too large for the inliner) and never takes its
// flush-to-zero branch.
func ExpShiftSum(e []float64, mx float64) float64 {
	var sum float64
	for c := range e {
		switch dl := e[c] - mx; {
		case dl == 0:
			e[c] = 1
		case dl > -40:
			t := math.FMA(dl, expInvStep, expMagic)
			nn := t - expMagic
			r := math.FMA(-nn, expStepHi, dl)
			r = math.FMA(-nn, expStepLo, r)
			u := float64(r * r)
			q := math.FMA(r, expQ4, expQ3)
			q = math.FMA(r, q, expQ2)
			q = math.FMA(r, q, expQ1)
			q = math.FMA(r, q, expQ0)
			tb := math.Float64bits(t)
			sj := math.Float64frombits(expTable[tb&expIdxMask])
			y := math.FMA(sj, math.FMA(u, q, r), sj)
			e[c] = math.Float64frombits(math.Float64bits(y) + (tb<<expShift)&expExpMask)
		default:
			e[c] = 0
		}
		sum += e[c]
	}
	return sum
}
