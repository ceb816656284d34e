//go:build !noasm

package simd

import "math"

// The vector parts of the kernels: each runs the widest assembly loop the
// CPU has over the longest prefix that loop takes and returns how many
// entries it did (0 when there is no loop for it); the kernel's Go loop
// does the rest. Without assembly (vec_noasm.go) they do nothing.

func denseMaxAsm(z, c, h []float64, invEps float64) (int, float64) {
	n := len(c)
	switch {
	case useAVX512 && n >= 16:
		k := n &^ 15
		return k, zDenseMax512(&c[0], &h[0], &z[0], k, invEps)
	case useAVX2 && n >= 8:
		k := n &^ 7
		return k, zDenseMaxAVX(&c[0], &h[0], &z[0], k, invEps)
	}
	return 0, math.Inf(-1)
}

func pc2MaxAsm(z, a, y0, y1 []float64, x0, x1 float64) (int, float64) {
	n := len(a)
	switch {
	case useAVX512 && n >= 16:
		k := n &^ 15
		return k, zPC2Max512(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	case useAVX2 && n >= 8:
		k := n &^ 7
		return k, zPC2MaxAVX(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	}
	return 0, math.Inf(-1)
}

func expSumAsm(z []float64, shift float64, sums *[8]float64, next []float64) int {
	switch {
	case useAVX512 && len(z) >= 16:
		k := len(z) &^ 15
		pf := &z[0] // nothing to prefetch: touch z itself
		if len(next) >= k {
			pf = &next[0]
		}
		expSum512(&z[0], k, shift, sums, pf)
		return k
	case useAVX2 && len(z) >= 8:
		k := len(z) &^ 7
		if len(next) >= k {
			expSumPFAVX(&z[0], k, shift, sums, &next[0])
		} else {
			expSumAVX(&z[0], k, shift, sums)
		}
		return k
	}
	return 0
}

// denseExpSumAsm is the one-pass AVX-512 loop of DenseExpSum over the full
// groups of 16 terms (0 done without AVX-512).
func denseExpSumAsm(c, h []float64, invEps, shift float64, sums *[8]float64, next []float64) (int, float64) {
	k := len(c) &^ 15
	if !useAVX512 || k == 0 {
		return 0, math.Inf(-1)
	}
	pf := &c[0]
	if len(next) >= k {
		pf = &next[0]
	}
	return k, zDenseExpSum512(&c[0], &h[0], k, invEps, shift, sums, pf)
}

func pc2ExpSumAsm(a, y0, y1 []float64, x0, x1, shift float64, sums *[8]float64) (int, float64) {
	k := len(a) &^ 15
	if !useAVX512 || k == 0 {
		return 0, math.Inf(-1)
	}
	return k, zPC2ExpSum512(&a[0], &y0[0], &y1[0], k, x0, x1, shift, sums)
}

func accColShiftAsm(c []float64, hi, invEps float64, mx, s, next []float64) int {
	switch {
	case useAVX512 && len(c) >= 16:
		k := len(c) &^ 15
		accColShift512(&c[0], k, hi, invEps, &mx[0], &s[0], &next[0])
		return k
	case useAVX2 && len(c) >= 8:
		k := len(c) &^ 7
		accColShiftAVX(&c[0], k, hi, invEps, &mx[0], &s[0], &next[0])
		return k
	}
	return 0
}

func expVecAsm(dst, src []float64) int {
	switch {
	case useAVX512 && len(src) >= 16:
		k := len(src) &^ 15
		expVec512(&dst[0], &src[0], k)
		return k
	case useAVX2 && len(src) >= 8:
		k := len(src) &^ 7
		expVecAVX(&dst[0], &src[0], k)
		return k
	}
	return 0
}

func planExpRowAsm(dst, c, g []float64, fi, inv float64) (int, float64) {
	switch {
	case useAVX512 && len(dst) >= 16:
		k := len(dst) &^ 15
		return k, planExpRow512(&dst[0], &c[0], &g[0], k, fi, inv)
	case useAVX2 && len(dst) >= 8:
		k := len(dst) &^ 7
		return k, planExpRowAVX(&dst[0], &c[0], &g[0], k, fi, inv)
	}
	return 0, math.Inf(-1)
}

func expVec32Asm(dst, src []float32) int {
	switch {
	case useAVX512 && len(src) >= 16:
		k := len(src) &^ 15
		expVec32x512(&dst[0], &src[0], k)
		return k
	case useAVX2 && len(src) >= 16:
		k := len(src) &^ 15
		expVec32AVX(&dst[0], &src[0], k)
		return k
	}
	return 0
}

func denseMax32Asm(z, c, h []float32, inv float32) (int, float32) {
	n := len(c)
	switch {
	case useAVX512 && n >= 32:
		k := n &^ 31
		return k, zDenseMax32x512(&c[0], &h[0], &z[0], k, inv)
	case useAVX2 && n >= 16:
		k := n &^ 15
		return k, zDenseMax32AVX(&c[0], &h[0], &z[0], k, inv)
	}
	return 0, float32(math.Inf(-1))
}

func pc2Max32Asm(z, a, y0, y1 []float32, x0, x1 float32) (int, float32) {
	n := len(a)
	switch {
	case useAVX512 && n >= 32:
		k := n &^ 31
		return k, zPC2Max32x512(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	case useAVX2 && n >= 16:
		k := n &^ 15
		return k, zPC2Max32AVX(&a[0], &y0[0], &y1[0], &z[0], k, x0, x1)
	}
	return 0, float32(math.Inf(-1))
}

// expSum32Asm sums the groups of z (a multiple of 32 long, not empty),
// prefetching pf; false if there is no loop for it.
func expSum32Asm(z []float32, shift float32, sums *[16]float64, pf *float32) bool {
	switch {
	case useAVX512:
		expSum32x512(&z[0], len(z), shift, sums, pf)
		return true
	case useAVX2:
		expSum32AVX(&z[0], len(z), shift, sums, pf)
		return true
	}
	return false
}

func denseExpSum32Asm(c, h []float32, inv, shift float32, sums *[16]float64, next []float32) (int, float32) {
	k := len(c) &^ 31
	if !useAVX512 || k == 0 {
		return 0, float32(math.Inf(-1))
	}
	pf := &c[0]
	if len(next) >= k {
		pf = &next[0]
	}
	return k, zDenseExpSum32x512(&c[0], &h[0], k, inv, shift, sums, pf)
}

func pc2ExpSum32Asm(a, y0, y1 []float32, x0, x1, shift float32, sums *[16]float64) (int, float32) {
	k := len(a) &^ 31
	if !useAVX512 || k == 0 {
		return 0, float32(math.Inf(-1))
	}
	return k, zPC2ExpSum32x512(&a[0], &y0[0], &y1[0], k, x0, x1, shift, sums)
}

func dotRow64Asm(k, v []float64, acc *[DotLanes]float64) int {
	if len(k) < DotLanes || !useAVX2 {
		return 0
	}
	done := len(k) &^ (DotLanes - 1)
	if useAVX512 {
		dotRow64x512(&k[0], &v[0], done, acc)
	} else {
		dotRow64AVX(&k[0], &v[0], done, acc)
	}
	return done
}

func dotRow32Asm(k []float32, v []float64, acc *[DotLanes]float64) int {
	if len(k) < DotLanes || !useAVX2 {
		return 0
	}
	done := len(k) &^ (DotLanes - 1)
	if useAVX512 {
		dotRow32x512(&k[0], &v[0], done, acc)
	} else {
		dotRow32AVX(&k[0], &v[0], done, acc)
	}
	return done
}

func axpyRow64Asm(c, k []float64, u float64) int {
	if len(k) < 16 || !useAVX2 {
		return 0
	}
	done := len(k) &^ 15
	if useAVX512 {
		axpyRow64x512(&c[0], &k[0], done, u)
	} else {
		axpyRow64AVX(&c[0], &k[0], done, u)
	}
	return done
}

func axpyRow32Asm(c []float64, k []float32, u float64) int {
	if len(k) < 16 || !useAVX2 {
		return 0
	}
	done := len(k) &^ 15
	if useAVX512 {
		axpyRow32x512(&c[0], &k[0], done, u)
	} else {
		axpyRow32AVX(&c[0], &k[0], done, u)
	}
	return done
}

func toFloat32Asm(dst []float32, src []float64) int {
	if len(dst) < 16 || !useAVX2 {
		return 0
	}
	done := len(dst) &^ 15
	if useAVX512 {
		toFloat32x512(&dst[0], &src[0], done)
	} else {
		toFloat32AVX(&dst[0], &src[0], done)
	}
	return done
}

func axpyRows64Asm(c, k0, k1, k2, k3 []float64, u *[4]float64) int {
	m := len(c)
	if m < 16 || !useAVX2 {
		return 0
	}
	done := m &^ 15
	if useAVX512 {
		axpyRows64x512(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	} else {
		axpyRows64AVX(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	}
	return done
}

func axpyRows32Asm(c []float64, k0, k1, k2, k3 []float32, u *[4]float64) int {
	m := len(c)
	if m < 16 || !useAVX2 {
		return 0
	}
	done := m &^ 15
	if useAVX512 {
		axpyRows32x512(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	} else {
		axpyRows32AVX(&c[0], &k0[0], &k1[0], &k2[0], &k3[0], done, u)
	}
	return done
}
