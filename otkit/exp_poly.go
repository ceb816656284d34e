package otkit

import "math"

// The degree-10 polynomial exp the fast kernels used before the table exp
// (exp_table.go), kept as the peer BenchmarkExpTable measures it against.
//
// Range reduction to |r| ≤ (log 2)/2 and the coefficients of a degree-10
// polynomial p with p(0) = 1 interpolating e^r at the Chebyshev points of
// |r| ≤ 0.3466 (computed in 50-digit arithmetic; relative error below 6e-16
// on that interval): 13 fused multiply-adds, no table.
const (
	expLog2e = 1.4426950408889634
	expLn2Hi = 0.6931471805599453
	expLn2Lo = 2.3190468138462996e-17

	expC1  = 1.0000000000000013
	expC2  = 0.5000000000000001
	expC3  = 0.16666666666615615
	expC4  = 0.041666666666624136
	expC5  = 0.008333333367327151
	expC6  = 0.001388888891720967
	expC7  = 0.00019841190623382567
	expC8  = 2.4801521302241082e-05
	expC9  = 2.763265216957956e-06
	expC10 = 2.7620085455018414e-07
)

// expNegPoly is expNeg by the degree-10 polynomial: the same contract,
// within 1e-15 relative (measured: below 8e-16 against math.Exp).
func expNegPoly(x float64) float64 {
	if !(x >= expLow) {
		return 0
	}
	t := math.FMA(x, expLog2e, expMagic) // 1.5·2^52 + round(x·log2 e)
	n := t - expMagic
	r := math.FMA(-n, expLn2Hi, x)
	r = math.FMA(-n, expLn2Lo, r)
	p := math.FMA(r, expC10, expC9)
	p = math.FMA(r, p, expC8)
	p = math.FMA(r, p, expC7)
	p = math.FMA(r, p, expC6)
	p = math.FMA(r, p, expC5)
	p = math.FMA(r, p, expC4)
	p = math.FMA(r, p, expC3)
	p = math.FMA(r, p, expC2)
	p = math.FMA(r, p, expC1)
	p = math.FMA(r, p, 1)
	// The low bits of t hold n + 2^51; adding the bias and shifting drops
	// the 2^51 and leaves (n+1023)<<52, the bits of 2^n.
	return p * math.Float64frombits((math.Float64bits(t)+1023)<<52)
}

// expVecPoly sets dst[j] = expNegPoly(src[j]), with AVX-512 or AVX2 where
// present (exp_poly_amd64.s).
func expVecPoly(dst, src []float64) {
	dst = dst[:len(src)]
	k := 0
	switch {
	case useAVX512 && len(src) >= 16:
		k = len(src) &^ 15
		expVecPoly512(&dst[0], &src[0], k)
	case useAVX && len(src) >= 8:
		k = len(src) &^ 7
		expVecPolyAVX(&dst[0], &src[0], k)
	}
	for j := k; j < len(src); j++ {
		dst[j] = expNegPoly(src[j])
	}
}
