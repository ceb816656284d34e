package otkit

import "math"

// The float32 exp the float32 kernels used before the table exp (exp32.go),
// kept as the peer BenchmarkExp32Table measures it against.
//
// e^x = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln2 (|r| ≤ ~ln2/2,
// Cody–Waite), e^r = 1 + r + r²·q(r) with q of degree 4 (a least-squares fit
// at 200 Chebyshev points of |r| ≤ 0.354, relative error 4.6e-9 in exact
// arithmetic), every step separately rounded.
const (
	exp32Log2e = float32(1.442695)
	exp32Ln2Hi = float32(0.693359375)
	exp32Ln2Lo = float32(-2.12194440e-4)

	exp32Q0 = float32(0.49999988079071045)
	exp32Q1 = float32(0.16666506230831146)
	exp32Q2 = float32(0.04166976362466812)
	exp32Q3 = float32(0.008370352908968925)
	exp32Q4 = float32(0.0013746198965236545)
)

// expNeg32Poly is expNeg32 by the degree-6 polynomial: the same contract,
// within 0.97 ulp (TestExpNeg32Ulp logs it).
func expNeg32Poly(x float32) float32 {
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

// expVec32Poly sets dst[j] = expNeg32Poly(src[j]), with AVX-512 or AVX2
// where present (exp32_poly_amd64.s).
func expVec32Poly(dst, src []float32) {
	dst = dst[:len(src)]
	k := 0
	switch {
	case useAVX512 && len(src) >= 16:
		k = len(src) &^ 15
		expVec32Poly512(&dst[0], &src[0], k)
	case useAVX && len(src) >= 16:
		k = len(src) &^ 15
		expVec32PolyAVX(&dst[0], &src[0], k)
	}
	for j := k; j < len(src); j++ {
		dst[j] = expNeg32Poly(src[j])
	}
}
