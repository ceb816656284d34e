package simd

import "math"

// The float32 exp of the float32 log-sum-exp kernels (lse32.go).
//
// e^x = 2^(n/16) · e^r with n = round(x·16/log 2) and r = x − n·(log 2)/16,
// |r| ≤ (log 2)/32 + rounding (Cody–Waite: (log 2)/16 split so that
// n·exp32StepHi is exact for |n| ≤ 2^11). 2^(n/16) = 2^k · s_j, j = n mod 16,
// from a 16-entry table of float32 values s_j ≈ 2^(j/16), and a second table
// of their relative rounding errors δ_j = 2^(j/16)/s_j − 1, so that
//
//	e^x = 2^k·s_j·(1 + δ_j)(1 + w) ≈ s + s·(w + δ_j),  w = r + r²·q(r),
//
// with q of degree 1 (Chebyshev interpolation of (e^r − 1 − r)/r² on
// |r| ≤ 0.02167; 1 + r + r²q within 5e-9 relative of e^r), y = s_j + s_j·w
// in [0.97, 2), and 2^k added to y's exponent field by an integer add: no
// step sees a subnormal (with 2^k folded into the table entry first, s·w
// is subnormal for x below about −80, and the microcode assists made the
// float32 kernels 15 % slower than with the polynomial). Without δ the
// table's own rounding (up to half an ulp) adds to the last rounding and
// the error reached 1.25 ulp (measured); with it the result is within
// 0.62 ulp of e^x over every float32 in [−87, 0] and never more than one
// ulp from the correctly rounded value (TestExpNeg32Ulp). It replaced a degree-6
// polynomial on |r| ≤ 0.35 (within 0.97 ulp) with 21 operations instead of
// 24 (AVX-512; AVX2 needs two permutes and a blend per table, 27) (measured
// before the polynomial was deleted; numbers in bench/README.md).
//
// Every step is a separately rounded float32 multiply or add, no fused
// multiply-add: the pure-Go loop and the AVX2 and AVX-512 loops then perform
// the same IEEE operations and give the same bits (Go has no float32 FMA,
// and emulating one through float64 rounds twice). The explicit float32
// conversions forbid the compiler to fuse.
const (
	exp32Magic = float32(0x1.8p23) // adding it rounds to an integer (|v| < 2^22)
	// exp32Low is the flush-to-zero limit: e^-87 ≈ 1.6e-38 is just above the
	// smallest normal float32. In a log-sum-exp every term is divided by the
	// largest one, so smaller terms cannot change a float32 sum.
	exp32Low = float32(-87)

	exp32InvStep = float32(23.08312)       // 16/log 2, bits 0x41b8aa3b
	exp32StepHi  = float32(0.043334961)    // 355·2^-13, bits 0x3d318000
	exp32StepLo  = float32(-1.3262153e-05) // (log 2)/16 − exp32StepHi, bits 0xb75e8083
	exp32T0      = float32(0.50000978)     // q(r) = exp32T0 + exp32T1·r, bits 0x3f0000a4
	exp32T1      = float32(0.16666862)     // bits 0x3e2aab2e
	exp32Shift   = 19                      // log2(2^23 / 16): n<<19 adds n/16 to the exponent
	exp32ExpMask = 0xff800000              // sign and exponent field
)

// exp32Table[j] is the bit pattern of s_j, 2^(j/16) rounded to float32,
// and exp32Delta[j] the float32 nearest δ_j (TestExp32Tables). The
// assembly holds copies (exp32Tab, exp32Delta in lse32_amd64.s).
var (
	exp32Table = [16]uint32{
		0x3f800000, 0x3f85aac3, 0x3f8b95c2, 0x3f91c3d3, 0x3f9837f0, 0x3f9ef532, 0x3fa5fed7, 0x3fad583f,
		0x3fb504f3, 0x3fbd08a4, 0x3fc5672a, 0x3fce248c, 0x3fd744fd, 0x3fe0ccdf, 0x3feac0c7, 0x3ff5257d,
	}
	exp32Delta = [16]uint32{
		0x00000000, 0x3346cb6a, 0xb24e0611, 0x334b2482, 0x33092801, 0x331b85f2, 0xb3051aa8, 0xb2006c56,
		0x329302ae, 0xb302e5a2, 0x31b3d0e5, 0x31d1daf2, 0xb27ce182, 0xb1b4b0da, 0xb1d290be, 0x31b0a147,
	}
)

// ExpNeg32 returns e^x for −87 ≤ x ≤ 0 to within 0.62 ulp (measured over
// every float32: TestExpNeg32Ulp), and exactly 0 for x < −87, −Inf and NaN
// (as ExpNeg, whose float64 contract it follows).
func ExpNeg32(x float32) float32 {
	if !(x >= exp32Low) {
		return 0
	}
	t := float32(x*exp32InvStep) + exp32Magic // magic + round(x·16/log 2)
	n := t - exp32Magic
	r := x - float32(n*exp32StepHi)
	r = r - float32(n*exp32StepLo)
	q := float32(r*exp32T1) + exp32T0
	u := float32(r * r)
	// The low bits of t hold n + 2^22: the table index is n mod 16, and
	// shifted by 19 with those four bits cleared they are k<<23 (mod 2^32).
	bits := math.Float32bits(t)
	w := float32(float32(u*q)+r) + math.Float32frombits(exp32Delta[bits&15])
	sj := math.Float32frombits(exp32Table[bits&15])
	y := float32(sj*w) + sj
	return math.Float32frombits(math.Float32bits(y) + (bits<<exp32Shift)&exp32ExpMask)
}
