//go:build !noasm

package simd

import "math"

// The kernels with assembly: each runs the widest loop the CPU has (the
// flags of cpu_amd64.go) over the longest prefix that loop takes, and its
// Go loop (lse64.go, lse32.go, rows.go) over the rest. kernels_noasm.go has
// the same functions without assembly.

// ExpVec sets dst[j] = ExpNeg(src[j]): the exp throughput ceiling the
// kernels are measured against (benchmarks, bench/sinkbench).
func ExpVec(dst, src []float64) {
	dst = dst[:len(src)]
	k := 0
	switch {
	case useAVX512 && len(src) >= 16:
		k = len(src) &^ 15
		expVec512(&dst[0], &src[0], k)
	case useAVX2 && len(src) >= 8:
		k = len(src) &^ 7
		expVecAVX(&dst[0], &src[0], k)
	}
	expVecGo(dst, src, k)
}

// DenseMax writes z_j = (h_j − c_j)·invEps and returns the largest, −Inf if
// all are.
func DenseMax(z, c, h []float64, invEps float64) float64 {
	n := len(c)
	z, h = z[:n], h[:n]
	k, mx := 0, math.Inf(-1)
	switch {
	case useAVX512 && n >= 16:
		k = n &^ 15
		mx = zDenseMax512(&c[0], &h[0], &z[0], k, invEps)
	case useAVX2 && n >= 8:
		k = n &^ 7
		mx = zDenseMaxAVX(&c[0], &h[0], &z[0], k, invEps)
	}
	return denseMaxGo(z, c, h, invEps, k, mx)
}

// PC2Max writes z_j = a_j + x0·y0_j + x1·y1_j (two fused steps) and returns
// the largest, −Inf if all are.
func PC2Max(z, a, y0, y1 []float64, x0, x1 float64) float64 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k, mx := 0, math.Inf(-1)
	switch {
	case useAVX512 && n >= 16:
		k = n &^ 15
		mx = zPC2Max512(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	case useAVX2 && n >= 8:
		k = n &^ 7
		mx = zPC2MaxAVX(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	}
	return pc2MaxGo(z, a, y0, y1, x0, x1, k, mx)
}

// ExpSum adds exp(z_j − shift) to sums[j mod 8]. A next at least as long
// as the vector part (the data the caller reads after this block) is
// prefetched meanwhile.
func ExpSum(z []float64, shift float64, sums *[8]float64, next []float64) {
	k := 0
	switch {
	case useAVX512 && len(z) >= 16:
		k = len(z) &^ 15
		pf := &z[0] // nothing to prefetch: touch z itself
		if len(next) >= k {
			pf = &next[0]
		}
		expSum512(&z[0], k, shift, sums, pf)
	case useAVX2 && len(z) >= 8:
		k = len(z) &^ 7
		if len(next) >= k {
			expSumPFAVX(&z[0], k, shift, sums, &next[0])
		} else {
			expSumAVX(&z[0], k, shift, sums)
		}
	}
	// expSumGo's loop, written out: a call per block cost 30 instructions.
	for j := k; j < len(z); j++ {
		sums[j&7] += ExpNeg(z[j] - shift)
	}
}

// DenseExpSum is DenseMax into z followed by ExpSum(z, shift, sums, next),
// returning the exponents' maximum; with AVX-512 the full groups of 16
// terms are done in one pass (the exponents stay in registers, z is only
// written for the last terms), with the same bits.
func DenseExpSum(z, c, h []float64, invEps, shift float64, sums *[8]float64, next []float64) float64 {
	n := len(c)
	z, h = z[:n], h[:n]
	k := n &^ 15
	if !useAVX512 || k == 0 {
		mx := DenseMax(z, c, h, invEps)
		ExpSum(z, shift, sums, next)
		return mx
	}
	pf := &c[0]
	if len(next) >= k {
		pf = &next[0]
	}
	mx := zDenseExpSum512(&c[0], &h[0], k, invEps, shift, sums, pf)
	if k == n {
		return mx
	}
	return expSumTail(z, shift, sums, k, mx, DenseMax(z[k:], c[k:], h[k:], invEps))
}

// PC2ExpSum is PC2Max into z followed by ExpSum(z, shift, sums, nil), as
// DenseExpSum is for a stored matrix.
func PC2ExpSum(z, a, y0, y1 []float64, x0, x1, shift float64, sums *[8]float64) float64 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k := n &^ 15
	if !useAVX512 || k == 0 {
		mx := PC2Max(z, a, y0, y1, x0, x1)
		ExpSum(z, shift, sums, nil)
		return mx
	}
	mx := zPC2ExpSum512(&a[0], &y0[0], &y1[0], k, x0, x1, shift, sums)
	if k == n {
		return mx
	}
	return expSumTail(z, shift, sums, k, mx, PC2Max(z[k:], a[k:], y0[k:], y1[k:], x0, x1))
}

// AccColShift folds z_j = (hi − c_j)·invEps into the per-column states
// (mx_j, s_j) with shiftStep, prefetching next[:len(c)] (the same columns
// of the next row: a short segment per row is too short for the hardware
// prefetcher).
func AccColShift(c []float64, hi, invEps float64, mx, s, next []float64) {
	mx = mx[:len(c)]
	s = s[:len(c)]
	k := 0
	switch {
	case useAVX512 && len(c) >= 16:
		k = len(c) &^ 15
		accColShift512(&c[0], k, hi, invEps, &mx[0], &s[0], &next[0])
	case useAVX2 && len(c) >= 8:
		k = len(c) &^ 7
		accColShiftAVX(&c[0], k, hi, invEps, &mx[0], &s[0], &next[0])
	}
	if k < len(c) {
		accColGo(c, hi, invEps, mx, s, k)
	}
}

// PlanExpRow sets dst_j = exp((fi + g_j − c_j)·inv), the entries of one row
// of a plan from its potentials (or of a stabilised kernel from absorbed
// potentials), with ExpNeg, and returns the largest exponent: the caller
// rejects the row when that exceeds the range of exp (an exponent of 709
// or more gives garbage, not +Inf). The potentials may be −Inf (zero
// weights), never NaN or +Inf; the costs are finite.
func PlanExpRow(dst, c, g []float64, fi, inv float64) float64 {
	c, g = c[:len(dst)], g[:len(dst)]
	k, mx := 0, math.Inf(-1)
	switch {
	case useAVX512 && len(dst) >= 16:
		k = len(dst) &^ 15
		mx = planExpRow512(&dst[0], &c[0], &g[0], k, fi, inv)
	case useAVX2 && len(dst) >= 8:
		k = len(dst) &^ 7
		mx = planExpRowAVX(&dst[0], &c[0], &g[0], k, fi, inv)
	}
	if k == len(dst) {
		return mx
	}
	return planExpRowGo(dst, c, g, fi, inv, k, mx)
}

// ExpVec32 sets dst[j] = ExpNeg32(src[j]): the float32 exp throughput
// ceiling.
func ExpVec32(dst, src []float32) {
	dst = dst[:len(src)]
	k := 0
	switch {
	case useAVX512 && len(src) >= 16:
		k = len(src) &^ 15
		expVec32x512(&dst[0], &src[0], k)
	case useAVX2 && len(src) >= 16:
		k = len(src) &^ 15
		expVec32AVX(&dst[0], &src[0], k)
	}
	expVec32Go(dst, src, k)
}

// DenseMax32 writes z_j = (h_j − c_j)·inv and returns the largest, −Inf if
// all are.
func DenseMax32(z, c, h []float32, inv float32) float32 {
	n := len(c)
	z, h = z[:n], h[:n]
	k, mx := 0, negInf32
	switch {
	case useAVX512 && n >= 32:
		k = n &^ 31
		mx = zDenseMax32x512(&c[0], &h[0], &z[0], k, inv)
	case useAVX2 && n >= 16:
		k = n &^ 15
		mx = zDenseMax32AVX(&c[0], &h[0], &z[0], k, inv)
	}
	return denseMax32Go(z, c, h, inv, k, mx)
}

// PC2Max32 writes z_j = a_j + x0·y0_j + x1·y1_j (separately rounded float32
// operations, in that order) and returns the largest, −Inf if all are.
func PC2Max32(z, a, y0, y1 []float32, x0, x1 float32) float32 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k, mx := 0, negInf32
	switch {
	case useAVX512 && n >= 32:
		k = n &^ 31
		mx = zPC2Max32x512(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	case useAVX2 && n >= 16:
		k = n &^ 15
		mx = zPC2Max32AVX(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	}
	return pc2Max32Go(z, a, y0, y1, x0, x1, k, mx)
}

// ExpSum32 adds the exponentials e_j = ExpNeg32(z_j − shift) to sixteen
// float64 lane sums. Converting to float64 costs as much as a third of an
// exp in the vector loops, so terms are first added in float32, eight at a
// time (a sum of eight terms ≤ 1 in float32 is accurate to a few units of
// 6e-8 of the terms, as the exps themselves), in the groups of
// expSum32Groups; the last terms are added singly, term j to lane j mod 16.
// A next at least as long as z (the data the caller reads after this
// block) is prefetched meanwhile, so that streaming a stored matrix
// overlaps the exps.
func ExpSum32(z []float32, shift float32, sums *[16]float64, next []float32) {
	k := len(z) &^ 31
	pf := &z[0] // nothing to prefetch: touch z itself
	if len(next) >= k && k > 0 {
		pf = &next[0]
	}
	switch {
	case useAVX512 && k > 0:
		expSum32x512(&z[0], k, shift, sums, pf)
	case useAVX2 && k > 0:
		expSum32AVX(&z[0], k, shift, sums, pf)
	default:
		expSum32Groups(z[:k], shift, sums)
	}
	// expSum32Go's loop, written out: a call per block cost 30
	// instructions.
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
	k := n &^ 31
	if !useAVX512 || k == 0 {
		mx := DenseMax32(z, c, h, inv)
		ExpSum32(z, shift, sums, next)
		return mx
	}
	pf := &c[0]
	if len(next) >= k {
		pf = &next[0]
	}
	mx := zDenseExpSum32x512(&c[0], &h[0], k, inv, shift, sums, pf)
	if k == n {
		return mx
	}
	return expSum32Tail(z, shift, sums, k, mx, DenseMax32(z[k:], c[k:], h[k:], inv))
}

// PC2ExpSum32 is PC2Max32 into z followed by ExpSum32(z, shift, sums, nil),
// as DenseExpSum32 is for a stored matrix.
func PC2ExpSum32(z, a, y0, y1 []float32, x0, x1, shift float32, sums *[16]float64) float32 {
	n := len(a)
	z, y0, y1 = z[:n], y0[:n], y1[:n]
	k := n &^ 31
	if !useAVX512 || k == 0 {
		mx := PC2Max32(z, a, y0, y1, x0, x1)
		ExpSum32(z, shift, sums, nil)
		return mx
	}
	mx := zPC2ExpSum32x512(&a[0], &y0[0], &y1[0], k, x0, x1, shift, sums)
	if k == n {
		return mx
	}
	return expSum32Tail(z, shift, sums, k, mx, PC2Max32(z[k:], a[k:], y0[k:], y1[k:], x0, x1))
}

// DotRow64 returns Σ_j k_j·v_j in the lane order of rows.go.
func DotRow64(k, v []float64) float64 {
	var acc [DotLanes]float64
	v = v[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= DotLanes:
		done = len(k) &^ (DotLanes - 1)
		dotRow64x512(&k[0], &v[0], done, &acc)
	case useAVX2 && len(k) >= DotLanes:
		done = len(k) &^ (DotLanes - 1)
		dotRow64AVX(&k[0], &v[0], done, &acc)
	}
	dotRowGo(&acc, k[done:], v[done:], done)
	return reduceLanes(&acc)
}

// DotRow32 is DotRow64 for a float32 row.
func DotRow32(k []float32, v []float64) float64 {
	var acc [DotLanes]float64
	v = v[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= DotLanes:
		done = len(k) &^ (DotLanes - 1)
		dotRow32x512(&k[0], &v[0], done, &acc)
	case useAVX2 && len(k) >= DotLanes:
		done = len(k) &^ (DotLanes - 1)
		dotRow32AVX(&k[0], &v[0], done, &acc)
	}
	dotRowGo(&acc, k[done:], v[done:], done)
	return reduceLanes(&acc)
}

// AxpyRow64 sets c[j] = fma(k[j], u, c[j]).
func AxpyRow64(c, k []float64, u float64) {
	c = c[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow64x512(&c[0], &k[0], done, u)
	case useAVX2 && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow64AVX(&c[0], &k[0], done, u)
	}
	axpyRowGo(c[done:], k[done:], u)
}

// AxpyRow32 sets c[j] = fma(float64(k[j]), u, c[j]).
func AxpyRow32(c []float64, k []float32, u float64) {
	c = c[:len(k)]
	done := 0
	switch {
	case useAVX512 && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow32x512(&c[0], &k[0], done, u)
	case useAVX2 && len(k) >= 16:
		done = len(k) &^ 15
		axpyRow32AVX(&c[0], &k[0], done, u)
	}
	axpyRowGo(c[done:], k[done:], u)
}

// ToFloat32 sets dst[j] = float32(src[j]) (rounded to nearest even, as the
// conversion instructions do).
func ToFloat32(dst []float32, src []float64) {
	src = src[:len(dst)]
	done := 0
	switch {
	case useAVX512 && len(dst) >= 16:
		done = len(dst) &^ 15
		toFloat32x512(&dst[0], &src[0], done)
	case useAVX2 && len(dst) >= 16:
		done = len(dst) &^ 15
		toFloat32AVX(&dst[0], &src[0], done)
	}
	toFloat32Go(dst, src, done)
}

// AxpyRows64 adds four rows: c[j] = fma(k3[j], u[3], fma(k2[j], u[2],
// fma(k1[j], u[1], fma(k0[j], u[0], c[j])))), the same bits as four
// AxpyRow64 calls in row order with one pass over c.
func AxpyRows64(c []float64, k *[4][]float64, u *[4]float64) {
	m := len(c)
	k0, k1, k2, k3 := k[0][:m], k[1][:m], k[2][:m], k[3][:m]
	done := 0
	switch {
	case useAVX512 && m >= 16:
		done = m &^ 15
		axpyRows64x512(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	case useAVX2 && m >= 16:
		done = m &^ 15
		axpyRows64AVX(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	}
	axpyRowsGo(c[done:], k0[done:], k1[done:], k2[done:], k3[done:], u)
}

// AxpyRows32 is AxpyRows64 for float32 rows.
func AxpyRows32(c []float64, k *[4][]float32, u *[4]float64) {
	m := len(c)
	k0, k1, k2, k3 := k[0][:m], k[1][:m], k[2][:m], k[3][:m]
	done := 0
	switch {
	case useAVX512 && m >= 16:
		done = m &^ 15
		axpyRows32x512(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	case useAVX2 && m >= 16:
		done = m &^ 15
		axpyRows32AVX(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	}
	axpyRowsGo(c[done:], k0[done:], k1[done:], k2[done:], k3[done:], u)
}
