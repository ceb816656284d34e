package simd

// Float32 kernels of the log-sum-exp reductions: exponents and exps in
// float32, sums in float64. The Go loops are the specification of the AVX2
// and AVX-512 loops (lse32_amd64.s), which give the same bits.

// ExpVec32 sets dst[j] = ExpNeg32(src[j]): the float32 exp throughput
// ceiling.
func ExpVec32(dst, src []float32) {
	dst = dst[:len(src)]
	for j := expVec32Asm(dst, src); j < len(src); j++ {
		dst[j] = ExpNeg32(src[j])
	}
}

// DenseMax32 writes z_j = (h_j − c_j)·inv and returns the largest, −Inf if
// all are.
func DenseMax32(z, c, h []float32, inv float32) float32 {
	n := len(c)
	z, h = z[:n], h[:n]
	k, mx := denseMax32Asm(z, c, h, inv)
	for j := k; j < n; j++ {
		v := float32(h[j]-c[j]) * inv
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// PC2Max32 writes z_j = a_j + x0·y0_j + x1·y1_j (separately rounded float32
// operations, in that order) and returns the largest, −Inf if all are.
func PC2Max32(z, a, y0, y1 []float32, x0, x1 float32) float32 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k, mx := pc2Max32Asm(z, a, y0, y1, x0, x1)
	for j := k; j < n; j++ {
		v := float32(a[j]+float32(x0*y0[j])) + float32(x1*y1[j])
		z[j] = v
		if v > mx {
			mx = v
		}
	}
	return mx
}

// ExpSum32 adds the exponentials e_j = ExpNeg32(z_j − shift) to sixteen
// float64 lane sums. Converting to float64 costs as much as a third of an
// exp in the vector loops, so terms are first added in float32, eight at a
// time (a sum of eight terms ≤ 1 in float32 is accurate to a few units of
// 6e-8 of the terms, as the exps themselves): for each full group of 128
// terms, lane l adds float64 of the tree
//
//	((e_l + e_{l+16}) + (e_{l+32} + e_{l+48})) + ((e_{l+64} + e_{l+80}) + (e_{l+96} + e_{l+112}));
//
// then for each full group of 32 remaining terms float64(e_l + e_{l+16});
// the last terms are added singly, term j to lane j mod 16. A next at
// least as long as z (the data the caller reads after this block) is
// prefetched meanwhile, so that streaming a stored matrix overlaps the exps.
func ExpSum32(z []float32, shift float32, sums *[16]float64, next []float32) {
	k := len(z) &^ 31
	pf := &z[0] // nothing to prefetch: touch z itself
	if len(next) >= k && k > 0 {
		pf = &next[0]
	}
	if k == 0 || !expSum32Asm(z[:k], shift, sums, pf) {
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
	for j := k; j < len(z); j++ {
		sums[j&15] += float64(ExpNeg32(z[j] - shift))
	}
}

// DenseExpSum32 is DenseMax32 into z followed by ExpSum32(z, shift, sums,
// next), returning the exponents' maximum; with AVX-512 the full groups of
// 32 terms are done in one pass (the exponents stay in registers, z is only
// written for the last terms), with the same bits.
func DenseExpSum32(z, c, h []float32, inv, shift float32, sums *[16]float64, next []float32) float32 {
	n := len(c)
	z, h = z[:n], h[:n]
	k, mx := denseExpSum32Asm(c, h, inv, shift, sums, next)
	if k == 0 {
		mx := DenseMax32(z, c, h, inv)
		ExpSum32(z, shift, sums, next)
		return mx
	}
	if k < n {
		mx = maxNoNaN32(mx, DenseMax32(z[k:], c[k:], h[k:], inv))
		for j := k; j < n; j++ {
			sums[j&15] += float64(ExpNeg32(z[j] - shift))
		}
	}
	return mx
}

// PC2ExpSum32 is PC2Max32 into z followed by ExpSum32(z, shift, sums, nil),
// as DenseExpSum32 is for a stored matrix.
func PC2ExpSum32(z, a, y0, y1 []float32, x0, x1, shift float32, sums *[16]float64) float32 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k, mx := pc2ExpSum32Asm(a, y0, y1, x0, x1, shift, sums)
	if k == 0 {
		mx := PC2Max32(z, a, y0, y1, x0, x1)
		ExpSum32(z, shift, sums, nil)
		return mx
	}
	if k < n {
		mx = maxNoNaN32(mx, PC2Max32(z[k:], a[k:], y0[k:], y1[k:], x0, x1))
		for j := k; j < n; j++ {
			sums[j&15] += float64(ExpNeg32(z[j] - shift))
		}
	}
	return mx
}

func maxNoNaN32(a, b float32) float32 {
	if b > a {
		return b
	}
	return a
}
