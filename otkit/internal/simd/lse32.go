package simd

import "math"

// Float32 kernels of the log-sum-exp reductions: exponents and exps in
// float32, sums in float64. As for float64 (lse64.go), the exported
// functions are in kernels_amd64.go and kernels_noasm.go and the Go loops
// here are the specification of the AVX2 and AVX-512 loops
// (lse32_amd64.s), which give the same bits.

// expVec32Go is ExpVec32 from entry k on.
func expVec32Go(dst, src []float32, k int) {
	for j := k; j < len(src); j++ {
		dst[j] = ExpNeg32(src[j])
	}
}

// denseMax32Go is DenseMax32 from entry k on, mx the maximum so far.
func denseMax32Go(z, c, h []float32, inv float32, k int, mx float32) float32 {
	for j := k; j < len(c); j++ {
		v := float32(h[j]-c[j]) * inv
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// pc2Max32Go is PC2Max32 from entry k on, mx the maximum so far.
func pc2Max32Go(z, a, y0, y1 []float32, x0, x1 float32, k int, mx float32) float32 {
	for j := k; j < len(a); j++ {
		v := float32(a[j]+float32(x0*y0[j])) + float32(x1*y1[j])
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// expSum32Groups is ExpSum32's vector part in Go: z is a multiple of 32
// long; for each full group of 128 terms, lane l adds float64 of the tree
//
//	((e_l + e_{l+16}) + (e_{l+32} + e_{l+48})) + ((e_{l+64} + e_{l+80}) + (e_{l+96} + e_{l+112}));
//
// then for each full group of 32 remaining terms float64(e_l + e_{l+16}).
func expSum32Groups(z []float32, shift float32, sums *[16]float64) {
	k := len(z)
	j := 0
	for ; j < k&^127; j += 128 {
		for l := 0; l < 16; l++ {
			var e [8]float32
			for t := range e {
				e[t] = ExpNeg32(z[j+16*t+l] - shift)
			}
			lo := float32(e[0]+e[1]) + float32(e[2]+e[3])
			hi := float32(e[4]+e[5]) + float32(e[6]+e[7])
			sums[l] += float64(lo + hi)
		}
	}
	for ; j < k; j += 32 {
		for l := 0; l < 16; l++ {
			sums[l] += float64(ExpNeg32(z[j+l]-shift) + ExpNeg32(z[j+16+l]-shift))
		}
	}
}

// expSum32Go adds the terms from k on singly, term j to lane j mod 16.
func expSum32Go(z []float32, shift float32, sums *[16]float64, k int) {
	for j := k; j < len(z); j++ {
		sums[j&15] += float64(ExpNeg32(z[j] - shift))
	}
}

// expSum32Tail finishes DenseExpSum32 and PC2ExpSum32 after their one-pass
// vector loop did the first k terms (maximum mx): the exponents of the rest
// are in z[k:] with maximum mt.
func expSum32Tail(z []float32, shift float32, sums *[16]float64, k int, mx, mt float32) float32 {
	expSum32Go(z, shift, sums, k)
	return maxNoNaN32(mx, mt)
}

func maxNoNaN32(a, b float32) float32 {
	if b > a {
		return b
	}
	return a
}

var negInf32 = float32(math.Inf(-1))
