package otkit

import "math"

// A float32 exp for the float32 log-sum-exp kernels (lse_fast32.go).
//
// e^x = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln2 (|r| ≤ ~ln2/2,
// Cody–Waite: ln2 split so that n·ln2Hi is exact), e^r = 1 + r + r²·q(r)
// with q of degree 4 (a least-squares fit at 200 Chebyshev points of
// |r| ≤ 0.354, relative error 4.6e-9 in exact arithmetic, far below the
// float32 unit roundoff 6e-8). Every step is a separately rounded float32
// multiply or add, no fused multiply-add: the pure-Go loop and the AVX2 and
// AVX-512 loops then perform the same IEEE operations and give the same bits
// (Go has no float32 FMA, and emulating one through float64 rounds twice).
// The explicit float32 conversions forbid the compiler to fuse.
const (
	exp32Log2e = float32(1.442695)
	exp32Magic = float32(0x1.8p23) // adding it rounds to an integer (|v| < 2^22)
	exp32Ln2Hi = float32(0.693359375)
	exp32Ln2Lo = float32(-2.12194440e-4)
	// exp32Low is the flush-to-zero limit: e^-87 ≈ 1.6e-38 is just above the
	// smallest normal float32. In a log-sum-exp every term is divided by the
	// largest one, so smaller terms cannot change a float32 sum.
	exp32Low = float32(-87)

	exp32Q0 = float32(0.49999988079071045)
	exp32Q1 = float32(0.16666506230831146)
	exp32Q2 = float32(0.04166976362466812)
	exp32Q3 = float32(0.008370352908968925)
	exp32Q4 = float32(0.0013746198965236545)
)

// expNeg32 returns e^x for −87 ≤ x ≤ 0 to within a few float32 ulps
// (measured: TestExpNeg32Accuracy), and exactly 0 for x < −87, −Inf and NaN
// (as expNeg, whose float64 contract it follows).
func expNeg32(x float32) float32 {
	if !(x >= exp32Low) {
		return 0
	}
	t := float32(x*exp32Log2e) + exp32Magic // magic + round(x·log2 e)
	n := t - exp32Magic
	r := x - float32(n*exp32Ln2Hi)
	r = r - float32(n*exp32Ln2Lo)
	q := float32(r*exp32Q4) + exp32Q3
	q = float32(q*r) + exp32Q2
	q = float32(q*r) + exp32Q1
	q = float32(q*r) + exp32Q0
	p := float32(float32(r*r)*q) + r
	p = p + 1
	// The low bits of t hold n + 2^22; adding the bias and shifting drops
	// the 2^22 and leaves (n+127)<<23, the bits of 2^n.
	return p * math.Float32frombits((math.Float32bits(t)+127)<<23)
}

// expVec32 sets dst[j] = expNeg32(src[j]); the float32 exp throughput
// ceiling (BenchmarkExpFloor).
func expVec32(dst, src []float32) {
	dst = dst[:len(src)]
	k := 0
	switch {
	case useAVX512 && len(src) >= 16:
		k = len(src) &^ 15
		expVec32x512(&dst[0], &src[0], k)
	case useAVX && len(src) >= 16:
		k = len(src) &^ 15
		expVec32AVX(&dst[0], &src[0], k)
	}
	for j := k; j < len(src); j++ {
		dst[j] = expNeg32(src[j])
	}
}
